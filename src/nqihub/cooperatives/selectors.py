"""Scoped reads of the cooperatives app; every function takes the acting user (``fetched_by``) first.
``*_get`` raises ``DoesNotExist`` outside the user's scope (views and the API answer 404).

Pass rates (``pass_rates``), the formula shown on the page:

* inspection pass rate = inspections judged 合格 / inspections recorded, by inspection date in the period;
* test pass rate = test orders of the cooperative (``TestOrder.cooperative`` = the cooperative) concluded
  合格 / those concluded 合格 or 不合格, by issue date in the period (不判定 is left out);
* combined pass rate = (inspections passed + tests passed) / (inspections recorded + tests judged).

A member is below target when its combined rate is below the cooperative's target (default 95%); a member
with nothing recorded in the period has no rate and is not flagged.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, Q, QuerySet

from nqihub.core import policy
from nqihub.core.models import Organisation
from nqihub.core.scoping import prefix_q, scope_of, visible
from nqihub.core.selectors import filter_given
from nqihub.directory.models import Enterprise, Institution

from .models import (
    CheckItem,
    Checkpoint,
    Cooperative,
    Inspection,
    LabelTemplate,
    Member,
    MemberStatus,
    NonConformity,
    QcPlan,
    SharedStandard,
    TestingPlan,
)

# --- cooperatives and members ----------------------------------------------------------------------------


def cooperative_list(*, fetched_by) -> QuerySet:
    return (
        Cooperative.objects.filter(visible(fetched_by, Cooperative))
        # region__parent__parent: the full region name of every listed cooperative (county, city, province).
        .select_related("organisation", "region__parent__parent", "industry")
        .annotate(active_members=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
    )


def cooperative_get(*, fetched_by, pk) -> Cooperative:
    return (
        Cooperative.objects.filter(visible(fetched_by, Cooperative))
        .select_related("organisation", "region__parent", "industry")
        .get(pk=pk)
    )


def sees_members(user, cooperative: Cooperative) -> bool:
    """The cooperative's staff and its regulators see the whole member list and every member's data."""
    from .services import is_staff_of, regulates

    return is_staff_of(user, cooperative) or regulates(user, cooperative)


def member_list(*, fetched_by, cooperative: Cooperative, status: str | None = None) -> QuerySet:
    """Every member for staff and regulators; the user's own enterprises' rows for anybody else."""
    qs = Member.objects.filter(visible(fetched_by, Member), cooperative=cooperative).select_related(
        "enterprise__region", "cooperative__organisation"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("enterprise__name", "pk")


def member_names(*, fetched_by, cooperative: Cooperative) -> list[str]:
    """The names of the active members, for a member of the cooperative (no personal data)."""
    if not own_members(fetched_by, cooperative).filter(
        status=MemberStatus.ACTIVE
    ).exists() and not sees_members(fetched_by, cooperative):
        return []
    return list(
        Member.objects.filter(cooperative=cooperative, status=MemberStatus.ACTIVE)
        .order_by("enterprise__name")
        .values_list("enterprise__name", flat=True)
    )


def member_get(*, fetched_by, pk) -> Member:
    return (
        Member.objects.filter(visible(fetched_by, Member))
        .select_related("enterprise__region", "cooperative__organisation", "commitment_accepted_by")
        .get(pk=pk)
    )


def own_members(user, cooperative: Cooperative) -> QuerySet:
    """The memberships of the user's own enterprises in ``cooperative``."""
    ent_orgs = scope_of(user).org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    return Member.objects.filter(
        cooperative=cooperative, enterprise__organisation_id__in=ent_orgs
    ).select_related("enterprise", "cooperative__organisation")


def enterprises_to_apply(user, cooperative: Cooperative) -> list[Enterprise]:
    """The user's enterprises that may apply now (not a member, not pending)."""
    ent_orgs = scope_of(user).org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    busy = Member.objects.filter(
        cooperative=cooperative, status__in=[MemberStatus.ACTIVE, MemberStatus.APPLIED, MemberStatus.INVITED]
    ).values("enterprise_id")
    return list(Enterprise.objects.filter(organisation_id__in=ent_orgs).exclude(pk__in=busy).order_by("name"))


