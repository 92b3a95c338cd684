"""HTML forms of the service desk. They shape input only; the services validate and decide (their
``ValidationFailed`` errors are put back on these forms field by field)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from nqihub.core.forms import BootstrapMixin, ListFilterMixin, industry_input, text_area
from nqihub.core.widgets import DateInput

from . import states
from .models import Category, Link, ServiceRequest


class _Form(BootstrapMixin, forms.Form):
    # Server-side messages (Chinese, specific) rather than the browser's own.
    use_required_attribute = False


def _required(message):
    return {"required": message}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by ``services.check_upload`` in the view."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


# --- intake --------------------------------------------------------------------------------------------


class RequestForm(_Form):
    enterprise = forms.TypedChoiceField(
        label=_("企业"), coerce=int, choices=(), error_messages=_required(_("请选择企业。"))
    )
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[
            (ServiceRequest.Channel.VISIT, ServiceRequest.Channel.VISIT.label),
            (ServiceRequest.Channel.WALK_IN, ServiceRequest.Channel.WALK_IN.label),
        ],
        initial=ServiceRequest.Channel.VISIT,
        widget=forms.RadioSelect,
    )
    categories = forms.MultipleChoiceField(
        label=_("需求类别"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("可多选：一个问题可能同时需要计量、标准、认证、检测等多方面服务。"),
    )
    industry = forms.CharField(
        label=_("所属行业"),
        required=False,
        max_length=4,
        help_text=_("GB/T 4754-2017 行业代码，如 1431 米、面制品制造；不填则取企业登记的行业。"),
        widget=industry_input(),
    )
    product = forms.CharField(label=_("产品"), max_length=200, required=False)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    description = text_area(
        max_length=20000,
        label=_("问题描述"),
        required=False,
        help_text=_("遇到的质量问题、已做过的尝试、希望得到的帮助。"),
        rows=5,
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=ServiceRequest.Urgency.choices, initial=ServiceRequest.Urgency.NORMAL
    )
    desired_by = forms.DateField(
        label=_("期望完成日期"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请填写有效的日期。")},
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可选多个文件；只接受 PDF、PNG、JPG、XLSX、DOCX，单个文件不超过 %(mb)s MB。"),
    )

    def __init__(self, *args, enterprise_choices=None, on_behalf=False, max_mb=20, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        if enterprise_choices is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].choices = [("", _("请选择企业"))] + list(enterprise_choices)
        if not on_behalf:
            del self.fields["channel"]
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {"mb": max_mb}
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"


# --- request actions -----------------------------------------------------------------------------------


class ReasonForm(_Form):
    reason = text_area(label=_("理由"), max_length=500, required=False, rows=2)


class RerouteForm(ReasonForm):
    station_id = forms.TypedChoiceField(
        label=_("改派至服务站"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        help_text=_("不选服务站则转市级平台受理。"),
    )

    def __init__(self, *args, station_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station_id"].choices = [("", _("（转市级平台）"))] + list(station_choices)


class ReassignForm(ReasonForm):
    """The station gives an assignment to another expert or institution: ``to`` is ``expert:<id>`` or
    ``institution:<id>``, picked from the ranked suggestions (or the other assignees of the province)."""

    to = forms.ChoiceField(label=_("改派给"), choices=(), error_messages=_required(_("请选择新的承办方。")))
    note = forms.CharField(label=_("派单说明"), max_length=2000, required=False)
    field_order = ["to", "note", "reason"]

    def __init__(self, *args, assignee_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", _("请选择承办方"))] + list(assignee_choices)
        self.fields["reason"].label = _("改派理由")
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _("请填写理由。")

    def spec(self) -> tuple[str, int] | None:
        kind, _sep, ident = (self.cleaned_data.get("to") or "").partition(":")
        return (kind, int(ident)) if ident.isdigit() else None


TRI_STATE = [("", _("未填")), ("yes", _("是")), ("no", _("否"))]


def tri_state(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _count_field(label) -> forms.IntegerField:
    """A count of things achieved (standards drafted, certifications obtained): a whole number, 0 or more."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        required=False,
        error_messages={"invalid": _("请填写整数。"), "min_value": _("不能为负数。")},
    )


