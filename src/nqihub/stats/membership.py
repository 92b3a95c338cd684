"""Figures of a quality cooperative: the service requests of the enterprises that were its active members
when they submitted them (docs/decisions/0003-statistics.md, "Cooperatives").

A membership is a set of *stints* ``[start, end)`` of local dates. They are read from the member's history
(``cooperatives.MemberEvent``: 批准入社 / 接受邀请入社 open one, 退社 / 被移出合作社 close it, each on
the local date of the event); the ``Member`` row's 入社日期 / 退社日期 are the dates the cooperative records
for the current (latest) stint and take its place when set (they may be earlier than the event, e.g. members
entered with their real joining date). A request belongs to the cooperative when its enterprise had a
stint containing the local date it was submitted: ``start <= date < end`` (the day of leaving no longer
counts).

The member set is small, so the figures are read from the per-request ``Fact`` rows of those requests (the
desk's index on ``ServiceRequest.enterprise`` finds them) and summed with the rollups' own rule
(``facts.contributions``, base cube): they equal the rollups' figures restricted to those requests.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from nqihub.cooperatives.models import Member, MemberEvent, MemberStatus
from nqihub.core.regions import prefix as region_prefix
from nqihub.core.scoping import prefix_q
from nqihub.desk.models import ServiceRequest

from . import facts
from .figures import compose, month_bounds
from .models import Fact

JOIN_ACTIONS = ("admitted", "accepted")
LEAVE_ACTIONS = ("left", "removed")

#: ``{cooperative id: [(enterprise id, start date, end date or None), …]}``
Stints = dict[int, list[tuple[int, datetime.date, datetime.date | None]]]


def stints(cooperative_ids) -> Stints:
    """The membership stints of the cooperatives' members (two queries)."""
    ids = list(cooperative_ids)
    out: Stints = {pk: [] for pk in ids}
    if not ids:
        return out
    members = list(
        Member.objects.filter(cooperative_id__in=ids).values_list(
            "pk", "cooperative_id", "enterprise_id", "status", "joined_on", "left_on"
        )
    )
    events: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for member_id, action, at in (
        MemberEvent.objects.filter(member__cooperative_id__in=ids, action__in=JOIN_ACTIONS + LEAVE_ACTIONS)
        .order_by("at", "pk")
        .values_list("member_id", "action", "at")
    ):
        events[member_id].append((action, timezone.localdate(at)))
    for pk, coop_id, enterprise_id, status, joined_on, left_on in members:
        spans: list[list] = []
        open_since = None
        for action, day in events.get(pk, []):
            if action in JOIN_ACTIONS and open_since is None:
                open_since = day
            elif action in LEAVE_ACTIONS and open_since is not None:
                spans.append([open_since, day])
                open_since = None
        if open_since is not None:
            spans.append([open_since, None])
        # The recorded dates of the current stint win over the events' dates.
        if status == MemberStatus.ACTIVE and joined_on:
            if spans and spans[-1][1] is None:
                spans[-1][0] = joined_on
            else:
                spans.append([joined_on, None])
        elif status == MemberStatus.LEFT and joined_on:
            if spans and spans[-1][1] is not None:
                spans[-1] = [joined_on, left_on or spans[-1][1]]
            elif left_on:
                spans.append([joined_on, left_on])
        out[coop_id] += [(enterprise_id, a, b) for a, b in spans if b is None or a < b]
    return out


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def requests_q(spans, field: str = "") -> Q:
    """The service requests submitted during one of the ``(enterprise, start, end)`` stints (``field``:
    the path to the request, e.g. ``"request__"``). No stint: nothing."""
    q = Q(pk__in=[])
    for enterprise_id, start, end in spans:
        one = Q(**{f"{field}enterprise_id": enterprise_id, f"{field}created_at__gte": _midnight(start)})
        if end is not None:
            one &= Q(**{f"{field}created_at__lt": _midnight(end)})
        q |= one
    return q


def member_requests(spans):
    return ServiceRequest.objects.filter(requests_q(spans))


def _in_stint(spans_of_enterprise, day: datetime.date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in spans_of_enterprise)


def figures_by_cooperative(*, region: str, from_month: int, to_month: int, stints_: Stints) -> dict:
    """``{cooperative id: figure set}`` of the requests counted in ``region``'s subtree that belong to each
    cooperative (one query whatever the number of cooperatives)."""
    all_spans = [s for spans in stints_.values() for s in spans]
    by_enterprise: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for coop_id, spans in stints_.items():
        for enterprise_id, start, end in spans:
            by_enterprise[enterprise_id][coop_id].append((start, end))
    sums: dict[int, dict] = {pk: defaultdict(int) for pk in stints_}
    hist: dict[int, dict] = {pk: {"accept": defaultdict(int), "resolve": defaultdict(int)} for pk in stints_}
    helped: dict[int, set] = {pk: set() for pk in stints_}
    if all_spans:
        _start, end = month_bounds(from_month, to_month)
        months = Q()
        for field in ("received_month", "accepted_month", "resolved_month", "rated_month"):
            months |= Q(**{f"{field}__gte": from_month, f"{field}__lte": to_month})
        requests = ServiceRequest.objects.filter(requests_q(all_spans), created_at__lt=end)
        rows = (
            Fact.objects.filter(prefix_q("region_code", region_prefix(region)))
            .filter(months, request_id__in=requests.values("pk"))
            .annotate(
                created_at=Subquery(
                    ServiceRequest.objects.filter(pk=OuterRef("request_id")).values("created_at")[:1]
                )
            )
            .values_list("created_at", *facts.FIELDS)
        )
        for created_at, *values in rows.iterator(chunk_size=2000):
            fact = facts.FactData(*values)
            day = timezone.localdate(created_at)
            owners = [
                coop_id
                for coop_id, spans in by_enterprise[fact.enterprise_id].items()
                if _in_stint(spans, day)
            ]
            if not owners:
                continue
            for key, change in facts.contributions(fact).items():
                if key[0] == "H":
                    if from_month <= key[2] <= to_month:
                        for coop_id in owners:
                            helped[coop_id].add(key[4])
                    continue
                if key[1] != "" or not from_month <= key[4] <= to_month:
                    continue
                for coop_id in owners:
                    if key[0] == "R":
                        for m, d in change.items():
                            sums[coop_id][m] += d
                    else:
                        hist[coop_id][key[5]][key[6]] += change["n"]
    return {
        pk: compose(sums[pk], {k: dict(v) for k, v in hist[pk].items()}, len(helped[pk])) for pk in stints_
    }
