"""HTML forms of metrology. They shape input only; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, text_area
from nqihub.core.widgets import DateInput

from .models import Purpose, RecordKind, VerificationRecord


class _Form(BootstrapMixin, forms.Form):
    use_required_attribute = False


def _certificate_field():
    return forms.FileField(
        label=_("证书/结果文件"), required=False, help_text=_("PDF、PNG 或 JPG，不超过 20 MB。")
    )


class InstrumentForm(_Form):
    name = forms.CharField(label=_("器具名称"), max_length=100, required=False)
    model_number = forms.CharField(label=_("型号规格"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("出厂编号"), max_length=100, required=False)
    manufacturer = forms.CharField(label=_("制造厂"), max_length=200, required=False)
    measuring_range = forms.CharField(label=_("测量范围"), max_length=100, required=False)
    accuracy_class = forms.CharField(label=_("准确度等级/最大允许误差"), max_length=100, required=False)
    quantity = forms.CharField(
        label=_("被测量"),
        max_length=50,
        required=False,
        help_text=_("如 质量、压力、温度；用于查找能力范围覆盖该器具的计量技术机构。"),
    )
    location = forms.CharField(label=_("使用地点"), max_length=200, required=False)
    purpose = forms.ChoiceField(label=_("使用目的"), choices=Purpose.choices, initial=Purpose.INTERNAL)
    catalogue_entry = forms.TypedChoiceField(
        label=_("强制检定目录"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("在目录中且用于贸易结算、安全防护、医疗卫生、环境监测的，属于强制检定。"),
    )
    internal_interval_days = forms.IntegerField(
        label=_("内部校准周期（天）"),
        required=False,
        help_text=_("仅非强检器具；强检器具的周期由检定机构确定。"),
    )
    next_due = forms.DateField(
        label=_("下次检定/校准日期"),
        required=False,
        widget=DateInput,
        help_text=_("尚无检定/校准记录时，按现有证书填写。"),
    )
    in_use = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, catalogue=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue_entry"].choices = [("", _("不在目录中 / 不确定"))] + [
            (e.pk, f"{e}{' · ' + str(_('待核对')) if e.needs_review else ''}") for e in catalogue
        ]


class RecordForm(_Form):
    kind = forms.ChoiceField(label=_("类型"), choices=RecordKind.choices)
    performed_on = forms.DateField(label=_("检定/校准日期"), required=False, widget=DateInput)
    body_name = forms.CharField(label=_("检定/校准机构"), max_length=200, required=False)
    result = forms.ChoiceField(
        label=_("检定结论"), required=False, choices=[("", "—"), *VerificationRecord.Result.choices]
    )
    certificate_number = forms.CharField(label=_("证书/通知书编号"), max_length=100, required=False)
    valid_until = forms.DateField(label=_("有效期至（检定）"), required=False, widget=DateInput)
    suggested_next = forms.DateField(label=_("建议下次校准日期（校准）"), required=False, widget=DateInput)
    uncertainty = forms.CharField(label=_("测量不确定度（校准）"), max_length=200, required=False)
    data = text_area(max_length=5000, label=_("校准数据/结果说明"), required=False, rows=3)
    file = _certificate_field()


class CertificateFileForm(_Form):
    file = _certificate_field()


class BookingForm(_Form):
    institution = forms.TypedChoiceField(label=_("计量技术机构"), coerce=int)
    proposed_date = forms.DateField(label=_("预约日期"), required=False, widget=DateInput)
    note = text_area(label=_("说明"), max_length=500, required=False, rows=2)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [
            (b.id, f"{b.name}（{b.closeness}）" if b.closeness else b.name) for b in bodies
        ]


class ImportForm(_Form):
    file = forms.FileField(label=_("台账文件（.xlsx 或 .csv）"))
