"""Reads of the drafting app, scoped: ``core.scoping.visible`` (the enterprise, the stations covering it,
the regulators of its region) plus the drafts whose review is assigned to the acting user as an expert."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from nqihub.core.scoping import visible

from .models import EnterpriseStandard
from .policy import LIVE_ASSIGNMENTS


def _q(user) -> Q:
    q = visible(user, EnterpriseStandard)
    if getattr(user, "is_authenticated", False):
        q |= Q(
            service_request__assignments__expert__user=user,
            service_request__assignments__status__in=LIVE_ASSIGNMENTS,
        )
    return q


def draft_list(*, fetched_by, status: str | None = None, q: str = "") -> QuerySet:
    qs = EnterpriseStandard.objects.filter(
        pk__in=EnterpriseStandard.objects.filter(_q(fetched_by)).values("pk")
    ).select_related("enterprise")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(product__icontains=q) | Q(number__icontains=q))
    return qs


def draft_get(*, fetched_by, pk) -> EnterpriseStandard:
    """``EnterpriseStandard.DoesNotExist`` outside the user's scope (404)."""
    return (
        draft_list(fetched_by=fetched_by)
        .select_related("enterprise", "enterprise__region", "service_request", "declaration")
        .prefetch_related("indicators")
        .get(pk=pk)
    )


def reference_lookup(numbers: list[str]) -> list[dict]:
    """Each number looked up in the catalogue: ``{number, status, title, replaced_by}``; status ``unknown``
    (未收录，请核实) when the catalogue has no version of it."""
    from nqihub.labels.selectors import standard_status

    out = []
    for number in numbers:
        info = standard_status(number)
        out.append(
            {
                "number": number,
                "status": info["status"] if info else "unknown",
                "title": (info or {}).get("title", ""),
                "replaced_by": (info or {}).get("replaced_by", ""),
            }
        )
    return out


def document_of(draft: EnterpriseStandard, content: dict | None = None):
    """The ``document.Document`` of a draft (or of one of its versions' ``content``)."""
    from .checks import check_content
    from .document import build_document
    from .services import snapshot

    content = content if content is not None else snapshot(draft)
    numbers = list(
        dict.fromkeys([*content["references"], *[i["method"] for i in content["indicators"] if i["method"]]])
    )
    titles = {r["number"]: r["title"] for r in reference_lookup(numbers) if r["title"]}
    weaker = [
        f["message"]
        for f in check_content(content, enterprise=draft.enterprise)
        if f["code"] == "weaker_than_recommended"
    ]
    return build_document(
        content, enterprise=draft.enterprise.name, titles=titles, weaker=weaker, is_demo=draft.is_demo
    )
