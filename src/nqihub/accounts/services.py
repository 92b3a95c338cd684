"""Writes on accounts: ending API tokens (each audited)."""

from django.db import transaction
from django.utils import timezone

from nqihub.core import audit

from . import token_cache
from .models import ApiToken


def token_end(*, token: ApiToken, by, reason: str = ApiToken.Ended.REVOKED) -> bool:
    """Ends one token of ``by`` (its own); False when it had ended already."""
    with transaction.atomic():
        token_cache.forget([token.key_hash])
        ended = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        if ended:
            audit.record(
                by, "accounts.api_token.revoked", token.user, {"token_id": token.pk, "reason": reason}
            )
    return bool(ended)


def tokens_end_all(*, user, by, reason: str) -> int:
    """Ends every live token of ``user``; audited when there was any."""
    with transaction.atomic():
        count = ApiToken.end_all(user, reason)
        if count:
            audit.record(
                by,
                "accounts.api_token.revoked_all",
                user,
                {"count": count, "reason": reason},
                username="" if by else user.get_username(),
            )
    return count
