"""Differences between two versions of a draft, per clause and per indicator. Pure: two content dicts
(``services.snapshot``) in, a list of changes out, in document order.

Each change: ``{"clause": "4", "what": "导热系数", "kind": "added" | "removed" | "changed", "old": "…",
"new": "…"}``. Indicators are matched by item (and grade): a changed requirement, unit or grade is a change of
clause 4 (the indicator table), a changed method one of clause 5, a changed 出厂检验 flag one of clause 6.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

#: Simple fields → (clause, label), in document order.
FIELDS = [
    ("number", "cover", N_("企业标准编号")),
    ("title", "cover", N_("标准名称")),
    ("publish_date", "cover", N_("发布日期")),
    ("implement_date", "cover", N_("实施日期")),
    ("drafters", "foreword", N_("主要起草人")),
    ("weaker_statement", "foreword", N_("低于推荐性标准的说明")),
    ("product", "1", N_("产品名称")),
    ("grade", "4", N_("产品等级/类别")),
    ("scope", "1", N_("范围")),
    ("batch_rule", "6.1", N_("组批")),
    ("sampling", "6.2", N_("抽样")),
    ("marking", "7.1", N_("标志")),
    ("packaging", "7.2", N_("包装")),
    ("transport", "7.3", N_("运输")),
    ("storage", "7.4", N_("贮存")),
]

_ORDER = [
    "cover",
    "foreword",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "6.1",
    "6.2",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "annex",
]


def _text(value) -> str:
    return "" if value is None else str(value)


def _quantity(ind: dict) -> str:
    return f"{ind.get('requirement', '')}{(' ' + ind['unit']) if ind.get('unit') else ''}"


def _key(ind: dict) -> tuple[str, str]:
    return ("".join((ind.get("item") or "").split()), (ind.get("grade") or "").strip())


def _label(ind: dict) -> str:
    grade = (ind.get("grade") or "").strip()
    return f"{ind.get('item', '')}（{grade}）" if grade else ind.get("item", "")


def diff(old: dict, new: dict) -> list[dict]:
    changes: list[dict] = []

    def add(clause, what, kind, a="", b=""):
        changes.append({"clause": clause, "what": what, "kind": kind, "old": a, "new": b})

    for key, clause, label in FIELDS:
        a, b = _text(old.get(key)), _text(new.get(key))
        if a != b:
            add(clause, _(label), "changed" if a and b else ("added" if b else "removed"), a, b)

    old_refs, new_refs = list(old.get("references") or []), list(new.get("references") or [])
    for code in new_refs:
        if code not in old_refs:
            add("2", code, "added", "", code)
    for code in old_refs:
        if code not in new_refs:
            add("2", code, "removed", code, "")

    old_terms = {(t.get("term") or "").strip(): t for t in old.get("terms") or []}
    new_terms = {(t.get("term") or "").strip(): t for t in new.get("terms") or []}
    for term, t in new_terms.items():
        if term not in old_terms:
            add("3", term, "added", "", t.get("definition", ""))
        elif (old_terms[term].get("definition"), old_terms[term].get("english")) != (
            t.get("definition"),
            t.get("english"),
        ):
            add("3", term, "changed", old_terms[term].get("definition", ""), t.get("definition", ""))
    for term, t in old_terms.items():
        if term not in new_terms:
            add("3", term, "removed", t.get("definition", ""), "")

    old_ind = {_key(i): i for i in old.get("indicators") or []}
    new_ind = {_key(i): i for i in new.get("indicators") or []}
    for key, ind in new_ind.items():
        before = old_ind.get(key)
        if before is None:
            add("4", _label(ind), "added", "", _quantity(ind))
            continue
        if _quantity(before) != _quantity(ind):
            add("4", _label(ind), "changed", _quantity(before), _quantity(ind))
        if (before.get("method") or "") != (ind.get("method") or ""):
            add("5", _label(ind), "changed", before.get("method") or "", ind.get("method") or "")
        if bool(before.get("factory", True)) != bool(ind.get("factory", True)):
            yes, no = _("出厂检验项目"), _("仅型式检验")
            add(
                "6",
                _label(ind),
                "changed",
                yes if before.get("factory", True) else no,
                yes if ind.get("factory", True) else no,
            )
    for key, ind in old_ind.items():
        if key not in new_ind:
            add("4", _label(ind), "removed", _quantity(ind), "")

    old_annex = {(a.get("title") or "").strip(): a for a in old.get("annexes") or []}
    new_annex = {(a.get("title") or "").strip(): a for a in new.get("annexes") or []}
    for title, a in new_annex.items():
        if title not in old_annex:
            add("annex", title, "added", "", a.get("content", ""))
        elif old_annex[title].get("content") != a.get("content") or bool(
            old_annex[title].get("normative")
        ) != bool(a.get("normative")):
            add("annex", title, "changed", old_annex[title].get("content", ""), a.get("content", ""))
    for title, a in old_annex.items():
        if title not in new_annex:
            add("annex", title, "removed", a.get("content", ""), "")

    rank = {c: i for i, c in enumerate(_ORDER)}
    changes.sort(key=lambda c: rank.get(c["clause"], len(rank)))
    return changes
