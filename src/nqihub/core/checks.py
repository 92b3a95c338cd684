"""Deployment checks of our own (run by ``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def personal_data_keys(app_configs, **kwargs):
    if settings.FIELD_ENCRYPTION_KEYS:
        from cryptography.fernet import Fernet

        try:
            for key in settings.FIELD_ENCRYPTION_KEYS:
                Fernet(key.encode())
        except ValueError:
            return [
                Warning("FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key.", id="nqihub.W002")
            ]
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Generate one with Fernet.generate_key() and set FIELD_ENCRYPTION_KEYS (see .env.example).",
            id="nqihub.W001",
        )
    ]


@register(Tags.security, deploy=True)
def second_factor_required(app_configs, **kwargs):
    if settings.REQUIRE_SECOND_FACTOR:
        return []
    return [
        Warning(
            "REQUIRE_SECOND_FACTOR is off: regulators and administrators can sign in with a password alone.",
            hint="Set REQUIRE_SECOND_FACTOR=true (等保 level 3 asks a second factor for privileged users).",
            id="nqihub.W003",
        )
    ]
