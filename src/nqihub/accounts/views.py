"""Sign-in in one or two steps: password, then (for whoever has bound a device) the authenticator's code.

Between the steps the session holds only the pending user's id and when the password was accepted; the
user is logged in (``login``) only after the code. A wrong code counts as a failed login (django-axes),
so five wrong codes lock the account like five wrong passwords.
"""

import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from nqihub.core import audit
from nqihub.core.http import form_data

from . import lockout, otp, services
from .forms import LoginForm, OtpForm, PasswordForm
from .models import ApiToken, User

#: Session key of the half-done sign-in: {"user": pk, "backend": path, "at": epoch seconds}.
PENDING_KEY = "_otp_pending"
#: Minutes the code may follow the password.
PENDING_MINUTES = 5


def _next_url(request, default: str = "") -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default or settings.LOGIN_REDIRECT_URL


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if otp.has_device(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
            }
            return _to("accounts:otp-verify", self.get_redirect_url())
        response = super().form_valid(form)
        if otp.must_bind(user):
            return _to("accounts:otp-setup", self.get_redirect_url())
        return response


def _to(name: str, next_url: str):
    url = reverse(name)
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


login_view = LoginView.as_view()
logout_view = require_POST(auth_views.LogoutView.as_view())


def _pending_user(request) -> tuple[User | None, str]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, ""
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_MINUTES * 60:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending.get("backend", "")


def otp_verify(request):
    """Step two: the current code of the user's authenticator (or, already signed in, to verify this
    session)."""
    signed_in = request.user.is_authenticated
    user, backend = (
        (request.user, request.session.get(BACKEND_SESSION_KEY, "")) if signed_in else _pending_user(request)
    )
    if user is None:
        messages.warning(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("accounts:login")
    if signed_in and user.is_verified():
        return redirect(_next_url(request))
    form = OtpForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        device = otp.verify(user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            if not signed_in:
                login(request, user, backend=backend or None)
            otp_login(request, device)
            return redirect(_next_url(request))
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            return lockout.lockout_response(request)
        form.add_error(
            "code", _("动态口令不正确或已使用，请输入验证器中当前显示的 6 位数字（输错后须稍候几秒再试）。")
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request, "")})


@login_required
def otp_setup(request):
    """Bind an authenticator app: scan the QR code (or type the key), then confirm with a code."""
    if otp.has_device(request.user):
        messages.info(request, _("您已绑定动态口令验证器。"))
        return redirect(_next_url(request))
    device = otp.pending_device(request.user)
    form = OtpForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("尝试过于频繁，请稍候几秒再输入验证器中新的口令。"))
        elif device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(request.user, "accounts.second_factor.bound", request.user, {"device": device.pk})
            messages.success(request, _("动态口令验证器已绑定，今后登录时请输入验证器显示的口令。"))
            return redirect(_next_url(request))
        else:
            form.add_error("code", _("动态口令不正确，请核对手机时间后输入验证器中当前显示的 6 位数字。"))
    uri = device.config_url
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4)
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": otp.must_bind(request.user),
            "next": _next_url(request, ""),
        },
    )


def _base32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: this session stays signed in (Django updates its hash), every other
    session and every API token of the user ends. Audited."""

    template_name = "accounts/password_change.html"
    form_class = PasswordForm

    def get_success_url(self):
        return reverse("web:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        audit.record(user, "accounts.password.changed", user)
        services.tokens_end_all(user=user, by=user, reason=ApiToken.Ended.PASSWORD)
        messages.success(self.request, _("密码已修改。其他设备上的登录和全部 API 令牌已失效。"))
        return response


password_change = PasswordChangeView.as_view()
