"""The service desk API's request and response schemas (``desk.api`` holds the routes)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from nqihub.core.api import MAX_PAGE_SIZE, PAGE_SIZE
from nqihub.core.bounds import MONEY_MAX, Code, Count, Id, IsoDate, PageNumber
from nqihub.core.choices import choices_text

from . import states
from .models import Category, Link, ServiceRequest

# --- schemas -----------------------------------------------------------------------------------------


class RequestIn(Schema):
    enterprise_id: Id | None = Field(
        None, description="企业 id；企业用户只关联一家企业时可不填，服务站代录时必填"
    )
    categories: list[Code] = Field(
        ..., description=f"需求类别（可多选）：{choices_text(Category.choices)}", max_length=10
    )
    industry: str | None = Field(
        None,
        description="国民经济行业代码（GB/T 4754-2017），如 1431；不填取企业登记的行业",
        examples=["1431"],
        max_length=16,
    )
    product: str = Field("", description="产品", max_length=200)
    title: str = Field(..., description="标题", max_length=200)
    description: str = Field(..., description="问题描述", max_length=20000)
    urgency: str = Field(
        "normal", description=f"紧急程度：{choices_text(ServiceRequest.Urgency.choices)}", max_length=10
    )
    desired_by: IsoDate | None = Field(None, description="期望完成日期")
    contact_name: str = Field("", description="联系人（加密存储，列表中脱敏）", max_length=64)
    contact_phone: str = Field("", description="联系电话（加密存储，列表中脱敏）", max_length=32)
    channel: str | None = Field(
        None,
        description="渠道：企业自行提交为 api（默认）；服务站代录为 visit（走访）或 walk_in（窗口，默认）",
        max_length=10,
    )


class RequestFilter(Schema):
    status: str | None = Field(
        None, description=f"状态（可逗号分隔多个）：{choices_text(states.STATUS_CHOICES)}", max_length=200
    )
    category: str | None = Field(
        None, description=f"需求类别：{choices_text(Category.choices)}", max_length=32
    )
    region: str | None = Field(None, description="行政区划代码：含其下级", max_length=16)
    station: Id | None = Field(None, description="服务站 id")
    enterprise: Id | None = Field(None, description="企业 id")
    overdue: bool | None = Field(None, description="只看超期（true）或未超期（false）")
    q: str = Field("", description="关键词或需求编号", max_length=100)
    page: PageNumber = Field(1, ge=1, description="页码，从 1 开始")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–100）")


class ReasonIn(Schema):
    reason: str = Field(..., description="理由", max_length=500)


class RerouteIn(Schema):
    reason: str = Field(..., description="改派理由", max_length=500)
    station_id: Id | None = Field(None, description="改派至的服务站 id；不填则转市级平台")


class AssigneeIn(Schema):
    assignee_type: str = Field(..., description="expert（专家）或 institution（技术机构）", max_length=12)
    assignee_id: Id
    note: str = Field("", description="派单说明", max_length=2000)


class DispatchIn(Schema):
    assignments: list[AssigneeIn] = Field(..., max_length=20)


class ResolveIn(Schema):
    outcome: str = Field(
        ..., description=f"办理结果：{choices_text(ServiceRequest.Outcome.choices)}", max_length=14
    )
    technical_problem: bool | None = Field(None, description="是否属于技术难题")
    cost_saved: Decimal | None = Field(None, le=MONEY_MAX, description="节约成本（元，≥0，最多两位小数）")
    loss_avoided: Decimal | None = Field(None, le=MONEY_MAX, description="避免损失（元，≥0，最多两位小数）")
    standards_drafted: Count = Field(0, description="制修订标准数")
    certifications_obtained: Count = Field(0, description="获得认证数")
    summary: str = Field(..., description="办理情况", max_length=5000)


class AssigneeScoreIn(Schema):
    score: int = Field(..., ge=1, le=5, description="1–5：5 非常满意 … 1 非常不满意")
    comment: str = Field("", description="评价意见", max_length=2000)


class AssigneeRatingIn(AssigneeScoreIn):
    assignment: Id = Field(..., description="工单 id（已接单或已完成的承办专家或机构）")


class RateIn(Schema):
    score: int = Field(
        ...,
        ge=1,
        le=5,
        description="1–5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意；1–2 启动整改",
    )
    comment: str = Field("", description="评价意见", max_length=2000)
    assignees: list[AssigneeRatingIn] = Field(
        default_factory=list, description="同时分别评价各承办专家和机构（每个一次）", max_length=20
    )


class RequestContactOut(Schema):
    name: str
    phone: str
    position: str = Field(..., description="职务；“需求联系人”为提交需求时填写的联系人")


class NoteIn(Schema):
    text: str = Field(..., max_length=5000)
    internal: bool = Field(False, description="仅内部可见（企业看不到）")


class LinkIn(Schema):
    kind: str = Field(..., description=f"类型：{choices_text(Link.Kind.choices)}", max_length=12)
    ref: str = Field(..., description="关联记录的编号", max_length=100)
    title: str = Field("", max_length=200)
    internal: bool = False


class RectifyIn(Schema):
    response: str = Field(..., description="整改情况", max_length=5000)


class CallbackIn(Schema):
    note: str = Field(..., description="回访记录", max_length=5000)
    satisfied: bool | None = Field(None, description="回访时企业是否满意")


class CompleteIn(Schema):
    result: str = Field("", description="办理结果（必填：做了什么、结论或建议）", max_length=5000)


class ReassignIn(AssigneeIn):
    reason: str = Field(..., description="改派理由", max_length=500)


class Ref(Schema):
    id: int
    name: str


class DueOut(Schema):
    accept_by: date
    respond_by: date
    resolve_by: date


class RequestOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    title: str
    categories: list[str]
    industry: str | None
    product: str
    urgency: str
    enterprise: Ref
    region_code: str
    station: Ref | None
    handling_region: str | None = Field(None, description="无服务站时受理的市级/省级平台区划代码")
    routing_level: str
    routing_reason: str
    due: DueOut
    is_overdue: bool
    overdue: list[str]
    created_at: datetime


class AssignmentOut(Schema):
    id: int
    request_id: int
    request_number: str
    assignee_type: str
    assignee: Ref
    status: str
    status_label: str
    note: str
    reason: str
    result: str
    rating_score: int | None = Field(None, description="企业对该承办方的评价（1–5），未评价为空")
    rating_comment: str = ""
    rated_at: datetime | None = None
    created_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None


class EventOut(Schema):
    at: datetime
    kind: str
    message: str
    actor: str | None
    internal: bool


class NoteOut(Schema):
    id: int
    text: str
    internal: bool
    author: str | None
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    internal: bool
    uploaded_at: datetime


class LinkOut(Schema):
    id: int
    kind: str
    ref: str
    title: str
    internal: bool


class ResolutionOut(Schema):
    outcome: str
    technical_problem: bool | None
    cost_saved: float | None
    loss_avoided: float | None
    standards_drafted: int
    certifications_obtained: int
    summary: str
    resolved_at: datetime | None


class RatingOut(Schema):
    score: int
    comment: str
    rated_at: datetime | None


class RectificationOut(Schema):
    status: str
    score: int
    due_by: date
    is_overdue: bool
    response: str
    callback_note: str
    callback_satisfied: bool | None
    callback_at: datetime | None


class RequestDetailOut(RequestOut):
    description: str
    desired_by: date | None
    channel: str
    contact_name: str = Field(..., description="脱敏")
    contact_phone: str = Field(..., description="脱敏")
    status_reason: str
    resolution: ResolutionOut | None
    rating: RatingOut | None
    rectification: RectificationOut | None
    assignments: list[AssignmentOut]
    timeline: list[EventOut]
    notes: list[NoteOut]
    attachments: list[AttachmentOut]
    links: list[LinkOut]
    actions: list[str] = Field(..., description="当前用户此刻可执行的操作")
    track_code: str | None = Field(
        None, description="查询码：与需求编号一起可在无账号时查询办理进度；仅向企业、提交人和受理服务站显示"
    )


class TrackStepOut(Schema):
    at: datetime
    kind: str
    label: str


class TrackOut(Schema):
    number: str
    status: str
    status_label: str
    categories: list[str] = Field(..., description="需求类别（名称）")
    station: str = Field(..., description="受理服务站；未分派到服务站时为空")
    submitted_at: datetime
    resolve_by: date | None = Field(..., description="办结时限（办理中时）")
    resolved_at: datetime | None
    is_open: bool
    timeline: list[TrackStepOut] = Field(..., description="公开的办理进度（不含内部记录、备注和个人信息）")


class RequestPage(Schema):
    items: list[RequestOut]
    count: int


class SuggestionOut(Schema):
    assignee_type: str
    assignee_id: int
    name: str
    score: float
    reasons: list[str]
    matched_terms: list[str]
    open_workload: int | None
    closeness: str


class SuggestionsOut(Schema):
    experts: list[SuggestionOut]
    institutions: list[SuggestionOut]
    parameters: list[str] = Field(..., description="需求文本中识别出的检测项目")
