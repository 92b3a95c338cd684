"""Deployment checks of our own (run by ``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from .crypto import parse_keys


@register(Tags.security, deploy=True)
def personal_data_keys(app_configs, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    if settings.FIELD_ENCRYPTION_KEYS:
        try:
            parse_keys(settings.FIELD_ENCRYPTION_KEYS)
        except ImproperlyConfigured as exc:
            return [Warning(str(exc), id="nqihub.W002")]
        if not settings.FIELD_BLIND_INDEX_KEY:
            return [
                Warning(
                    "FIELD_BLIND_INDEX_KEY is not set: the blind index of phone numbers uses a key derived "
                    "from SECRET_KEY.",
                    hint="Set FIELD_BLIND_INDEX_KEY to 32 random bytes in base64 (see .env.example).",
                    id="nqihub.W004",
                )
            ]
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEYS to <id>:<base64 of 16 random bytes> (see .env.example).",
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
