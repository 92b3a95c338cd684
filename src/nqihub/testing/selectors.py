"""Scoped reads of the testing app: every function takes the acting user (``fetched_by``) first and sees
only what ``core.scoping.visible`` allows; a record outside is ``DoesNotExist`` (the caller answers 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.accounts.models import User
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Membership, Organisation, Region
from nqihub.core.scoping import scope_of, visible
from nqihub.core.selectors import filter_given
from nqihub.directory.matching import capability_match
from nqihub.directory.models import Enterprise, Institution

from . import cooperation, services
from .models import Conclusion, LabRole, OrderStatus, Report, SamplePhoto, TestOrder


def _orders(user) -> QuerySet:
    return TestOrder.objects.filter(visible(user, TestOrder))


def order_list(
    *,
    fetched_by,
    status: str | None = None,
    q: str = "",
    enterprise: int | None = None,
    lab: int | None = None,
    cooperative: int | None = None,
    conclusion: str | None = None,
) -> QuerySet:
    qs = _orders(fetched_by).select_related("enterprise", "lab", "region")
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s])
    qs = filter_given(
        qs, enterprise_id=enterprise, lab_id=lab, cooperative_id=cooperative, conclusion=conclusion
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__iexact=q)
            | Q(product_name__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(reports__number__iexact=q)
        ).distinct()
    return qs.order_by("-created_at", "-id")


def order_get(*, fetched_by, pk) -> TestOrder:
    return (
        _orders(fetched_by)
        .select_related(
            "enterprise",
            "lab",
            "region",
            "cooperative",
            "service_request",
            "product_standard",
            "created_by",
        )
        .get(pk=pk)
    )


def order_by_number(*, fetched_by, number: str) -> TestOrder:
    return _orders(fetched_by).get(number=number)


def orders_of_request(*, fetched_by, request) -> QuerySet:
    return _orders(fetched_by).filter(service_request=request).select_related("lab").order_by("created_at")


def photo_get(*, order: TestOrder, pk) -> SamplePhoto:
    """A photo of a sample of ``order`` (an order already fetched in the user's scope)."""
    return SamplePhoto.objects.select_related("sample").get(pk=pk, sample__order=order)


def report_get(*, fetched_by, pk) -> Report:
    """A report of an order the user may see."""
    return Report.objects.select_related("order", "lab").get(
        pk=pk, order__in=_orders(fetched_by).values("pk")
    )


def current_report(order: TestOrder) -> Report | None:
    return order.reports.filter(status=Report.Status.VALID).order_by("-revision").first()


def reports_of(order: TestOrder) -> list[Report]:
    return list(order.reports.select_related("replaces").defer("pdf").order_by("-revision"))


# --- choosing what to order ---------------------------------------------------------------------------------


def _enterprise_q(user) -> Q:
    scope = scope_of(user)
    q = visible(user, Enterprise)
    coops = scope.org_ids_of_kind(Organisation.Kind.COOPERATIVE)
    if coops:
        members = cooperation.active_member_enterprise_ids(coops)
        if members is not None:
            q |= Q(pk__in=members)
    return q


def enterprises_for(*, fetched_by, limit: int = 500) -> QuerySet:
    """Enterprises the user may place orders for: its own, its stations' service areas, the members of its
    cooperatives, its regulated region."""
    return Enterprise.objects.filter(_enterprise_q(fetched_by)).order_by("name")[:limit]


def enterprise_get(*, fetched_by, pk) -> Enterprise:
    return Enterprise.objects.filter(_enterprise_q(fetched_by)).get(pk=pk)


def cooperatives_of(user) -> QuerySet:
    ids = [org_id for org_id, kind, _code in scope_of(user).orgs if kind == Organisation.Kind.COOPERATIVE]
    roles = Membership.objects.filter(
        user=user, organisation_id__in=ids, role=Membership.Role.COOPERATIVE_ADMIN
    )
    return Organisation.objects.filter(pk__in=roles.values("organisation_id")).order_by("name")


def testing_labs(*, fetched_by) -> QuerySet:
    """Testing labs the user may see (the directory's rule: its province, its subtree, its own)."""
    return Institution.objects.filter(
        visible(fetched_by, Institution), kind=Institution.Kind.TESTING
    ).order_by("name")


@dataclass
class LabSuggestion:
    institution: Institution
    rank: int | None
    covers_all: bool
    missing: list[str]


def suggest_labs(
    *, fetched_by, items: list[dict], product: str = "", region: str = "", limit: int = 10
) -> list[LabSuggestion]:
    """Labs for the items, nearest first (``directory.matching.capability_match`` for the first item),
    each marked with whether its scope covers every item."""
    items = [i for i in items if (i.get("parameter") or "").strip()]
    if not items:
        return []
    first = items[0]
    try:
        matches = capability_match(
            fetched_by=fetched_by,
            parameter=first["parameter"],
            standard=first.get("method_standard", ""),
            region=region,
            limit=max(limit * 3, 20),
        )
    except ValidationFailed:
        return []
    if not matches and first.get("method_standard"):
        matches = capability_match(
            fetched_by=fetched_by, parameter=first["parameter"], region=region, limit=20
        )
    out = []
    for m in matches:
        if m.institution.kind != Institution.Kind.TESTING:
            continue
        missing = services.uncovered(m.institution, items, product)
        out.append(LabSuggestion(m.institution, m.rank, not missing, missing))
    out.sort(key=lambda s: (not s.covers_all, -(s.rank or 0), s.institution.name))
    return out[:limit]


# --- lab roles ----------------------------------------------------------------------------------------------


def managed_labs(user) -> QuerySet:
    """Testing labs whose roles the user may set."""
    if scope_of(user).is_admin:
        return Institution.objects.filter(kind=Institution.Kind.TESTING).order_by("name")
    ids = LabRole.objects.filter(user=user, role=LabRole.Role.MANAGER).values("institution_id")
    return Institution.objects.filter(pk__in=ids, kind=Institution.Kind.TESTING).order_by("name")


def my_labs(user) -> QuerySet:
    """Testing labs the user works in."""
    orgs = scope_of(user).org_ids_of_kind(Organisation.Kind.INSTITUTION)
    return Institution.objects.filter(organisation_id__in=orgs, kind=Institution.Kind.TESTING).order_by(
        "name"
    )


def lab_staff(lab: Institution) -> list:
    users = list(
        User.objects.filter(
            memberships__organisation_id=lab.organisation_id,
            memberships__role=Membership.Role.INSTITUTION_STAFF,
        )
        .distinct()
        .order_by("username")
    )
    roles: dict[int, set[str]] = {}
    for user_id, role in LabRole.objects.filter(institution=lab).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    for user in users:
        user.lab_role_set = roles.get(user.pk, set())
    return users


# --- pass rates -----------------------------------------------------------------------------------------------

GROUPS = ("product", "enterprise", "lab", "cooperative", "region")
REGION_LEVELS = {"province": 2, "city": 4, "county": 6}


@dataclass
class PassRate:
    key: str
    label: str
    total: int
    passed: int
    failed: int
    undetermined: int

    @property
    def judged(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        """合格率 = 合格 / (合格 + 不合格), in percent; None when nothing was judged."""
        return round(100 * self.passed / self.judged, 1) if self.judged else None


def _bounds(date_from: date | None, date_to: date | None) -> Q:
    q = Q(issued_at__isnull=False)
    tz = timezone.get_current_timezone()
    if date_from:
        q &= Q(issued_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        q &= Q(issued_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return q


def pass_rates(
    *,
    fetched_by,
    group_by: str,
    date_from: date | None = None,
    date_to: date | None = None,
    region_level: str = "county",
    region: str = "",
) -> list[PassRate]:
    """Pass rates of the orders with an issued report (issued within [date_from, date_to] when given),
    grouped by ``product`` (product name), ``enterprise``, ``lab``, ``cooperative`` or ``region`` (the
    enterprise's county; ``region_level`` "city" / "province" rolls up by code prefix). ``region`` limits
    to one subtree (a code prefix). Scoped to what the user sees. Each row counts orders by conclusion;
    ``rate`` = passed / (passed + failed) — undetermined orders are counted, but not in the rate. Sorted by
    total, largest first."""
    if group_by not in GROUPS:
        raise ValidationFailed({"group_by": _("分组应为：%(v)s。") % {"v": "、".join(GROUPS)}})
    if region_level not in REGION_LEVELS:
        raise ValidationFailed({"region_level": _("区划层级应为：province、city、county。")})
    qs = _orders(fetched_by).filter(_bounds(date_from, date_to))
    if region:
        from nqihub.core.regions import prefix
        from nqihub.core.scoping import prefix_q

        qs = qs.filter(prefix_q("region_id", prefix(region)))
    if group_by == "product":
        key_field = "product_name"
    elif group_by == "enterprise":
        key_field = "enterprise_id"
    elif group_by == "lab":
        key_field = "lab_id"
    elif group_by == "cooperative":
        key_field = "cooperative_id"
        qs = qs.filter(cooperative__isnull=False)
    else:
        qs = qs.annotate(region_key=Substr("region_id", 1, REGION_LEVELS[region_level]))
        key_field = "region_key"
    rows = (
        qs.order_by()
        .values(key_field)
        .annotate(
            total=Count("pk"),
            passed=Count("pk", filter=Q(conclusion=Conclusion.PASS)),
            failed=Count("pk", filter=Q(conclusion=Conclusion.FAIL)),
        )
    )
    rows = list(rows)
    keys = [r[key_field] for r in rows]
    labels: dict = {}
    if group_by == "enterprise":
        labels = dict(Enterprise.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group_by == "lab":
        labels = dict(Institution.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group_by == "cooperative":
        labels = dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group_by == "region":
        width = REGION_LEVELS[region_level]
        codes = {k: (k + "0" * (6 - width)) for k in keys}
        names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
        labels = {k: names.get(code, code) for k, code in codes.items()}
    out = [
        PassRate(
            key=str(r[key_field]),
            label=str(labels.get(r[key_field], r[key_field])),
            total=r["total"],
            passed=r["passed"],
            failed=r["failed"],
            undetermined=r["total"] - r["passed"] - r["failed"],
        )
        for r in rows
    ]
    out.sort(key=lambda r: (-r.total, r.label))
    return out


def pass_rate_total(rows: list[PassRate]) -> PassRate:
    return PassRate(
        key="",
        label=_("合计"),
        total=sum(r.total for r in rows),
        passed=sum(r.passed for r in rows),
        failed=sum(r.failed for r in rows),
        undetermined=sum(r.undetermined for r in rows),
    )


STATUS_CHOICES = OrderStatus.choices
