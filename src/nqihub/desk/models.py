"""The one-stop service desk: service requests (服务需求), their assignments (工单) to experts and
institutions, the timeline, notes, attachments, links, the rectification of a negative rating (整改 and
回访) and the idempotency records of the API.

Scoping (``core.scoping.visible``): the enterprise's own users (``scope_org_field``), regulators of the
request's county subtree (``scope_region_field``), station staff of the routed station and institution
staff with a live assignment (``scope_extra``). Experts are people, not organisations: the selectors add
the requests assigned to the acting user's expert profile (``desk.selectors.request_q``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.codes import code_labels, split_codes
from nqihub.core.crypto import EncryptedCharField, mask_name, mask_phone
from nqihub.core.files import RandomName
from nqihub.core.scoping import Scope

from . import states


class Category(models.TextChoices):
    METROLOGY = "metrology", _("计量")
    STANDARDS = "standards", _("标准")
    CERTIFICATION = "certification", _("认证认可")
    TESTING = "testing", _("检验检测")
    QUALITY_MANAGEMENT = "quality_management", _("质量管理")
    OTHER = "other", _("其他")


#: Request category → the directory's NQI element (``directory.models.NqiElement``).
CATEGORY_ELEMENT = {
    "metrology": "metrology",
    "standards": "standards",
    "certification": "certification",
    "testing": "testing",
    "quality_management": "quality",
}


TRACK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACK_LENGTH = 8


def new_track_code() -> str:
    """A random track code (查询码): 8 symbols of 32, 40 bits — short enough to read out on the phone,
    unguessable together with the throttle of the public look-up (``desk.tracking``)."""
    import secrets

    return "".join(secrets.choice(TRACK_ALPHABET) for _ in range(TRACK_LENGTH))


def normalise_track_code(raw: str) -> str:
    """What a person typed → the stored form: capitals, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def _live_assignment_statuses():
    return [Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.COMPLETED]


