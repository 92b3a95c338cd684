"""Re-encrypt every encrypted field under the current key (the first of FIELD_ENCRYPTION_KEYS).

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), run this command,
then drop the old key. It also rewrites values still in the pre-SM4 Fernet format (``enc1:``) and plain
text, and sets the blind indexes of what it rewrites (``--reindex`` recomputes every blind index, after
FIELD_BLIND_INDEX_KEY changed).

Batches of ``--batch-size`` rows, each in its own transaction with the rows locked; only rows not yet
under the current key are read (a filter in SQL), so an interrupted run resumes where it stopped when
started again. A value that cannot be decrypted is left as it is, logged and counted; the command then
exits with an error so that the old key is not dropped while data still needs it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from nqihub.core import audit
from nqihub.core.crypto import (
    PREFIX,
    DecryptionError,
    blind_index,
    current_key_id,
    decrypt,
    encrypted_fields,
    key_id_of,
)


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key (SM4); resumable, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--reindex", action="store_true", help="recompute every blind index (after a new index key)"
        )
        parser.add_argument(
            "--check", action="store_true", help="only count what is not under the current key"
        )

    def handle(self, *args, batch_size: int, reindex: bool, check: bool, **options):
        if not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000")
        key_id = current_key_id()
        by_model: dict[type, list] = {}
        for model, field in encrypted_fields():
            by_model.setdefault(model, []).append(field)
        totals = {"rewritten": 0, "reindexed": 0, "failed": 0, "pending": 0}
        for model, fields in by_model.items():
            counts = self._model(model, fields, key_id, batch_size, reindex=reindex, check=check)
            for name, n in counts.items():
                totals[name] += n
            self.stdout.write(
                f"{model._meta.label}: "
                + ", ".join(f"{name} {n}" for name, n in counts.items() if n or name == "rewritten")
            )
        if not check:
            audit.record(
                None,
                "core.keys.rotated",
                None,
                {"key_id": key_id, **totals},
                username="manage.py rotate_keys",
            )
        self.stdout.write(
            f"key {key_id}: rewritten {totals['rewritten']}, reindexed {totals['reindexed']}, "
            f"failed {totals['failed']}" + (f", pending {totals['pending']}" if check else "")
        )
        if totals["failed"]:
            raise CommandError(
                f"{totals['failed']} value(s) could not be decrypted (see the log): keep the old keys until "
                "they are restored"
            )
        if check and totals["pending"]:
            raise CommandError(f"{totals['pending']} row(s) are not under key {key_id} yet")

    def _model(self, model, fields, key_id: str, batch_size: int, *, reindex: bool, check: bool) -> dict:
        raw_names = {field.name: f"_raw_{field.name}" for field in fields}
        qs = model._base_manager.annotate(
            **{
                raw: Cast(field.attname, output_field=TextField())
                for field, raw in zip(fields, raw_names.values(), strict=True)
            }
        )
        if not reindex:
            done = Q()
            for raw in raw_names.values():
                done &= (
                    Q(**{f"{raw}__startswith": f"{PREFIX}:{key_id}:"})
                    | Q(**{raw: ""})
                    | Q(**{f"{raw}__isnull": True})
                )
            qs = qs.exclude(done)
        counts = {"rewritten": 0, "reindexed": 0, "failed": 0, "pending": 0}
        if check:
            counts["pending"] = qs.count()
            return counts
        last_pk = None
        while True:
            with transaction.atomic():
                batch_qs = qs.order_by("pk")
                if last_pk is not None:
                    batch_qs = batch_qs.filter(pk__gt=last_pk)
                rows = list(batch_qs.select_for_update().values_list("pk", *raw_names.values())[:batch_size])
                if not rows:
                    break
                for pk, *raws in rows:
                    last_pk = pk
                    updates = {}
                    for field, raw in zip(fields, raws, strict=True):
                        if not raw:
                            continue
                        try:
                            plain = decrypt(raw)
                        except DecryptionError as exc:
                            counts["failed"] += 1
                            self.stderr.write(f"{model._meta.label} #{pk} {field.name}: {exc}")
                            continue
                        if key_id_of(raw) != key_id:
                            updates[field.name] = plain
                            counts["rewritten"] += 1
                        if field.blind_index_field:
                            updates[field.blind_index_field] = blind_index(plain, field.normalise)
                            counts["reindexed"] += 1
                    if updates:
                        model._base_manager.filter(pk=pk).update(**updates)
        return counts
