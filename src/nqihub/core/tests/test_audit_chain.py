"""The audit log is a SM3 hash chain: verify_audit names a changed, inserted, deleted or reordered entry;
old entries are archived to a signed file and the chain continues from an anchor."""

import datetime as dt
import io
import json
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections

from nqihub.core import audit
from nqihub.core.audit_archive import archive, retention_cutoff, verify_archive
from nqihub.core.models import AuditAnchor, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(demo_user):
    """Five fresh entries at the end of the chain (after the demo world's)."""
    user = demo_user("station_lz")
    return [audit.record(user, "test.chain.step", None, {"n": i, "价格": 1.5}) for i in range(5)]


def _verify_command() -> tuple[str, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


def test_every_entry_links_to_the_one_before(chain):
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert all(len(e.hash) == 64 for e in chain)
    assert audit.verify() == []
    out, error = _verify_command()
    assert error == "" and "intact" in out


def test_a_changed_entry_is_named(chain):
    AuditEntry.objects.filter(pk=chain[2].pk).update(object_repr="篡改")
    problems = audit.verify()
    assert [(p.entry_id, p.kind) for p in problems] == [(chain[2].pk, "changed")]
    out, error = _verify_command()
    assert f"#{chain[2].pk} changed" in out and "1 problem" in error


def test_changed_data_or_time_is_found_too(chain):
    AuditEntry.objects.filter(pk=chain[1].pk).update(data={"n": 99, "价格": 1.5})
    AuditEntry.objects.filter(pk=chain[3].pk).update(at=chain[3].at + dt.timedelta(seconds=1))
    assert {(p.entry_id, p.kind) for p in audit.verify()} == {
        (chain[1].pk, "changed"),
        (chain[3].pk, "changed"),
    }


def test_a_deleted_entry_is_found_at_the_entry_after_it(chain):
    AuditEntry.objects.filter(pk=chain[2].pk).delete()
    problems = audit.verify()
    assert [(p.entry_id, p.kind) for p in problems] == [(chain[3].pk, "deleted")]
    assert f"#{chain[1].pk}" in problems[0].message


def test_a_reordered_entry_is_found(chain):
    # Swap the ids of two neighbours: their contents and hashes are intact, their order is not.
    a, b = chain[1].pk, chain[2].pk
    spare = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() + 1000
    AuditEntry.objects.filter(pk=a).update(id=spare)
    AuditEntry.objects.filter(pk=b).update(id=a)
    AuditEntry.objects.filter(pk=spare).update(id=b)
    problems = audit.verify()
    assert problems and {p.kind for p in problems} == {"reordered"}
    assert {p.entry_id for p in problems} == {a, b}
    out, error = _verify_command()
    assert f"#{a} reordered" in out and error


def test_an_inserted_entry_is_found_even_with_a_well_formed_hash(chain):
    # The forger computes a valid hash for the entry, linking it to chain[4]'s predecessor.
    last = AuditEntry.objects.order_by("-id").first()
    forged = AuditEntry(
        id=last.pk + 1,
        at=chain[4].at,
        actor_username="station_lz",
        action="test.chain.forged",
        data={},
    )
    forged.prev_hash = chain[3].hash
    forged.hash = audit.entry_hash(audit.content_of(forged), forged.prev_hash)
    forged.save(force_insert=True)
    # Moved between chain[3] and chain[4] by giving chain[4] the next id.
    AuditEntry.objects.filter(pk=chain[4].pk).update(id=last.pk + 2)
    AuditEntry.objects.filter(pk=last.pk + 1).update(id=chain[4].pk)
    problems = audit.verify()
    assert [(p.entry_id, p.kind) for p in problems] == [(chain[4].pk, "inserted")]


def test_concurrent_appends_wait_for_the_chain_lock(chain):
    """On PostgreSQL the append holds a transaction-scoped advisory lock until commit: a writer in another
    connection cannot take the chain head meanwhile (so two writers never link to the same entry)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its own lock (IMMEDIATE transactions)")
    audit.record(None, "test.chain.locked", None, username="x")
    result = {}

    def other():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [audit.CHAIN_LOCK_KEY])
            result["got"] = cursor.fetchone()[0]
        connections["default"].close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert result["got"] is False


def test_old_entries_are_archived_signed_then_deleted_and_the_chain_continues(chain, tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=201)
    before = AuditEntry.objects.count()
    with time_machine.travel(later, tick=False):
        assert retention_cutoff() > chain[-1].at
        anchor = archive(directory=tmp_path)
        assert anchor is not None and anchor.count == before and anchor.last_hash == chain[-1].hash
        assert archive(directory=tmp_path) is None  # nothing old enough left
        audit.record(None, "test.after.archive", None, username="x")
    # Only the archive's own audit entry and the new one are left, chained from the anchor.
    assert AuditEntry.objects.count() == 2
    first = AuditEntry.objects.order_by("id").first()
    assert first.action == "core.audit.archived" and first.prev_hash == anchor.last_hash
    assert audit.verify() == []
    path = tmp_path / anchor.archive
    assert verify_archive(path) == []
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1 and json.loads(lines[-1])["hash"] == chain[-1].hash
    out = io.StringIO()
    call_command("verify_audit", "--archive", str(path), stdout=out)
    # A changed archive fails its signature and its chain.
    tampered = path.read_text(encoding="utf-8").replace('"test.chain.step"', '"test.chain.stop"', 1)
    path.write_text(tampered, encoding="utf-8")
    problems = verify_archive(path)
    assert any("SM3" in p for p in problems) and any("changed" in p for p in problems)
    # Deleting the first entry kept after the anchor is found as well.
    AuditEntry.objects.filter(pk=first.pk).delete()
    assert [p.kind for p in audit.verify()] == ["deleted"]


def test_retention_is_never_below_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 10
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert retention_cutoff(now) == now - dt.timedelta(days=180)


def test_nothing_recent_is_archived(chain, tmp_path):
    assert archive(directory=tmp_path) is None
    assert not AuditAnchor.objects.exists()
