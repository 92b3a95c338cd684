"""Logins and failed logins go to the audit log (the only signal use: Django's auth events)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .middleware import _client_ip, ip_from_request


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None:
        _client_ip.set(ip_from_request(request))
    audit.record(user, "accounts.login", user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user, "accounts.logout", user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        _client_ip.set(ip_from_request(request))
    username = str((credentials or {}).get("username", ""))[:150]
    audit.record(None, "accounts.login_failed", None, {"username": username}, username=username)