class ResolveForm(_Form):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("", _("请选择"))] + list(ServiceRequest.Outcome.choices),
        required=False,
    )
    technical_problem = forms.ChoiceField(label=_("属于技术难题"), choices=TRI_STATE, required=False)
    cost_saved = forms.CharField(
        label=_("节约成本（元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    loss_avoided = forms.CharField(
        label=_("避免损失（元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    standards_drafted = _count_field(_("制修订标准数"))
    certifications_obtained = _count_field(_("获得认证数"))
    summary = text_area(label=_("办理情况"), required=False, max_length=5000, rows=3)


RATING_CHOICES = [
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 基本满意")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
]


class RateForm(_Form):
    score = forms.TypedChoiceField(
        label=_("评价等级"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_required(_("请选择评价等级。")),
        help_text=_("评价 1–2 星将启动整改，由服务站整改并回访。"),
    )
    comment = text_area(label=_("评价意见"), required=False, max_length=2000, rows=2)

    def __init__(self, *args, assignments=(), **kwargs):
        """``assignments``: the experts and institutions that worked on the request, one rating row each
        (optional: a row left without a score is not rated)."""
        super().__init__(*args, **kwargs)
        self.assignments = list(assignments)
        for a in self.assignments:
            who = f"{a.assignee_name}（{a.get_assignee_type_display()}）"
            self.fields[f"a{a.pk}_score"] = forms.TypedChoiceField(
                label=_("评价承办方：%(who)s") % {"who": who},
                choices=[("", _("暂不评价"))] + RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"a{a.pk}_comment"] = forms.CharField(
                label=_("对%(who)s的意见") % {"who": a.assignee_name}, required=False, max_length=2000
            )

    def assignee_ratings(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"assignment": a.pk, "score": data[f"a{a.pk}_score"], "comment": data.get(f"a{a.pk}_comment", "")}
            for a in self.assignments
            if data.get(f"a{a.pk}_score") is not None
        ]


# --- work ----------------------------------------------------------------------------------------------


class NoteForm(_Form):
    text = text_area(label=_("内容"), required=False, max_length=5000, rows=2)
    internal = forms.BooleanField(label=_("仅内部可见（企业看不到）"), required=False)


class AttachmentForm(_Form):
    files = MultipleFileField(label=_("文件"), required=False)
    internal = forms.BooleanField(label=_("仅内部可见（企业看不到）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"


class LinkForm(_Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Link.Kind.choices)
    ref = forms.CharField(label=_("编号/标识"), max_length=100, required=False)
    title = forms.CharField(label=_("说明"), max_length=200, required=False)
    internal = forms.BooleanField(label=_("仅内部可见（企业看不到）"), required=False)


class RectifyForm(_Form):
    response = text_area(label=_("整改情况"), required=False, max_length=5000, rows=3)


class CallbackForm(_Form):
    note = text_area(label=_("回访记录"), required=False, max_length=5000, rows=3)
    satisfied = forms.ChoiceField(label=_("回访时企业是否满意"), choices=TRI_STATE, required=False)


class CompleteForm(_Form):
    result = text_area(
        label=_("办理结果"),
        max_length=5000,
        error_messages={"required": _("请填写办理结果：做了什么、结论或建议。")},
        rows=2,
    )


# --- lists ---------------------------------------------------------------------------------------------


class RequestFilterForm(ListFilterMixin, _Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态"))] + list(states.STATUS_CHOICES)
    )
    category = forms.ChoiceField(
        label=_("需求类别"), required=False, choices=[("", _("全部类别"))] + list(Category.choices)
    )
    station = forms.TypedChoiceField(
        label=_("服务站"), required=False, coerce=int, empty_value=None, choices=()
    )
    overdue = forms.ChoiceField(
        label=_("超期"), required=False, choices=[("", _("全部")), ("yes", _("已超期")), ("no", _("未超期"))]
    )

    def __init__(self, *args, station_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if station_choices is None:
            del self.fields["station"]
        else:
            self.fields["station"].choices = [("", _("全部服务站"))] + list(station_choices)

    def filter_value(self, name: str, value):
        return tri_state(value) if name == "overdue" else super().filter_value(name, value)


class TrackForm(_Form):
    """办件进度查询 (public): the request's number and its track code."""

    number = forms.CharField(
        label=_("需求编号"),
        max_length=40,
        error_messages=_required(_("请输入需求编号，例如 FW-2026-000123。")),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "FW-2026-000123"}),
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=16,
        help_text=_("提交需求后获得的 8 位查询码，不区分大小写。"),
        error_messages=_required(_("请输入查询码。")),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
