"""Lock-outs (django-axes' per-address lock, our account-wide limit) → audit, tokens ended, user told."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from nqihub.core.middleware import ip_from_request

from . import lockout


@receiver(user_locked_out)
def _axes_locked_out(sender, request, username, ip_address, **kwargs):
    if username:
        lockout.on_locked_out(username=str(username)[:150], ip=ip_address, account_wide=False)


@receiver(user_login_failed)
def _count_toward_account_lock(sender, credentials, request=None, **kwargs):
    # Runs after core's receiver has audited this failure (core is installed before accounts).
    username = str((credentials or {}).get("username", ""))[:150]
    if username and lockout.recent_failures(username) == settings.ACCOUNT_LOCK_FAILURES:
        ip = ip_from_request(request) if request is not None else None
        lockout.on_locked_out(username=username, ip=ip, account_wide=True)
