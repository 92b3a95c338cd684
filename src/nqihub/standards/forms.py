"""Forms of the standards pages. They only shape input; rules live in ``services``."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import CodePickerInput, text_area

from .models import Declaration, Standard
from .selectors import ics_label_for

INDICATOR_ROWS = 8


def _blank(choices):
    return [("", _("全部")), *choices]


class StandardFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词或标准号"), required=False, max_length=200)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=_blank(Standard.Level.choices))
    nature = forms.ChoiceField(label=_("性质"), required=False, choices=_blank(Standard.Nature.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_blank(Standard.Status.choices))
    ics = forms.CharField(
        label=_("ICS 分类"),
        required=False,
        max_length=16,
        widget=CodePickerInput(
            reverse_lazy("web:ics-options"),
            attrs={"placeholder": _("输入分类名称或 ICS 号"), "class": "form-control"},
            label_for=ics_label_for,
        ),
    )


class StandardImportForm(forms.Form):
    file = forms.FileField(
        label=_("标准目录文件"),
        help_text=_(
            "Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK）。第一行为表头：标准号、标准名称、状态 必填。"
        ),
    )


class DeclarationForm(forms.Form):
    product = forms.CharField(label=_("产品名称"), max_length=200)
    product_model = forms.CharField(label=_("型号规格"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("声明类型"), choices=Declaration.Kind.choices, widget=forms.RadioSelect)
    standard = forms.CharField(
        label=_("执行的公开标准号"),
        max_length=120,
        required=False,
        help_text=_("如 GB/T 22796-2021；执行企业标准时不填。"),
    )
    own_code = forms.CharField(
        label=_("企业标准编号"), max_length=120, required=False, help_text=_("如 Q/ABC 0001-2024")
    )
    own_title = forms.CharField(label=_("企业标准名称"), max_length=300, required=False)
    category = forms.CharField(
        label=_("产品类别"),
        max_length=32,
        required=False,
        help_text=_("如 GB 18401 的安全技术类别 A、B 或 C"),
    )
    references = text_area(
        max_length=2000,
        label=_("引用的强制性标准"),
        required=False,
        help_text=_("每行一个标准号，如 GB 18401-2010"),
        rows=2,
    )
    weaker_declared = forms.CharField(
        label=_("明确声明低于推荐性标准的指标"),
        required=False,
        max_length=500,
        help_text=_("项目名称，用逗号分隔"),
    )
    weaker_statement = text_area(max_length=5000, label=_("说明"), required=False, rows=2)

    def indicator_rows(self, data=None) -> list[dict]:
        data = data if data is not None else (self.data or {})
        rows = []
        for i in range(INDICATOR_ROWS):
            row = {
                k: (data.get(f"ind-{i}-{k}") or "").strip() for k in ("item", "requirement", "unit", "method")
            }
            rows.append(row)
        return rows


class ProposalForm(forms.Form):
    """Propose a standard missing from the catalogue (rules in ``services.proposal_create``)."""

    code = forms.CharField(label=_("标准号（含年代号）"), max_length=120)
    title = forms.CharField(label=_("标准名称"), max_length=300)
    source = forms.CharField(
        label=_("依据"), max_length=500, help_text=_("标准文本或发布公告的网址、出处，便于审核人员核实。")
    )
    status = forms.ChoiceField(
        label=_("标准状态"), choices=Standard.Status.choices, initial=Standard.Status.CURRENT
    )
    nature = forms.ChoiceField(
        label=_("性质"), choices=[("", _("不确定"))] + list(Standard.Nature.choices), required=False
    )
    implement_date = forms.DateField(
        label=_("实施日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = text_area(label=_("说明"), max_length=2000, required=False, rows=2)
