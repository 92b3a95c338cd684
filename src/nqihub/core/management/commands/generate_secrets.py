"""``manage.py generate_secrets``: print a ready ``.env`` block of new secrets for a new installation, one
``NAME=value`` a line — the Django secret key and the keys of personal data at rest (and the other keys this
version reads) — to append to ``.env`` (or to a secret store):

    .venv/bin/python manage.py generate_secrets >> .env && chmod 600 .env

Runs without any configuration (no database, no checks). Never run it on a live installation to *replace*
its keys: data encrypted under the old keys would no longer read (rotation: docs/operations.md).
"""

import base64
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone


def secret_key() -> str:
    return secrets.token_urlsafe(64)


def field_key() -> str:
    from nqihub.core import crypto

    generate = getattr(crypto, "generate_key", None)
    if generate is not None:  # key ring with ids: "<id>:<base64 key>"
        return generate(f"k{timezone.now():%Y%m%d}")
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def random_b64(size: int = 32) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode()


class Command(BaseCommand):
    help = "生成新安装所需的密钥（SECRET_KEY、个人信息加密密钥等），以 .env 格式输出。"
    requires_system_checks = []

    def handle(self, *args, **options):
        lines = [
            f"# NQI Hub secrets generated {timezone.now():%Y-%m-%d %H:%M %Z}. Keep this file private (chmod 600)",
            "# and back it up apart from the database: without FIELD_ENCRYPTION_KEYS the personal data cannot",
            "# be read.",
            f"SECRET_KEY={secret_key()}",
            f"FIELD_ENCRYPTION_KEYS={field_key()}",
        ]
        # Further keys that this version reads, when it has them.
        for name in ("FIELD_BLIND_INDEX_KEY", "AUDIT_SIGNING_KEY"):
            if hasattr(settings, name):
                lines.append(f"{name}={random_b64()}")
        self.stdout.write("\n".join(lines))
