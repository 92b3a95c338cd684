from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, ListFilterMixin, industry_input, text_area
from nqihub.core.widgets import DateInput
from nqihub.directory.models import Institution

from . import states
from .models import CertificateStatus, CertificateType, SurveillanceAudit


class _Form(BootstrapMixin, forms.Form):
    pass


class CertificateFilterForm(ListFilterMixin, _Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("认证类型"), required=False, choices=[("", _("全部"))] + list(CertificateType.choices)
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(CertificateStatus.choices)
    )
    expiring_within_days = forms.IntegerField(
        label=_("多少天内到期"),
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "90"}),
    )


class CertificateForm(_Form):
    type = forms.ChoiceField(label=_("认证类型"), choices=CertificateType.choices)
    number = forms.CharField(label=_("证书编号"), max_length=64)
    body = forms.ModelChoiceField(
        label=_("认证机构（平台已登记的）"),
        required=False,
        queryset=Institution.objects.none(),
        help_text=_("平台登记的认证机构可在此选择；否则在下一栏填写名称。"),
    )
    body_name = forms.CharField(label=_("认证机构名称"), max_length=200, required=False)
    product = forms.CharField(label=_("产品名称/型号"), max_length=200, required=False)
    issue_date = forms.DateField(label=_("发证日期"), widget=DateInput())
    expiry_date = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "留空则按通常有效期推算：CCC 5 年，质量/环境/职业健康安全管理体系 3 年（仅为建议，请以证书为准）。"
        ),
    )
    scope = text_area(label=_("认证范围"), required=False, max_length=2000, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Institution.objects.filter(
            kind=Institution.Kind.CERTIFICATION
        ).order_by("name")


class StatusForm(_Form):
    status = forms.ChoiceField(label=_("新状态"))
    reason = text_area(label=_("原因"), max_length=1000, rows=3)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CertificateStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in states.targets(current)]


class SurveillanceForm(_Form):
    due_date = forms.DateField(label=_("计划日期"), widget=DateInput())
    notes = forms.CharField(label=_("备注"), max_length=255, required=False)


class SurveillanceRecordForm(_Form):
    done_date = forms.DateField(label=_("完成日期"), widget=DateInput())
    result = forms.ChoiceField(label=_("结论"), choices=[c for c in SurveillanceAudit.Result.choices if c[0]])
    notes = forms.CharField(label=_("备注"), max_length=255, required=False)


class ImportForm(_Form):
    file = forms.FileField(label=_("证书清单（.xlsx 或 .csv）"))


class GuidanceForm(BootstrapMixin, forms.Form):
    """The search box of the CCC guidance page: a product name and, optionally, its industry (picked by
    name; the GB/T 4754 code is submitted)."""

    product = forms.CharField(
        label=_("产品名称"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：电热水壶、儿童自行车")}),
    )
    industry = forms.CharField(
        label=_("所属行业（可选）"), max_length=4, required=False, widget=industry_input()
    )
