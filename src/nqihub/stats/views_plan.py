"""The regulator's plan: yearly targets (年度目标) of a region — the form page — and the texts of the
dashboard's 环比/同比 lines. Thin: reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from nqihub.core import display
from nqihub.core.errors import DomainError, NotFound, ValidationFailed

from . import labels, selectors, services
from .models import Target


def compared_texts(comparison: dict, key: str) -> dict | None:
    """One card's 环比/同比 as display texts (``None`` when the figure is not compared)."""
    cmp = comparison["figures"].get(key)
    if cmp is None:
        return None
    kind = next(k for f, _label, k in labels.FIGURES if f == key)

    def delta(text: str) -> str:
        if kind == "rate" and text != "—":
            return _("%(d)s个百分点") % {"d": text}
        return text

    def shown(value) -> str:
        # Counts and amounts as the card above them shows its figure (万, 亿); rates and means exactly.
        if kind in ("money", "int") and value is not None:
            return display.cn_number(value)
        return labels.format_value(value, kind)

    return {
        "now": shown(cmp["now"]),
        "previous": shown(cmp["previous"]),
        "year_ago": shown(cmp["year_ago"]),
        "mom": delta(cmp["mom"]),
        "yoy": delta(cmp["yoy"]),
    }


def _year(text) -> int:
    text = (text or "").strip()
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationFailed({"year": _("年度应为 2000–2100 之间的四位数字。")})
    return int(text)


@login_required
def targets(request):
    """GET: the targets of a region and year with the year-to-date actual; POST: set them (blank: none)."""
    if not services.is_stats_user(request.user):
        raise Http404
    try:
        region = selectors.region_for(request.user, request.GET.get("region") or None)
    except (NotFound, ValidationFailed) as exc:
        raise Http404 from exc
    errors: dict = {}
    typed: dict = {}
    status = 200
    try:
        year = _year(request.GET.get("year"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        year, status = timezone.localdate().year, 400
    may_set = services.may_set_targets(request.user, region.code)
    if request.method == "POST" and status == 200:
        typed = {m: request.POST.get(m, "") for m in Target.Metric.values}
        try:
            services.targets_set(region=region.code, year=year, values=typed, by=request.user)
        except ValidationFailed as exc:
            errors, status = exc.errors, 400
            messages.error(request, _("年度目标未保存：请更正标出的错误。"))
        except DomainError as exc:
            status = exc.status
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(year)s年度目标已保存。") % {"year": year})
            return redirect(reverse("stats:targets") + "?" + urlencode({"region": region.code, "year": year}))
    progress = selectors.target_progress(fetched_by=request.user, region=region, year=year)
    for row in progress["rows"]:
        target = row["target"]
        row["typed"] = typed.get(row["metric"], "" if target is None else f"{target:g}")
        row["error"] = errors.get(row["metric"], "")
    return render(
        request,
        "stats/targets.html",
        {"region": region, "year": year, "progress": progress, "may_set": may_set},
        status=status,
    )
