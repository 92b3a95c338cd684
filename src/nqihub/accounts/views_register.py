"""Pages of the enterprise self-registration (``registration``): the public form, the applicant's status
page (code entry, then "waiting", confirmed or refused), and the list the station or regulator decides on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import form_data
from nqihub.core.models import Membership
from nqihub.core.scoping import scope_of

from . import password_reset as reset
from . import registration
from .forms import CodeForm, RefuseForm, RegistrationForm, ResetFinishForm, ResetStartForm
from .models import Registration


def _put_errors(form, exc: ValidationFailed) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def register(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = RegistrationForm(form_data(request))
    status = 200
    if request.method == "POST":
        if not registration.allow(request, "register"):
            form.add_error(None, registration.too_many_message())
            return render(request, "accounts/register.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                reg = registration.register(data=registration.RegistrationData(**form.cleaned_data))
            except ValidationFailed as exc:
                _put_errors(form, exc)
            else:
                return redirect("accounts:register-status", token=reg.token)
        status = 400
    return render(request, "accounts/register.html", {"form": form}, status=status)


def _registration(token: str) -> Registration:
    reg = Registration.objects.filter(token=token).select_related("region").first()
    if reg is None:
        raise Http404
    return reg


def register_status(request, token: str):
    """The applicant's page (no sign-in; the address is the secret): enter the code, then wait."""
    reg = _registration(token)
    form = CodeForm(form_data(request))
    status = 200
    if request.method == "POST":
        if not registration.allow(request, "register-code", limit=30):
            form.add_error(None, registration.too_many_message())
            status = 429
        elif request.POST.get("resend"):
            form = CodeForm()
            try:
                registration.resend(registration=reg)
                messages.success(request, _("验证码已重新发送。"))
                return redirect("accounts:register-status", token=reg.token)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
        elif form.is_valid():
            try:
                registration.verify(registration=reg, code=form.cleaned_data["code"])
                return redirect("accounts:register-status", token=reg.token)
            except ValidationFailed as exc:
                _put_errors(form, exc)
                status = 400
        else:
            status = 400
        reg.refresh_from_db()
    return render(request, "accounts/register_status.html", {"reg": reg, "form": form}, status=status)


@login_required
def registration_list(request):
    from django.core.exceptions import PermissionDenied

    scope = scope_of(request.user)
    deciders = {Membership.Role.STATION_STAFF, Membership.Role.REGULATOR}
    if not (scope.is_admin or deciders & set(scope.roles)):
        # Only the station staff and regulators of a region confirm its enterprises' registrations.
        raise PermissionDenied(_("只有服务站工作人员和监管部门可以确认企业注册。"))
    pending = registration.pending_for(request.user)
    return render(
        request, "accounts/registration_list.html", {"pending": pending, "refuse_form": RefuseForm()}
    )


@login_required
@require_POST
def registration_decide(request, pk: int, action: str):
    reg = Registration.objects.filter(pk=pk).first()
    # Outside the decider's region: the same 404 as a missing one (no probing of who registered).
    if reg is None or action not in ("confirm", "refuse") or not registration.can_decide(request.user, reg):
        raise Http404
    try:
        if action == "confirm":
            registration.confirm(registration=reg, by=request.user)
            messages.success(
                request, _("已确认“%(n)s”的注册，申请人现在可以登录。") % {"n": reg.enterprise_name}
            )
        else:
            form = RefuseForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "accounts/registration_list.html",
                    {
                        "pending": registration.pending_for(request.user),
                        "refuse_form": form,
                        "refusing": reg.pk,
                    },
                    status=400,
                )
            registration.refuse(registration=reg, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已退回“%(n)s”的注册。") % {"n": reg.enterprise_name})
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("accounts:registration-list"))


# --- forgotten password ------------------------------------------------------------------------------------

RESET_SESSION_KEY = "_password_reset_ticket"


def password_reset(request):
    """Step 1: who (user name or e-mail) and how (e-mail or SMS). The same answer whether or not the
    account exists; throttled per client address."""
    form = ResetStartForm(form_data(request))
    if request.method == "POST":
        if not registration.allow(request, "password-reset", limit=int(_reset_limit())):
            form.add_error(None, registration.too_many_message())
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        if form.is_valid():
            request.session[RESET_SESSION_KEY] = reset.start(
                identifier=form.cleaned_data["identifier"], channel=form.cleaned_data["channel"]
            )
            return redirect("accounts:password-reset-confirm")
        return render(request, "accounts/password_reset.html", {"form": form}, status=400)
    return render(request, "accounts/password_reset.html", {"form": form})


def _reset_limit() -> int:
    from django.conf import settings

    return getattr(settings, "ACCOUNTS_RESET_LIMIT", 10)


def password_reset_confirm(request):
    """Step 2: the code and the new password."""
    ticket = request.session.get(RESET_SESSION_KEY)
    if not ticket:
        return redirect("accounts:password-reset")
    form = ResetFinishForm(form_data(request))
    if request.method == "POST":
        if not registration.allow(request, "password-reset-code", limit=30):
            form.add_error(None, registration.too_many_message())
            return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                reset.finish(ticket=ticket, **form.cleaned_data)
            except ValidationFailed as exc:
                _put_errors(form, exc)
            else:
                request.session.pop(RESET_SESSION_KEY, None)
                messages.success(request, _("密码已重设，请用新密码登录。"))
                return redirect("accounts:login")
        return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400)
    return render(request, "accounts/password_reset_confirm.html", {"form": form})
