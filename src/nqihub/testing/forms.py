from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, ListFilterMixin, region_input, text_area
from nqihub.core.widgets import DateInput

from .models import Conclusion, OrderStatus, TestKind

ITEM_ROWS = 8


class _Form(BootstrapMixin, forms.Form):
    pass


class OrderFilterForm(ListFilterMixin, _Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("委托单号、报告编号、产品或企业")}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(OrderStatus.choices)
    )
    conclusion = forms.ChoiceField(
        label=_("结论"), required=False, choices=[("", _("全部"))] + list(Conclusion.choices)
    )


class OrderForm(_Form):
    """The order's head; the items come as rows ``item-N-parameter`` … (see ``items_from_post``)."""

    enterprise = forms.TypedChoiceField(label=_("委托企业"), coerce=int)
    cooperative = forms.TypedChoiceField(
        label=_("代为委托的质量合作社"), coerce=int, required=False, empty_value=None
    )
    product_name = forms.CharField(label=_("样品/产品名称"), max_length=200)
    product_standard = forms.CharField(
        label=_("产品标准（判定依据）"),
        max_length=200,
        required=False,
        help_text=_("填写标准号，如标准库中有技术要求表，未填要求的项目将自动带出。"),
    )
    test_kind = forms.ChoiceField(
        label=_("检验类别"), choices=TestKind.choices, initial=TestKind.COMMISSIONED
    )
    sample_name = forms.CharField(
        label=_("样品名称"), max_length=200, required=False, help_text=_("留空则同产品名称。")
    )
    model_spec = forms.CharField(label=_("规格型号"), max_length=200, required=False)
    batch = forms.CharField(label=_("生产日期/批号"), max_length=100, required=False)
    quantity = forms.CharField(label=_("样品数量"), max_length=100, required=False)
    lab = forms.TypedChoiceField(label=_("检测机构"), coerce=int)
    remarks = text_area(label=_("备注"), required=False, max_length=2000, rows=2)
    submit_now = forms.BooleanField(label=_("保存后直接提交给检测机构"), required=False, initial=True)

    def __init__(self, *args, enterprises=(), cooperatives=(), labs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", "—")] + [(e.pk, e.name) for e in enterprises]
        coops = list(cooperatives)
        if coops:
            self.fields["cooperative"].choices = [("", _("（不经合作社）"))] + [(c.pk, c.name) for c in coops]
        else:
            del self.fields["cooperative"]
        self.fields["lab"].choices = [("", "—")] + [(lab.pk, lab.name) for lab in labs]


def items_from_post(data) -> list[dict]:
    """The non-empty item rows of the create form."""
    rows = []
    for n in range(ITEM_ROWS * 4):
        values = {
            key: (data.get(f"item-{n}-{key}") or "").strip()
            for key in ("parameter", "method_standard", "requirement", "unit")
        }
        if any(values.values()):
            rows.append(values)
    return rows


class ReceiveForm(_Form):
    received_on = forms.DateField(label=_("收样日期"), widget=DateInput())
    condition = forms.CharField(label=_("样品状态"), max_length=255)


class ReasonForm(_Form):
    reason = text_area(label=_("原因"), max_length=500, rows=2)


class SampleForm(_Form):
    name = forms.CharField(label=_("样品名称"), max_length=200)
    model_spec = forms.CharField(label=_("规格型号"), max_length=200, required=False)
    batch = forms.CharField(label=_("生产日期/批号"), max_length=100, required=False)
    quantity = forms.CharField(label=_("样品数量"), max_length=100, required=False)


class ItemForm(_Form):
    parameter = forms.CharField(label=_("检测项目"), max_length=100)
    method_standard = forms.CharField(label=_("检测方法标准"), max_length=200, required=False)
    requirement = forms.CharField(label=_("技术要求"), max_length=100, required=False)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)


class ItemEditForm(_Form):
    method_standard = forms.CharField(label=_("检测方法标准"), max_length=200, required=False)
    requirement = forms.CharField(label=_("技术要求"), max_length=100, required=False)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)


class UploadForm(_Form):
    file = forms.FileField(label=_("文件"))


class VerifyForm(_Form):
    number = forms.CharField(label=_("报告编号"), max_length=64)
    code = forms.CharField(label=_("防伪校验码"), max_length=16)


class PassRateForm(_Form):
    group_by = forms.ChoiceField(
        label=_("分组"),
        choices=[
            ("product", _("产品")),
            ("enterprise", _("企业")),
            ("lab", _("检测机构")),
            ("cooperative", _("质量合作社")),
            ("region", _("地区")),
        ],
        initial="product",
        required=False,
    )
    region_level = forms.ChoiceField(
        label=_("地区层级"),
        choices=[("county", _("县区")), ("city", _("地市")), ("province", _("省"))],
        initial="county",
        required=False,
    )
    date_from = forms.DateField(label=_("出具日期从"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("至"), required=False, widget=DateInput())
    region = forms.RegexField(
        max_length=16,
        label=_("地区"),
        regex=r"^\d{6}$",
        required=False,
        widget=region_input(),
        error_messages={"invalid": _("地区应为 6 位行政区划代码；输入名称后请从候选中选择。")},
        help_text=_("只统计该地区（含下级）的委托单；输入名称可选择。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class PrefixForm(_Form):
    report_prefix = forms.CharField(label=_("报告编号前缀"), max_length=16)