def my_cooperative_ids(user) -> list[int]:
    """Cooperatives the user works in: its own (staff) or those its enterprises are active members of."""
    scope = scope_of(user)
    ids = set(
        Cooperative.objects.filter(organisation_id__in=policy.cooperative_orgs(scope)).values_list(
            "pk", flat=True
        )
    )
    ids |= set(
        Member.objects.filter(
            enterprise__organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE),
            status__in=[MemberStatus.ACTIVE, MemberStatus.APPLIED, MemberStatus.INVITED],
        ).values_list("cooperative_id", flat=True)
    )
    return sorted(ids)


# --- plans, inspections, non-conformities ----------------------------------------------------------------


def plan_list(*, fetched_by, cooperative: Cooperative, active_only: bool = False) -> QuerySet:
    qs = QcPlan.objects.filter(visible(fetched_by, QcPlan), cooperative=cooperative)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def plan_get(*, fetched_by, pk) -> QcPlan:
    return (
        QcPlan.objects.filter(visible(fetched_by, QcPlan))
        .select_related("cooperative__organisation")
        .get(pk=pk)
    )


def checkpoint_get(*, fetched_by, pk) -> Checkpoint:
    plans = QcPlan.objects.filter(visible(fetched_by, QcPlan)).values("pk")
    return Checkpoint.objects.select_related("plan__cooperative__organisation").get(pk=pk, plan_id__in=plans)


def check_item_get(*, fetched_by, pk) -> CheckItem:
    plans = QcPlan.objects.filter(visible(fetched_by, QcPlan)).values("pk")
    return CheckItem.objects.select_related("checkpoint__plan__cooperative__organisation").get(
        pk=pk, checkpoint__plan_id__in=plans
    )


def checkpoints_for(*, fetched_by, cooperative: Cooperative) -> QuerySet:
    plans = plan_list(fetched_by=fetched_by, cooperative=cooperative, active_only=True).values("pk")
    return (
        Checkpoint.objects.filter(plan_id__in=plans)
        .select_related("plan")
        .prefetch_related("items")
        .order_by("plan__name", "position", "pk")
    )


