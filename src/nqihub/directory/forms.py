"""HTML forms of the directory. They shape input only; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, industry_input, region_input, split_codes, text_area
from nqihub.core.regions import is_code
from nqihub.core.widgets import DateInput

from .models import Enterprise, Expert, Institution, NqiElement, Qualification


class _Form(BootstrapMixin, forms.Form):
    # Server-side messages (Chinese, specific) rather than the browser's own.
    use_required_attribute = False


def _required(message):
    return {"required": message}


def _region_field(**kwargs):
    """Where a directory record is: a 6-digit region code (province, city or county), picked by name."""
    return forms.CharField(
        label=_("所在地区"),
        max_length=6,
        error_messages=_required(_("请填写所在地区的行政区划代码。")),
        widget=region_input(),
        **kwargs,
    )


# --- edit forms -----------------------------------------------------------------------------------------
class EnterpriseForm(_Form):
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        error_messages=_required(_("请填写统一社会信用代码。")),
        help_text=_("18位，由登记管理部门代码、机构类别、登记机关行政区划码、主体标识码和校验码组成。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("企业名称"), max_length=200, error_messages=_required(_("请填写企业名称。"))
    )
    kind = forms.ChoiceField(
        label=_("主体类型"), choices=Enterprise.Kind.choices, initial=Enterprise.Kind.COMPANY
    )
    region = forms.CharField(
        label=_("所在地区（县级）"),
        max_length=6,
        error_messages=_required(_("请填写所在地区的县级行政区划代码。")),
        help_text=_("县级行政区划（区、县、县级市）的6位代码；输入名称可选择。"),
        widget=region_input(level="county"),
    )
    industry = forms.CharField(
        label=_("所属行业"),
        required=False,
        max_length=4,
        help_text=_("GB/T 4754-2017 行业代码，如 1431 米、面制品制造。"),
        widget=industry_input(),
    )
    scale = forms.ChoiceField(
        label=_("企业规模"), choices=Enterprise.Scale.choices, initial=Enterprise.Scale.SMALL
    )
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    products = forms.CharField(label=_("主要产品"), max_length=255, required=False)


class ContactForm(_Form):
    name = forms.CharField(
        label=_("联系人"), max_length=64, error_messages=_required(_("请填写联系人姓名。"))
    )
    phone = forms.CharField(label=_("电话"), max_length=32, error_messages=_required(_("请填写联系电话。")))
    position = forms.CharField(label=_("职务"), max_length=64, required=False)


class InstitutionForm(_Form):
    name = forms.CharField(
        label=_("机构名称"), max_length=200, error_messages=_required(_("请填写机构名称。"))
    )
    kind = forms.ChoiceField(label=_("机构类型"), choices=Institution.Kind.choices)
    region = _region_field(help_text=_("省、市或县级行政区划的6位代码；输入名称可选择。"))
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    description = text_area(label=_("简介"), max_length=2000, required=False, rows=4)


class QualificationForm(_Form):
    kind = forms.ChoiceField(label=_("资质类型"), choices=Qualification.Kind.choices)
    number = forms.CharField(
        label=_("证书编号"),
        max_length=64,
        error_messages=_required(_("请填写证书编号。")),
        help_text=_("CNAS 认可证书编号形如 CNAS L1234。"),
    )
    valid_from = forms.DateField(
        label=_("发证日期"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请输入有效的日期，如 2026-01-31。")},
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请输入有效的日期，如 2026-01-31。")},
    )


class StationForm(_Form):
    name = forms.CharField(
        label=_("服务站名称"), max_length=200, error_messages=_required(_("请填写服务站名称。"))
    )
    host_organisation = forms.CharField(label=_("依托单位"), max_length=200, required=False)
    region = _region_field()
    service_area = forms.CharField(
        max_length=5000,
        label=_("服务区域"),
        error_messages=_required(_("请至少选择一个服务区域（县区）。")),
        help_text=_("输入县区名称，从候选中选择；可选多个。"),
        widget=region_input(level="county", many=True),
    )
    industries = forms.CharField(
        max_length=500,
        label=_("服务行业"),
        required=False,
        help_text=_("输入行业名称（GB/T 4754-2017），从候选中选择；可选多个。"),
        widget=industry_input(many=True),
    )
    specialty = forms.CharField(label=_("特色产业"), max_length=200, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    latitude = forms.CharField(label=_("纬度"), max_length=20, required=False)
    longitude = forms.CharField(label=_("经度"), max_length=20, required=False)
    opening_hours = forms.CharField(label=_("服务时间"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)

    def codes(self, name: str) -> list[str]:
        return split_codes(self.cleaned_data.get(name, ""))


class ExpertForm(_Form):
    name = forms.CharField(label=_("姓名"), max_length=64, error_messages=_required(_("请填写专家姓名。")))
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    organisation = forms.TypedChoiceField(
        label=_("所属服务站/机构"),
        coerce=int,
        error_messages={
            "required": _("请选择专家所属的质量服务站或技术机构。"),
            "invalid_choice": _("请选择专家所属的质量服务站或技术机构。"),
        },
    )
    region = _region_field()
    elements = forms.MultipleChoiceField(
        label=_("服务领域（NQI 要素）"),
        choices=NqiElement.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required(_("请至少选择一个服务领域（NQI 要素）。")),
    )
    industries = forms.CharField(
        max_length=500,
        label=_("擅长行业"),
        required=False,
        help_text=_("输入行业名称（GB/T 4754-2017），从候选中选择；可选多个。"),
        widget=industry_input(many=True),
    )
    keywords = forms.CharField(label=_("专长关键词"), max_length=255, required=False)
    bio = text_area(label=_("简介"), max_length=2000, required=False, rows=4)
    availability = forms.ChoiceField(label=_("状态"), choices=Expert.Availability.choices)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("请选择")), *organisations]


# --- list filters ---------------------------------------------------------------------------------------
class _FilterForm(_Form):
    """Filters of a list page. Invalid values are shown as errors and ignored; never an error page."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    region = forms.CharField(label=_("地区"), required=False, max_length=6, widget=forms.Select())

    def __init__(self, data, *, region_choices=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].widget.choices = [("", _("全部地区")), *region_choices]

    def clean_region(self):
        value = (self.cleaned_data.get("region") or "").strip()
        if value and not is_code(value):
            raise forms.ValidationError(_("地区应为6位行政区划代码。"))
        return value

    def filters(self) -> dict:
        """The valid filters as keyword arguments for the selector."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class IndustryFilterMixin(forms.Form):
    industry = forms.CharField(label=_("行业"), required=False, max_length=4, widget=forms.Select())

    def set_industry_choices(self, grouped, current: str | None) -> None:
        choices = [("", _("全部行业")), *grouped]
        known = {code for _group, options in grouped for code, _label in options}
        if current and current not in known:
            choices.append((current, current))
        self.fields["industry"].widget.choices = choices

    def clean_industry(self):
        value = (self.cleaned_data.get("industry") or "").strip().upper()
        if value and not value.isalnum():
            raise forms.ValidationError(_("行业代码格式不正确。"))
        return value


class EnterpriseFilterForm(IndustryFilterMixin, _FilterForm):
    scale = forms.ChoiceField(
        label=_("规模"),
        required=False,
        choices=[("", _("全部规模")), *Enterprise.Scale.choices],
        error_messages={"invalid_choice": _("规模应为微型、小型、中型或大型。")},
    )


class InstitutionFilterForm(_FilterForm):
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *Institution.Kind.choices],
        error_messages={"invalid_choice": _("请选择有效的机构类型。")},
    )


class StationFilterForm(IndustryFilterMixin, _FilterForm):
    pass


class ExpertFilterForm(_FilterForm):
    element = forms.ChoiceField(
        label=_("服务领域"),
        required=False,
        choices=[("", _("全部领域")), *NqiElement.choices],
        error_messages={"invalid_choice": _("请选择有效的服务领域。")},
    )


# --- capability search --------------------------------------------------------------------------------
class CapabilitySearchForm(_Form):
    parameter = forms.CharField(
        label=_("检测项目"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：甲醛含量、菌落总数（可只填产品）")}),
    )
    product = forms.CharField(
        label=_("产品"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：床上用品、螺蛳粉")}),
    )
    standard = forms.CharField(
        label=_("方法标准"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("如：GB/T 2912.1")}),
    )
    region = forms.CharField(label=_("地区"), required=False, max_length=6, widget=region_input())

    def clean_region(self):
        value = (self.cleaned_data.get("region") or "").strip()
        if value and not is_code(value):
            raise forms.ValidationError(_("地区应为6位行政区划代码；输入名称后请从候选中选择。"))
        return value

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("parameter") or "").strip() and not (cleaned.get("product") or "").strip():
            self.add_error("parameter", _("请填写检测项目或产品。"))
        return cleaned