class ServiceRequest(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("网上提交")
        API = "api", _("接口提交")
        VISIT = "visit", _("走访代录")
        WALK_IN = "walk_in", _("窗口代录")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")
        CRITICAL = "critical", _("特急")

    class RoutingLevel(models.TextChoices):
        STATION = "station", _("质量服务站")
        CITY = "city", _("市级平台")
        PROVINCE = "province", _("省级平台")

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("已解决")
        PARTLY_SOLVED = "partly_solved", _("部分解决")
        NOT_SOLVED = "not_solved", _("未解决")

    number = models.CharField(_("需求编号"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    region = kit.region_ref(_("企业所在县区"))
    contact_name = EncryptedCharField(_("联系人"), max_length=64, blank=True, default="")
    contact_phone = EncryptedCharField(
        _("联系电话"),
        max_length=32,
        blank=True,
        default="",
        blind_index="contact_phone_index",
        normalise="phone",
    )
    #: HMAC-SM3 of the normalised phone (core.crypto.blind_filter): exact look-up without decrypting.
    contact_phone_index = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    #: Category codes comma-delimited with leading and trailing commas (",testing,standards,"), so that one
    #: category is found with ``categories__contains=",testing,"``. Use ``category_list``.
    categories = models.CharField(_("需求类别"), max_length=120)
    industry = kit.industry_ref()
    product = models.CharField(_("产品"), max_length=200, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    desired_by = models.DateField(_("期望完成日期"), null=True, blank=True)
    channel = models.CharField(_("受理渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_by = kit.user_ref(_("提交人"), blank=False)

    status = models.CharField(
        _("状态"), max_length=12, choices=states.STATUS_CHOICES, default=states.SUBMITTED, db_index=True
    )
    status_reason = models.CharField(_("状态说明"), max_length=500, blank=True)

    station = models.ForeignKey(
        "directory.Station",
        verbose_name=_("受理服务站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    handling_region = kit.region_ref(
        _("受理平台"),
        db_column="handling_region_code",
        null=True,
        blank=True,
        help_text=_("无服务站覆盖时受理的市级或省级平台"),
    )
    routing_level = models.CharField(_("分派层级"), max_length=10, choices=RoutingLevel.choices)
    routing_reason = models.CharField(_("分派理由"), max_length=500)

    accept_by = models.DateField(_("受理时限"))
    respond_by = models.DateField(_("首次响应时限"))
    resolve_by = models.DateField(_("办结时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    is_overdue = models.BooleanField(_("已超期"), default=False, db_index=True)
    #: Which deadlines were missed: comma-delimited ",accept,respond,resolve,".
    overdue_kinds = models.CharField(_("超期环节"), max_length=40, blank=True, default="")
    escalated_to = kit.region_ref(_("已上报至"), db_column="escalated_to_code", null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    warned_on = models.DateField(_("临期提醒日期"), null=True, blank=True)

    outcome = models.CharField(_("办理结果"), max_length=14, choices=Outcome.choices, blank=True)
    technical_problem = models.BooleanField(_("属于技术难题"), null=True, blank=True)
    cost_saved = models.DecimalField(
        _("节约成本（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_avoided = models.DecimalField(
        _("避免损失（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    standards_drafted = models.PositiveIntegerField(_("制修订标准数"), default=0)
    certifications_obtained = models.PositiveIntegerField(_("获得认证数"), default=0)
    summary = models.TextField(_("办理情况"), blank=True)

    rating_score = models.PositiveSmallIntegerField(_("评价等级"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)

    search_text = models.TextField(editable=False, blank=True, default="")
    #: 查询码: with the number, lets anyone holding both follow the request's public progress without an
    #: account (``GET /api/v1/requests/track``, page ``desk:track``).
    track_code = models.CharField(
        _("查询码"), max_length=TRACK_LENGTH, unique=True, default=new_track_code, editable=False
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_org_field = "enterprise__organisation"
    scope_region_field = "region_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        indexes = [
            models.Index(fields=["region", "status"], name="desk_req_region_status"),
            models.Index(fields=["station", "status"], name="desk_req_station_status"),
            models.Index(fields=["status", "resolve_by"], name="desk_req_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_saved__gte=0) | Q(cost_saved__isnull=True), name="desk_cost_saved_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(loss_avoided__gte=0) | Q(loss_avoided__isnull=True), name="desk_loss_avoided_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(rating_score__gte=1, rating_score__lte=5) | Q(rating_score__isnull=True),
                name="desk_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        # An expert is a member of the station too (role "expert"): only station staff see the station's
        # whole desk; an expert sees the requests assigned to them (core.policy).
        q = policy.assigned_q(scope, "pk")
        station_orgs = policy.station_orgs(scope)
        if station_orgs:
            q |= Q(station__organisation_id__in=station_orgs)
        institution_orgs = policy.institution_orgs(scope)
        if institution_orgs:
            q |= Q(
                pk__in=Assignment.objects.filter(
                    institution__organisation_id__in=institution_orgs, status__in=_live_assignment_statuses()
                ).values("request_id")
            )
        return q

    @property
    def category_list(self) -> list[str]:
        return split_codes(self.categories)

    def category_labels(self) -> list[str]:
        return code_labels(self.category_list, Category.choices)

    @property
    def overdue_list(self) -> list[str]:
        return split_codes(self.overdue_kinds)

    @property
    def masked_contact_name(self) -> str:
        return mask_name(self.contact_name)

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


def request_ref(verbose_name, related_name: str) -> models.ForeignKey:
    """The service request a record (a case, a test order, a drafted standard) came from, if any; the record
    stays when the request is deleted."""
    return models.ForeignKey(
        ServiceRequest,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Assignment(kit.CreatedRecord):
    """One piece of work (工单) given to an expert or an institution."""

    class AssigneeType(models.TextChoices):
        EXPERT = "expert", _("专家")
        INSTITUTION = "institution", _("技术机构")

    class Status(models.TextChoices):
        OFFERED = "offered", _("待接单")
        ACCEPTED = "accepted", _("已接单")
        DECLINED = "declined", _("已拒单")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已改派")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="assignments")
    assignee_type = models.CharField(_("承办方类型"), max_length=12, choices=AssigneeType.choices)
    expert = models.ForeignKey(
        "directory.Expert", on_delete=models.PROTECT, null=True, blank=True, related_name="desk_assignments"
    )
    institution = models.ForeignKey(
        "directory.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_assignments",
    )
    note = models.TextField(_("派单说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OFFERED, db_index=True
    )
    reason = models.CharField(_("拒单/改派理由"), max_length=500, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    created_by = kit.user_ref(blank=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    #: The enterprise's rating of this assignee's work (1–5), once, after the request is resolved.
    rating_score = models.PositiveSmallIntegerField(_("评价等级"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_score__gte=1, rating_score__lte=5) | Q(rating_score__isnull=True),
                name="desk_assignment_rating_1_5",
            ),
            models.CheckConstraint(
                condition=(Q(assignee_type="expert", expert__isnull=False, institution__isnull=True))
                | (Q(assignee_type="institution", institution__isnull=False, expert__isnull=True)),
                name="desk_assignment_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} → {self.assignee_name}"

    @property
    def assignee(self):
        return self.expert if self.assignee_type == self.AssigneeType.EXPERT else self.institution

    @property
    def assignee_id(self) -> int:
        return self.expert_id if self.assignee_type == self.AssigneeType.EXPERT else self.institution_id

    @property
    def assignee_name(self) -> str:
        a = self.assignee
        return a.name if a is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OFFERED, self.Status.ACCEPTED)


class Event(models.Model):
    """One line of the request's timeline. ``internal`` events are not shown to the enterprise."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = kit.user_ref()
    kind = models.CharField(_("事件"), max_length=40)
    message = models.CharField(_("说明"), max_length=1000, blank=True)
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(_("仅内部可见"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.message}"


class Note(kit.CreatedRecord):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notes")
    author = kit.user_ref(blank=False)
    text = models.TextField(_("内容"))
    internal = models.BooleanField(_("仅内部可见"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("办理备注")
        verbose_name_plural = _("办理备注")

    def __str__(self) -> str:
        return self.text[:50]


def attachment_path(instance, filename: str) -> str:
    """The public-era location (before private storage); only migration 0001 still names it."""
    return f"desk/{instance.request_id}/{filename}"


class Attachment(kit.UploadedFile):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=RandomName("desk"), max_length=255)
    internal = models.BooleanField(_("仅内部可见"), default=False)

    class Meta(kit.UploadedFile.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class Link(kit.CreatedRecord):
    """A link to another record: a test order, calibration booking, standard, certificate, case …"""

    class Kind(models.TextChoices):
        TEST_ORDER = "test_order", _("检测委托")
        CALIBRATION = "calibration", _("检定/校准预约")
        STANDARD = "standard", _("标准")
        CERTIFICATE = "certificate", _("证书")
        CASE = "case", _("案例")
        REQUEST = "request", _("其他服务需求")
        OTHER = "other", _("其他")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    ref = models.CharField(_("编号/标识"), max_length=100)
    title = models.CharField(_("说明"), max_length=200, blank=True)
    internal = models.BooleanField(_("仅内部可见"), default=False)
    created_by = kit.user_ref(blank=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("关联记录")
        verbose_name_plural = _("关联记录")
        constraints = [models.UniqueConstraint(fields=["request", "kind", "ref"], name="desk_link_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref}"


class Rectification(kit.CreatedRecord):
    """整改 after a rating of 1 or 2 (政务服务“好差评”): answered within 15 working days, closed by a
    recorded callback (回访)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        ANSWERED = "answered", _("已整改待回访")
        CLOSED = "closed", _("已回访办结")

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="rectification")
    score = models.PositiveSmallIntegerField(_("差评等级"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    due_by = models.DateField(_("整改时限"))
    is_overdue = models.BooleanField(_("已超期"), default=False)
    response = models.TextField(_("整改情况"), blank=True)
    responded_by = kit.user_ref(blank=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    callback_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    callback_by = kit.user_ref(blank=False)
    callback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"{self.request.number} 整改"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``: a retry gets it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    route = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "route"], name="desk_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.key}"