def inspection_list(
    *,
    fetched_by,
    cooperative: Cooperative | None = None,
    member: Member | None = None,
    result: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    qs = Inspection.objects.filter(visible(fetched_by, Inspection)).select_related(
        "member__enterprise", "checkpoint__plan", "member__cooperative__organisation"
    )
    return filter_given(
        qs,
        member__cooperative=cooperative,
        member=member,
        result=result,
        inspected_on__gte=date_from,
        inspected_on__lte=date_to,
    )


def inspection_get(*, fetched_by, pk) -> Inspection:
    return (
        Inspection.objects.filter(visible(fetched_by, Inspection))
        .select_related(
            "member__enterprise", "member__cooperative__organisation", "checkpoint__plan", "recorded_by"
        )
        .get(pk=pk)
    )


def nonconformity_list(
    *,
    fetched_by,
    cooperative: Cooperative | None = None,
    member: Member | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
) -> QuerySet:
    """``overdue_on=today``: open ones due before today."""
    qs = NonConformity.objects.filter(visible(fetched_by, NonConformity)).select_related(
        "member__enterprise", "member__cooperative__organisation", "inspection__checkpoint"
    )
    qs = filter_given(qs, member__cooperative=cooperative, member=member, status=status)
    if overdue_on is not None:
        qs = qs.filter(status=NonConformity.Status.OPEN, due_date__lt=overdue_on)
    return qs


def nonconformity_get(*, fetched_by, pk) -> NonConformity:
    return (
        NonConformity.objects.filter(visible(fetched_by, NonConformity))
        .select_related(
            "member__enterprise",
            "member__cooperative__organisation",
            "inspection__checkpoint",
            "item",
            "closed_by",
        )
        .get(pk=pk)
    )


# --- the free testing plan -------------------------------------------------------------------------------


def testing_plan_list(*, fetched_by, cooperative: Cooperative) -> QuerySet:
    return TestingPlan.objects.filter(
        visible(fetched_by, TestingPlan), cooperative=cooperative
    ).select_related("lab")


def testing_plan_get(*, fetched_by, pk) -> TestingPlan:
    return (
        TestingPlan.objects.filter(visible(fetched_by, TestingPlan))
        .select_related("cooperative__organisation", "lab", "ordered_by")
        .get(pk=pk)
    )


def testing_plan_lines(*, fetched_by, plan: TestingPlan) -> QuerySet:
    """Every line for staff and regulators; a member sees its own lines."""
    qs = plan.lines.select_related("member__enterprise")
    if not sees_members(fetched_by, plan.cooperative):
        qs = qs.filter(member__enterprise__organisation_id__in=policy.enterprise_orgs(scope_of(fetched_by)))
    return qs


def available_parameters(*, fetched_by, cooperative: Cooperative) -> list[str]:
    """Test parameters the testing labs the user can see (in the cooperative's province) cover."""
    from nqihub.directory.models import ScopeLine

    qs = (
        ScopeLine.objects.filter(visible(fetched_by, ScopeLine))
        .filter(prefix_q("region_id", cooperative.region_id[:2]), institution__kind=Institution.Kind.TESTING)
        .select_related("parameter")
    )
    names: dict[str, None] = {}
    for line in qs[:2000]:
        names.setdefault(line.parameter.name if line.parameter_id else line.parameter_text, None)
    return sorted(names)


@dataclass
class LabOption:
    institution: Institution
    closeness: str
    lines: dict


def labs_for_plan(*, fetched_by, plan: TestingPlan) -> list[LabOption]:
    """Testing labs whose scope covers every parameter of the plan, nearest to the cooperative first
    (``directory.matching.capability_match`` per parameter, intersected)."""
    from nqihub.directory.matching import capability_match

    from .services import lab_lines, plan_parameters

    parameters = plan_parameters(plan)
    if not parameters:
        return []
    common: dict[int, object] | None = None
    for parameter in parameters:
        found = {
            m.institution.pk: m
            for m in capability_match(
                fetched_by=fetched_by, parameter=parameter, region=plan.cooperative.region_id, limit=50
            )
            if m.institution.kind == Institution.Kind.TESTING
        }
        common = found if common is None else {pk: m for pk, m in common.items() if pk in found}
    options = []
    for match in (common or {}).values():
        lines = lab_lines(match.institution, parameters)
        if all(lines.values()):
            options.append(LabOption(match.institution, match.closeness, lines))
    return options


# --- shared standards and labels -------------------------------------------------------------------------


def shared_standards(*, fetched_by, cooperative: Cooperative) -> QuerySet:
    return SharedStandard.objects.filter(cooperative=cooperative).select_related("standard")


def label_templates(*, fetched_by, cooperative: Cooperative) -> QuerySet:
    return LabelTemplate.objects.filter(cooperative=cooperative)


def label_template_get(*, fetched_by, cooperative: Cooperative, pk) -> LabelTemplate:
    return LabelTemplate.objects.get(cooperative=cooperative, pk=pk)


def label_findings(template: LabelTemplate) -> list | None:
    """The label checker's findings for a template, or None while ``nqihub.labels.check_label`` is
    missing or refuses the category."""
    try:
        from nqihub.labels import check_label
    except ImportError:
        return None
    try:
        return list(check_label(template.category, dict(template.fields or {})))
    except Exception:  # noqa: BLE001 — an unknown category or a checker bug must not break the page
        return None


def finding_severity(finding) -> str:
    if isinstance(finding, dict):
        return str(finding.get("severity", ""))
    return str(getattr(finding, "severity", ""))


# --- pass rates ------------------------------------------------------------------------------------------


@dataclass
class Rate:
    passed: int = 0
    total: int = 0

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100 * self.passed) / Decimal(self.total)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.passed + other.passed, self.total + other.total)

    def as_dict(self) -> dict:
        return {"passed": self.passed, "total": self.total, "percent": self.percent}


@dataclass
class MemberRate:
    member: Member
    inspections: Rate
    tests: Rate
    target: Decimal

    @property
    def combined(self) -> Rate:
        return self.inspections + self.tests

    @property
    def below_target(self) -> bool:
        percent = self.combined.percent
        return percent is not None and percent < self.target


