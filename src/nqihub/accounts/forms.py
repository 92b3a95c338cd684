from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from nqihub.web.forms import BootstrapMixin


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
