"""Writes of the standards app: follows, change alerts, self-declarations. Each checks who may do it, runs
in one transaction and writes the audit entry. The catalog itself is written by ``imports``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import audit
from nqihub.core.errors import (
    NotFound,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Membership, Organisation
from nqihub.core.scoping import scope_of

from .models import Declaration, DeclarationIndicator, Requirement, Standard, StandardFollow
from .numbers import parse_standard_number

logger = logging.getLogger(__name__)


# --- who acts for which enterprise ------------------------------------------------------------------------


def enterprises_of(user):
    """The enterprises the user is a member of (through the enterprise's organisation)."""
    from nqihub.directory.models import Enterprise

    ids = scope_of(user).org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    return Enterprise.objects.filter(organisation_id__in=ids).order_by("name", "id")


def acting_enterprise(user, enterprise_id: int | None = None):
    """The enterprise ``user`` acts for: the one named (must be theirs) or their only/first one."""
    enterprises = enterprises_of(user)
    if enterprise_id is not None:
        enterprise = enterprises.filter(pk=enterprise_id).first()
        if enterprise is None:
            raise NotFound(_("企业不存在或您不是该企业的成员。"), field="enterprise")
        return enterprise
    enterprise = enterprises.first()
    if enterprise is None:
        raise PermissionDenied(_("只有企业用户可以进行此操作。"))
    return enterprise


# --- follows -----------------------------------------------------------------------------------------------


@transaction.atomic
def standard_follow(*, standard: Standard, by, enterprise=None) -> StandardFollow:
    """Idempotent: following twice keeps one follow."""
    enterprise = enterprise or acting_enterprise(by)
    existing = StandardFollow.objects.filter(enterprise=enterprise, standard=standard).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            follow = StandardFollow.objects.create(enterprise=enterprise, standard=standard, created_by=by)
    except IntegrityError:  # a concurrent follow won
        return StandardFollow.objects.get(enterprise=enterprise, standard=standard)
    audit.record(by, "standards.standard.followed", standard, {"enterprise_id": enterprise.pk})
    return follow


@transaction.atomic
def standard_unfollow(*, standard: Standard, by, enterprise=None) -> bool:
    enterprise = enterprise or acting_enterprise(by)
    deleted, _rows = StandardFollow.objects.filter(enterprise=enterprise, standard=standard).delete()
    if deleted:
        audit.record(by, "standards.standard.unfollowed", standard, {"enterprise_id": enterprise.pk})
    return bool(deleted)


# --- change alerts -------------------------------------------------------------------------------------------


def _notifier():
    """``notifications.services.notify``, or None while that app is not there (alerts are then logged)."""
    try:
        from nqihub.notifications.services import notify
    except ImportError:
        logger.warning(
            "nqihub.notifications.services.notify is not available: standard change alerts skipped"
        )
        return None
    return notify


_STATUS_LABELS = dict(Standard.Status.choices)


def describe_change(std: Standard, old: dict, new: dict, catalog: dict[str, Standard]) -> tuple[str, str]:
    """(title, body) of an alert about ``std`` whose alerted fields went from ``old`` to ``new``."""
    lines = []
    headline = _("有变化")
    if old["status"] != new["status"]:
        lines.append(
            _("状态：%(old)s → %(new)s")
            % {
                "old": _STATUS_LABELS.get(old["status"], old["status"]),
                "new": _STATUS_LABELS.get(new["status"], new["status"]),
            }
        )
        if new["status"] == Standard.Status.ABOLISHED:
            headline = _("已废止")
    if new["abolish_date"] and old["abolish_date"] != new["abolish_date"]:
        lines.append(_("废止日期：%(d)s") % {"d": new["abolish_date"]})
    if old["replaced_by"] != new["replaced_by"] and new["replaced_by"]:
        for code in new["replaced_by"].split(","):
            repl = catalog.get(code) or Standard.objects.filter(canonical=code).first()
            if repl is not None and repl.status == Standard.Status.UPCOMING:
                headline = _("即将被代替")
                when = repl.implement_date.isoformat() if repl.implement_date else _("待定")
                lines.append(
                    _("将被 %(code)s《%(title)s》代替，新标准实施日期：%(when)s")
                    % {"code": code, "title": repl.title, "when": when}
                )
            else:
                if headline != _("即将被代替"):
                    headline = _("已被代替")
                title = f"《{repl.title}》" if repl else ""
                lines.append(_("已被 %(code)s%(title)s 代替") % {"code": code, "title": title})
    title = _("您关注的标准 %(code)s %(what)s") % {"code": std.canonical, "what": headline}
    return title, "\n".join(lines)


def notify_changes(changed: list[tuple[Standard, dict, dict]], catalog: dict[str, Standard]) -> int:
    """Tell the members of every enterprise that follows a changed standard; returns the alerts sent."""
    if not changed:
        return 0
    by_id = {std.pk: (std, old, new) for std, old, new in changed}
    follows = StandardFollow.objects.filter(standard_id__in=list(by_id)).values_list(
        "standard_id", "enterprise__organisation_id"
    )
    orgs_by_std: dict[int, set[int]] = {}
    for std_id, org_id in follows:
        orgs_by_std.setdefault(std_id, set()).add(org_id)
    if not orgs_by_std:
        return 0
    notify = _notifier()
    from nqihub.accounts.models import User

    sent = 0
    for std_id, org_ids in orgs_by_std.items():
        std, old, new = by_id[std_id]
        title, body = describe_change(std, old, new, catalog)
        users = list(
            User.objects.filter(
                memberships__organisation_id__in=org_ids,
                memberships__role=Membership.Role.ENTERPRISE_USER,
                is_active=True,
            ).distinct()
        )
        audit.record(
            None,
            "standards.standard.change_alerted",
            std,
            {"title": title, "body": body, "users": len(users)},
            username="system",
        )
        if notify is None or not users:
            continue
        notify(
            users=users,
            event="standards.changed",
            title=title,
            body=body,
            url=reverse("standards:detail", args=[std.pk]),
            obj=std,
        )
        sent += 1
    return sent


# --- self-declarations ------------------------------------------------------------------------------------


@dataclass
class IndicatorData:
    item: str
    requirement: str
    unit: str = ""
    method: str = ""


@dataclass
class DeclarationData:
    product: str
    kind: str
    product_model: str = ""
    standard: str = ""
    own_code: str = ""
    own_title: str = ""
    category: str = ""
    references: list[str] = field(default_factory=list)
    indicators: list[IndicatorData] = field(default_factory=list)
    #: Items whose requirement is knowingly weaker than a recommended standard's.
    weaker_declared: list[str] = field(default_factory=list)
    weaker_statement: str = ""


#: The note on a well-formed standard number the catalogue does not hold: accepted, never refused.
UNLISTED_NOTE = gettext_lazy("未收录，请核实")


def _catalog_standard(
    text: str, field_name: str, errors: dict, unlisted: list | None = None
) -> Standard | None:
    """The catalogue row for ``text``; a malformed number is an error. A well-formed number the catalogue does
    not hold is not an error: its canonical form is appended to ``unlisted`` (shown as 未收录，请核实)."""
    try:
        parsed = parse_standard_number(text)
    except ValueError as exc:
        errors[field_name] = str(exc)
        return None
    if parsed.year is None:
        from .search import order_versions

        versions = order_versions(Standard.objects.filter(code_without_year=parsed.code_without_year))
        if versions:
            return versions[0]
        std = None
    else:
        std = Standard.objects.filter(canonical=parsed.canonical).first()
    if std is None:
        if unlisted is None:
            errors[field_name] = _("标准目录中没有 %(code)s。") % {"code": parsed.canonical}
        elif parsed.canonical not in unlisted:
            unlisted.append(parsed.canonical)
    return std


def _norm_item(text: str) -> str:
    return "".join((text or "").split()).lower()


@dataclass
class Finding:
    """One indicator compared to one requirement of a referenced standard."""

    index: int
    item: str
    declared: str
    reference: str
    required: str
    nature: str
    result: str


def check_indicators(
    indicators: list[IndicatorData], references: list[Standard], category: str
) -> tuple[list[Finding], dict]:
    """Compare each indicator with the same item of every referenced standard's requirement table.
    Returns the findings and the errors that are not about weakness (category missing, units differ)."""
    from .requirements import compare

    errors: dict[str, str] = {}
    findings: list[Finding] = []
    reqs = list(Requirement.objects.filter(standard__in=references).select_related("standard"))
    for index, ind in enumerate(indicators):
        for req in reqs:
            if _norm_item(req.item) != _norm_item(ind.item):
                continue
            if req.category and not category:
                cats = sorted({r.category for r in reqs if r.standard_id == req.standard_id and r.category})
                errors["category"] = _("%(code)s 按类别规定要求（%(cats)s），请填写产品类别。") % {
                    "code": req.standard.canonical,
                    "cats": "、".join(cats),
                }
                continue
            if req.category and req.category != category:
                continue
            if req.unit and ind.unit and req.unit.strip().lower() != ind.unit.strip().lower():
                errors[f"indicators.{index}.unit"] = _(
                    "%(item)s 的单位“%(u)s”与 %(code)s 的“%(ru)s”不一致。"
                ) % {"item": ind.item, "u": ind.unit, "code": req.standard.canonical, "ru": req.unit}
                continue
            result = compare(ind.requirement, req.requirement)
            findings.append(
                Finding(
                    index,
                    ind.item,
                    f"{ind.requirement}{' ' + ind.unit if ind.unit else ''}",
                    req.standard.canonical + (f"（{req.category}类）" if req.category else ""),
                    f"{req.requirement}{' ' + req.unit if req.unit else ''}",
                    req.standard.nature,
                    result,
                )
            )
    return findings, errors


def validate_declaration(data: DeclarationData) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {
        "product": (data.product or "").strip(),
        "product_model": (data.product_model or "").strip(),
    }
    if not cleaned["product"]:
        errors["product"] = _("请填写产品名称。")
    elif len(cleaned["product"]) > 200:
        errors["product"] = _("产品名称不能超过200个字符。")
    if data.kind not in Declaration.Kind.values:
        errors["kind"] = _("声明类型应为 public（执行公开标准）或 own（执行企业标准）。")
        raise ValidationFailed(errors)
    cleaned["kind"] = data.kind
    cleaned["category"] = (data.category or "").strip().upper()
    if data.kind == Declaration.Kind.PUBLIC:
        unlisted: list[str] = []
        std = (
            _catalog_standard(data.standard, "standard", errors, unlisted)
            if (data.standard or "").strip()
            else None
        )
        if not (data.standard or "").strip():
            errors["standard"] = _("请填写执行的标准号。")
        elif unlisted and unlisted[0].upper().startswith("Q/"):
            errors["standard"] = _("企业标准请按“执行企业标准”声明。")
        elif std is not None:
            if std.level == Standard.Level.ENTERPRISE:
                errors["standard"] = _("企业标准请按“执行企业标准”声明。")
            elif std.status == Standard.Status.ABOLISHED:
                errors["standard"] = _("%(code)s 已废止，不能作为执行标准。") % {"code": std.canonical}
        cleaned["standard"] = std
        cleaned["standard_text"] = unlisted[0] if std is None and unlisted else ""
        if errors:
            raise ValidationFailed(errors)
        return cleaned

    try:
        own = parse_standard_number(data.own_code or "")
    except ValueError as exc:
        errors["own_code"] = str(exc)
    else:
        if own.level != "enterprise":
            errors["own_code"] = _("企业标准编号应以 Q/ 开头（如 Q/ABC 0001-2024），收到 %(code)s。") % {
                "code": own.canonical
            }
        elif own.year is None:
            errors["own_code"] = _("企业标准编号缺少年代号：%(code)s") % {"code": own.canonical}
        cleaned["own_code"] = own.canonical
    cleaned["own_title"] = (data.own_title or "").strip()
    if not cleaned["own_title"]:
        errors["own_title"] = _("请填写企业标准名称。")
    refs = []
    unlisted_refs: list[str] = []
    for i, text in enumerate(data.references or []):
        std = _catalog_standard(text, f"references.{i}", errors, unlisted_refs)
        if std is not None:
            refs.append(std)
    cleaned["references"] = refs
    cleaned["unlisted_references"] = unlisted_refs
    indicators = []
    if not data.indicators:
        errors["indicators"] = _("企业标准至少要有一项指标（项目、要求、单位、检验方法）。")
    for i, ind in enumerate(data.indicators or []):
        item, requirement = (ind.item or "").strip(), (ind.requirement or "").strip()
        if not item:
            errors[f"indicators.{i}.item"] = _("第 %(n)d 项指标缺少项目名称。") % {"n": i + 1}
        if not requirement:
            errors[f"indicators.{i}.requirement"] = _("第 %(n)d 项指标缺少要求。") % {"n": i + 1}
        indicators.append(
            IndicatorData(item, requirement, (ind.unit or "").strip(), (ind.method or "").strip())
        )
    cleaned["indicators"] = indicators
    if errors:
        raise ValidationFailed(errors)

    findings, errors = check_indicators(indicators, refs, cleaned["category"])
    declared = {_norm_item(x) for x in data.weaker_declared or []}
    for f in findings:
        key = f"indicators.{f.index}.requirement"
        if f.result != "weaker" or key in errors:
            continue
        if f.nature == Standard.Nature.MANDATORY:
            errors[key] = _(
                "%(item)s：企业标准要求 %(declared)s 低于强制性标准 %(ref)s 的要求 %(required)s，不能声明。"
            ) % {"item": f.item, "declared": f.declared, "ref": f.reference, "required": f.required}
        elif _norm_item(f.item) not in declared:
            errors[key] = _(
                "%(item)s：企业标准要求 %(declared)s 低于推荐性标准 %(ref)s 的要求 %(required)s；如确需如此，请明确声明。"
            ) % {"item": f.item, "declared": f.declared, "ref": f.reference, "required": f.required}
    if errors:
        raise ValidationFailed(errors)
    weaker = [f for f in findings if f.result == "weaker"]
    cleaned["weaker_declared"] = [
        {"item": f.item, "declared": f.declared, "reference": f.reference, "required": f.required}
        for f in weaker
    ]
    cleaned["weaker_statement"] = (data.weaker_statement or "").strip()
    if weaker and not cleaned["weaker_statement"]:
        raise ValidationFailed({"weaker_statement": _("有指标低于推荐性标准，请填写说明。")})
    return cleaned


@transaction.atomic
def declaration_create(*, data: DeclarationData, by, enterprise=None) -> Declaration:
    enterprise = enterprise or acting_enterprise(by)
    cleaned = validate_declaration(data)
    refs = cleaned.pop("references", [])
    indicators = cleaned.pop("indicators", [])
    declaration = Declaration.objects.create(
        enterprise=enterprise, created_by=by, is_demo=enterprise.is_demo, **cleaned
    )
    if refs:
        declaration.references.set(refs)
    DeclarationIndicator.objects.bulk_create(
        [
            DeclarationIndicator(
                declaration=declaration,
                position=i,
                item=ind.item,
                requirement=ind.requirement,
                unit=ind.unit,
                method=ind.method,
            )
            for i, ind in enumerate(indicators)
        ]
    )
    audit.record(
        by,
        "standards.declaration.created",
        declaration,
        {"enterprise_id": enterprise.pk, "kind": declaration.kind, "standard": declaration.standard_code},
    )
    return declaration


# --- proposals: a missing standard proposed for the catalogue ----------------------------------------------

PROPOSAL_TITLE_MAX = 300
PROPOSAL_SOURCE_MAX = 500
PROPOSAL_NOTE_MAX = 2000


def can_review_proposals(user) -> bool:
    """Platform admins and regulators confirm or reject proposals."""
    return scope_of(user).is_regulator


def proposal_create(
    *,
    by,
    code: str,
    title: str,
    source: str,
    status: str = "current",
    nature: str = "",
    implement_date=None,
    note: str = "",
):
    """Propose a standard missing from the catalogue (anyone signed in). Field errors: a malformed number or
    one without year, a number already in the catalogue or already proposed and pending, no title, no
    source. Audited."""
    from .models import StandardProposal

    errors: dict[str, str] = {}
    canonical = ""
    try:
        parsed = parse_standard_number(code or "")
    except ValueError as exc:
        errors["code"] = str(exc)
    else:
        canonical = parsed.canonical
        if parsed.year is None:
            errors["code"] = _("请写出年代号（如 %(code)s-2021），收录的是标准的某一版本。") % {
                "code": canonical
            }
        elif Standard.objects.filter(canonical=canonical).exists():
            errors["code"] = _("%(code)s 已收录于标准目录。") % {"code": canonical}
        elif StandardProposal.objects.filter(
            canonical=canonical, state=StandardProposal.State.PENDING
        ).exists():
            errors["code"] = _("%(code)s 已有人提议收录，正在审核。") % {"code": canonical}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = _("请填写标准名称。")
    elif len(title) > PROPOSAL_TITLE_MAX:
        errors["title"] = _("标准名称不能超过%(n)d个字符。") % {"n": PROPOSAL_TITLE_MAX}
    source = (source or "").strip()
    if not source:
        errors["source"] = _("请填写依据：标准文本或发布公告的网址、出处。")
    elif len(source) > PROPOSAL_SOURCE_MAX:
        errors["source"] = _("依据不能超过%(n)d个字符。") % {"n": PROPOSAL_SOURCE_MAX}
    if status not in Standard.Status.values:
        errors["status"] = _("标准状态应为 current（现行）、upcoming（即将实施）或 abolished（废止）。")
    if nature and nature not in Standard.Nature.values:
        errors["nature"] = _("性质应为 mandatory（强制性）、recommended（推荐性）或 guidance（指导性）。")
    note = (note or "").strip()
    if len(note) > PROPOSAL_NOTE_MAX:
        errors["note"] = _("说明不能超过%(n)d个字符。") % {"n": PROPOSAL_NOTE_MAX}
    if errors:
        raise ValidationFailed(errors)
    proposal = StandardProposal.objects.create(
        canonical=canonical,
        title=title,
        source=source,
        status=status,
        nature=nature,
        implement_date=implement_date,
        note=note,
        proposed_by=by,
    )
    audit.record(by, "standards.proposal.created", proposal, {"canonical": canonical})
    return proposal


def _decide(proposal, by):
    from .models import StandardProposal

    if not can_review_proposals(by):
        raise PermissionDenied(_("只有平台管理员或监管人员可以审核标准收录提议。"))
    proposal = StandardProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != StandardProposal.State.PENDING:
        raise ValidationFailed({"state": _("该提议已审核（%(s)s）。") % {"s": proposal.get_state_display()}})
    return proposal


@transaction.atomic
def proposal_confirm(*, proposal, by, note: str = ""):
    """Add the proposed standard to the catalogue (admin or regulator). Self-declarations that named the
    number while it was unlisted now point at the catalogue row. Audited."""
    from django.utils import timezone

    from . import imports

    proposal = _decide(proposal, by)
    values = {
        "code": proposal.canonical,
        "title": proposal.title,
        "status": proposal.status,
        "nature": proposal.nature,
        "implement_date": proposal.implement_date.isoformat() if proposal.implement_date else "",
        "source": f"proposal #{proposal.pk}: {proposal.source}"[:255],
    }
    cleaned, issues = imports.validate_row(1, values)
    if issues:
        raise ValidationFailed({i.field or "code": i.message for i in issues})
    imports.upsert_standards([cleaned], by=by, action="standards.proposal.catalogued")
    std = Standard.objects.get(canonical=proposal.canonical)
    Declaration.objects.filter(standard_text=std.canonical, standard__isnull=True).update(
        standard=std, standard_text=""
    )
    proposal.state = proposal.State.CONFIRMED
    proposal.standard = std
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = (note or "").strip()[:PROPOSAL_NOTE_MAX]
    proposal.save()
    audit.record(by, "standards.proposal.confirmed", proposal, {"canonical": std.canonical})
    return proposal


@transaction.atomic
def proposal_reject(*, proposal, by, reason: str):
    """Reject a proposal, with the reason the proposer sees (admin or regulator). Audited."""
    from django.utils import timezone

    reason = (reason or "").strip()
    proposal = _decide(proposal, by)
    if not reason:
        raise ValidationFailed({"reason": _("请填写不采纳的理由。")})
    if len(reason) > PROPOSAL_NOTE_MAX:
        raise ValidationFailed({"reason": _("理由不能超过%(n)d个字符。") % {"n": PROPOSAL_NOTE_MAX}})
    proposal.state = proposal.State.REJECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = reason
    proposal.save()
    audit.record(by, "standards.proposal.rejected", proposal, {"canonical": proposal.canonical})
    return proposal