@dataclass
class PassRates:
    cooperative: Cooperative
    date_from: date
    date_to: date
    target: Decimal
    inspections: Rate
    tests: Rate
    members: list[MemberRate] = field(default_factory=list)
    #: False while the testing app has no ``TestOrder`` to count.
    tests_available: bool = True

    @property
    def combined(self) -> Rate:
        return self.inspections + self.tests

    @property
    def below_target(self) -> bool:
        percent = self.combined.percent
        return percent is not None and percent < self.target

    @property
    def members_below_target(self) -> list[MemberRate]:
        return [m for m in self.members if m.below_target]


def _test_counts(cooperative: Cooperative, enterprise_ids, date_from: date, date_to: date) -> dict | None:
    """{enterprise id: Rate} from the testing app's issued orders, or None when it has none to count."""
    try:
        model = apps.get_model("testing", "TestOrder")
    except LookupError:
        return None
    try:
        rows = (
            model.objects.filter(
                cooperative_id=cooperative.organisation_id,
                enterprise_id__in=list(enterprise_ids),
                issued_at__date__gte=date_from,
                issued_at__date__lte=date_to,
                conclusion__in=["pass", "fail"],
            )
            .values("enterprise_id", "conclusion")
            .annotate(n=Count("pk"))
        )
        counts: dict[int, Rate] = {}
        for row in rows:
            rate = counts.setdefault(row["enterprise_id"], Rate())
            rate.total += row["n"]
            if row["conclusion"] == "pass":
                rate.passed += row["n"]
        return counts
    except FieldError:
        return None


def pass_rates(*, fetched_by, cooperative: Cooperative, date_from: date, date_to: date) -> PassRates:
    """Pass rates of ``cooperative`` and of each member over ``date_from``–``date_to`` (inclusive); see the
    module docstring for the formula. The cooperative's figures count every member; the per-member rows
    are every member for the cooperative's staff and regulators, the user's own membership otherwise.
    Raises ``Cooperative.DoesNotExist`` when the user cannot see the cooperative."""
    cooperative = cooperative_get(fetched_by=fetched_by, pk=getattr(cooperative, "pk", cooperative))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    target = Decimal(cooperative.target_pass_rate)
    members = {m.pk: m for m in Member.objects.filter(cooperative=cooperative).select_related("enterprise")}
    inspection_rows = (
        Inspection.objects.filter(
            member__cooperative=cooperative, inspected_on__gte=date_from, inspected_on__lte=date_to
        )
        .values("member_id", "result")
        .annotate(n=Count("pk"))
    )
    by_member: dict[int, Rate] = {}
    for row in inspection_rows:
        rate = by_member.setdefault(row["member_id"], Rate())
        rate.total += row["n"]
        if row["result"] == Inspection.Result.PASS:
            rate.passed += row["n"]
    enterprise_of = {pk: m.enterprise_id for pk, m in members.items()}
    tests = _test_counts(cooperative, set(enterprise_of.values()), date_from, date_to)
    tests_by_enterprise = tests or {}
    rows = []
    for pk, member in members.items():
        insp = by_member.get(pk, Rate())
        test = tests_by_enterprise.get(member.enterprise_id, Rate())
        if member.status != MemberStatus.ACTIVE and not insp.total and not test.total:
            continue
        rows.append(MemberRate(member=member, inspections=insp, tests=test, target=target))
    total_inspections = sum(by_member.values(), Rate())
    total_tests = sum(tests_by_enterprise.values(), Rate())
    if not sees_members(fetched_by, cooperative):
        own = set(own_members(fetched_by, cooperative).values_list("pk", flat=True))
        rows = [r for r in rows if r.member.pk in own]
    rows.sort(key=lambda r: (r.combined.percent is None, r.combined.percent or 0, r.member.enterprise.name))
    return PassRates(
        cooperative=cooperative,
        date_from=date_from,
        date_to=date_to,
        target=target,
        inspections=total_inspections,
        tests=total_tests,
        members=rows,
        tests_available=tests is not None,
    )


def active_member_enterprise_ids(cooperative_org_ids: list[int]) -> QuerySet:
    """``enterprise_id`` values of the active members of these cooperatives (by organisation id): the
    enterprises their staff may order tests for (registered with ``testing.cooperation``)."""
    return Member.objects.filter(
        cooperative__organisation_id__in=cooperative_org_ids, status=MemberStatus.ACTIVE
    ).values("enterprise_id")
