"""The second factor (TOTP, django-otp) for regulators and platform administrators (SPEC §14).

- Whoever has a confirmed device is asked for its current code after the password, on the web
  (``accounts:otp-verify``) and for an API token (``otp``).
- With ``settings.REQUIRE_SECOND_FACTOR`` those who must have one (``needs_second_factor``) and have
  none are sent to bind one (``accounts:otp-setup``) before they can open anything else, and get no
  API token until they have.
"""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from nqihub.core.models import Membership


def needs_second_factor(user) -> bool:
    """Regulators and platform administrators (and Django superusers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, role__in=(Membership.Role.REGULATOR, Membership.Role.PLATFORM_ADMIN)
    ).exists()


def must_bind(user) -> bool:
    """True when the policy asks this user for a second factor and none is bound yet."""
    return settings.REQUIRE_SECOND_FACTOR and needs_second_factor(user) and not user_has_device(user)


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def verify(user, code: str | None):
    """The confirmed device that accepts ``code`` now, or None. A code is good once (django-otp keeps the
    last time step used) and devices throttle repeated failures."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or not 6 <= len(code) <= 8:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device being set up (made on first call, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device
