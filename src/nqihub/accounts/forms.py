from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, region_input

from .models import Registration, User


class LoginForm(BootstrapMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误（密码区分大小写）。连续失败 5 次，账户将被锁定 15 分钟。"),
        "inactive": _("该账户已停用，请联系平台管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].error_messages["required"] = _("请输入用户名。")
        self.fields["password"].label = _("密码")
        self.fields["password"].error_messages["required"] = _("请输入密码。")
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control", "maxlength": 128}
        )
        self.fields["password"].max_length = 128
        self.fields["password"].validators.append(MaxLengthValidator(128))

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            waiting = self._waiting_registration()
            if waiting is not None:
                raise forms.ValidationError(waiting, code="registration_waiting") from None
            raise

    def _waiting_registration(self) -> str | None:
        """A self-registered account not yet confirmed: told so, only to whoever typed its password."""
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        user = User.objects.filter(username=username, is_active=False).first()
        if user is None or not user.check_password(password):
            return None
        reg = Registration.objects.filter(user=user).first()
        if reg is None or reg.status == Registration.Status.CONFIRMED:
            return None
        if reg.status == Registration.Status.REFUSED:
            return str(_("您的注册未通过确认：%(r)s") % {"r": reg.reason})
        return str(_("您的注册尚待企业所在地的服务站或监管部门确认，确认后即可登录。"))


class OtpForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("动态口令"),
        max_length=8,
        error_messages={"required": _("请输入验证器中显示的 6 位数字。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "form-control",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("动态口令为 6 位数字。"))
        return code


class PasswordForm(BootstrapMixin, PasswordChangeForm):
    """Django's password change (old password, new password twice, the validators of settings)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = 128
            field.validators.append(MaxLengthValidator(128))
            field.widget.attrs["maxlength"] = 128


class _Form(BootstrapMixin, forms.Form):
    # Server-side messages (Chinese, specific) rather than the browser's own.
    use_required_attribute = False


def _text(
    label, max_length: int, required: str | None = None, *, autocomplete: str = "", widget=None, **kwargs
):
    """A text field: ``required`` is the message when it is left empty (None: optional); ``autocomplete``
    the browser's hint on the widget (a TextInput unless ``widget`` says otherwise)."""
    if required is None:
        kwargs["required"] = False
    else:
        kwargs["error_messages"] = {"required": required}
    if autocomplete:
        widget = (widget or forms.TextInput)(attrs={"autocomplete": autocomplete})
    if widget is not None:
        kwargs["widget"] = widget
    return forms.CharField(label=label, max_length=max_length, **kwargs)


def _new_password(label, required: str):
    return _text(label, 128, required, autocomplete="new-password", widget=forms.PasswordInput)


def _code():
    """The 6-digit code sent by SMS or e-mail."""
    return forms.CharField(
        label=_("验证码"),
        max_length=12,
        error_messages={"required": _("请输入收到的 6 位验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _channel(label, choices, initial: str, required: str):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        initial=initial,
        widget=forms.RadioSelect,
        error_messages={"required": required},
    )


class RegistrationForm(_Form):
    """企业用户自助注册: shapes the input; ``registration.register`` checks it (USCC, county, password …)."""

    uscc = _text(_("统一社会信用代码"), 40, _("请填写统一社会信用代码。"), help_text=_("18 位，见营业执照。"))
    enterprise_name = _text(_("企业名称"), 200, _("请填写企业名称（与营业执照一致）。"))
    region = _text(
        _("所在县（市、区）"),
        6,
        help_text=_("输入县区名称并从提示中选择。已在平台登记的企业以登记地为准。"),
        widget=region_input(level="county"),
    )
    display_name = _text(_("您的姓名"), 64, _("请填写您的姓名（64个字符以内）。"))
    username = _text(_("用户名"), 150, _("请填写用户名（150个字符以内）。"), autocomplete="username")
    password = _new_password(_("密码"), _("请设置密码。"))
    channel = _channel(
        _("验证方式"),
        [("mobile", _("手机短信")), ("email", _("电子邮箱"))],
        "mobile",
        _("请选择验证方式：手机短信或电子邮箱。"),
    )
    mobile = _text(_("手机号"), 20, autocomplete="tel")
    email = _text(_("电子邮箱"), 254, autocomplete="email", widget=forms.EmailInput)


class CodeForm(_Form):
    code = _code()


class RefuseForm(_Form):
    reason = _text(_("退回原因"), 500, _("请填写退回原因，申请人会看到。"))


class ResetStartForm(_Form):
    identifier = _text(_("用户名或电子邮箱"), 254, _("请输入用户名或电子邮箱。"), autocomplete="username")
    channel = _channel(
        _("验证码发送方式"),
        [("email", _("发送到账号绑定的电子邮箱")), ("sms", _("发送到账号已验证的手机号"))],
        "email",
        _("请选择验证码发送方式。"),
    )


class ResetFinishForm(_Form):
    code = _code()
    password = _new_password(_("新密码"), _("请输入新密码。"))
    password2 = _new_password(_("再次输入新密码"), _("请再次输入新密码。"))
