"""HTML forms of the cooperatives app. They only shape the input; the services validate and say why."""

from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, industry_input, text_area
from nqihub.core.widgets import DateInput

from .models import CheckItem, Stage, TestingPlanLine


class CooperativeForm(BootstrapMixin, forms.Form):
    host_organisation = forms.CharField(label=_("主办单位"), max_length=200, required=False)
    industry = forms.CharField(
        label=_("所属行业"),
        max_length=4,
        required=False,
        widget=industry_input(),
        help_text=_("GB/T 4754 国民经济行业分类；输入名称可选择。"),
    )
    target_pass_rate = forms.CharField(label=_("目标合格率（%）"), max_length=10, required=False)
    charter = text_area(max_length=20000, label=_("章程"), required=False, rows=8)
    commitment_text = text_area(
        max_length=20000,
        label=_("入社承诺书（公约）"),
        required=False,
        help_text=_("修改承诺书会生成新版本，在社成员须重新确认。"),
        rows=8,
    )


class OfficerForm(BootstrapMixin, forms.Form):
    officer_name = forms.CharField(label=_("质量专员姓名"), max_length=64, required=False)
    officer_phone = forms.CharField(
        label=_("质量专员电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class ApplyForm(OfficerForm):
    enterprise = forms.TypedChoiceField(label=_("申请企业"), coerce=int, required=False)
    accept_commitment = forms.BooleanField(label=_("本企业已阅读并接受上述入社承诺书"), required=False)
    commitment_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]
        self.field_order = ["enterprise", "officer_name", "officer_phone", "accept_commitment"]
        self.order_fields(self.field_order)


class AcceptForm(OfficerForm):
    accept_commitment = forms.BooleanField(label=_("本企业已阅读并接受上述入社承诺书"), required=False)
    commitment_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class InviteForm(BootstrapMixin, forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    note = forms.CharField(label=_("邀请说明"), max_length=500, required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = text_area(label=_("原因"), max_length=500, required=False, rows=3)


class PlanForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("计划名称"), max_length=200, required=False)
    product = forms.CharField(label=_("适用产品"), max_length=200, required=False)


class CheckpointForm(BootstrapMixin, forms.Form):
    stage = forms.ChoiceField(label=_("环节"), choices=Stage.choices)
    name = forms.CharField(label=_("检查点名称"), max_length=200, required=False)


class ItemForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("检查项目"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("判定方式"), choices=CheckItem.Kind.choices)
    requirement = forms.CharField(label=_("要求"), max_length=200, required=False)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)


class NcPlanForm(BootstrapMixin, forms.Form):
    corrective_action = text_area(label=_("纠正措施"), max_length=2000, required=False, rows=3)
    due_date = forms.DateField(label=_("整改期限"), required=False, widget=DateInput())


class NcCloseForm(BootstrapMixin, forms.Form):
    corrective_action = text_area(label=_("纠正措施"), max_length=2000, required=False, rows=2)
    evidence = text_area(
        label=_("整改证据"),
        max_length=2000,
        required=False,
        help_text=_("如复检结果、更换的供应商、培训记录编号等。"),
        rows=3,
    )


class TestingPlanForm(BootstrapMixin, forms.Form):
    year = forms.CharField(label=_("年度"), max_length=4, required=False)
    name = forms.CharField(label=_("计划名称"), max_length=200, required=False)


ITEM_ROWS = 6


class TestingLineForm(BootstrapMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("成员企业"), coerce=int, required=False)
    sample_kind = forms.ChoiceField(label=_("样品类别"), choices=TestingPlanLine.SampleKind.choices)
    product_name = forms.CharField(label=_("样品名称"), max_length=200, required=False)

    def __init__(self, *args, members=(), parameters=(), own_limits=(), **kwargs):
        """``own_limits``: the cooperative's own limits for the sample kind, prefilled into the item rows
        of a new (unbound) form, their parameters selectable even when no lab in the province lists them."""
        own_limits = list(own_limits)[:ITEM_ROWS]
        initial = dict(kwargs.pop("initial", None) or {})
        for i, limit in enumerate(own_limits):
            initial.update(
                {
                    f"parameter_{i}": limit["parameter"],
                    f"requirement_{i}": limit["requirement"],
                    f"unit_{i}": limit["unit"],
                }
            )
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.enterprise.name) for m in members]
        self.parameters = list(dict.fromkeys([*parameters, *(limit["parameter"] for limit in own_limits)]))
        for i in range(ITEM_ROWS):
            self.fields[f"parameter_{i}"] = forms.ChoiceField(
                label=_("检测项目"), required=False, choices=[("", "—")] + [(p, p) for p in self.parameters]
            )
            self.fields[f"requirement_{i}"] = forms.CharField(label=_("要求"), max_length=200, required=False)
            self.fields[f"unit_{i}"] = forms.CharField(label=_("单位"), max_length=32, required=False)
        for name, field in self.fields.items():
            if name.startswith(("parameter_", "requirement_", "unit_")):
                css = (
                    "form-select form-select-sm"
                    if name.startswith("parameter_")
                    else "form-control form-control-sm"
                )
                field.widget.attrs["class"] = css

    def item_rows(self):
        return [
            (self[f"parameter_{i}"], self[f"requirement_{i}"], self[f"unit_{i}"]) for i in range(ITEM_ROWS)
        ]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "parameter": data.get(f"parameter_{i}") or "",
                "requirement": data.get(f"requirement_{i}") or "",
                "unit": data.get(f"unit_{i}") or "",
            }
            for i in range(ITEM_ROWS)
            if data.get(f"parameter_{i}")
        ]


class SharedStandardForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("标准号"), max_length=100, required=False)
    note = forms.CharField(label=_("用途说明"), max_length=200, required=False)


class LabelTemplateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("标签类别"), choices=())
    fields_text = forms.CharField(
        max_length=20000,
        label=_("标签内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_("每行“字段: 值”，字段名见标识标签检查页，如 product_name: 纯棉床单。"),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
