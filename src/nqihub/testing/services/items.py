"""The test items of an order: add, change, remove, and add those of the product standard."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.directory.models import ScopeLine
from nqihub.directory.vocabulary import normalise
from nqihub.standards.models import Requirement

from ..models import TestItem, TestOrder
from .access import _may_edit_items
from .base import MAX_ITEMS, METHOD_MAX
from .capability import _clean_item, _clean_one, _parameter_q, lab_covers, method_warning
from .events import _lock, _record
from .judging import _judge_item, _judge_order


def _next_seq(order: TestOrder) -> int:
    last = order.items.order_by("-seq").values_list("seq", flat=True).first()
    return (last or 0) + 1


def _lock_editable(order: TestOrder | int, by) -> TestOrder:
    """The order locked, once ``by`` may change its samples and items now."""
    order = _lock(order)
    _may_edit_items(order, by)
    return order


@transaction.atomic
def item_add(
    *, order: TestOrder, by, parameter: str, method_standard: str = "", requirement: str = "", unit: str = ""
) -> TestItem:
    order = _lock_editable(order, by)
    cleaned = _clean_one(
        _clean_item,
        dict(parameter=parameter, method_standard=method_standard, requirement=requirement, unit=unit),
        standard=order.product_standard,
        field="item",
    )
    if order.items.count() >= MAX_ITEMS:
        raise ValidationFailed({"parameter": _("检测项目不能超过%(n)d个。") % {"n": MAX_ITEMS}})
    if not lab_covers(order.lab, cleaned["parameter"], cleaned["method_standard"], order.product_name):
        raise ValidationFailed(
            {
                "parameter": _("%(lab)s 的能力范围不包括“%(p)s”%(m)s。")
                % {
                    "lab": order.lab.name,
                    "p": cleaned["parameter"],
                    "m": _("（方法 %(m)s）") % {"m": cleaned["method_standard"]}
                    if cleaned["method_standard"]
                    else "",
                }
            }
        )
    key = (normalise(cleaned["parameter"]), normalise(cleaned["method_standard"]))
    for p, m in order.items.values_list("parameter", "method_standard"):
        if (normalise(p), normalise(m)) == key:
            raise ValidationFailed(
                {"parameter": _("检测项目“%(p)s”已在委托单中。") % {"p": cleaned["parameter"]}}
            )
    item = TestItem.objects.create(
        order=order,
        seq=_next_seq(order),
        method_warning=method_warning(cleaned["method_standard"]),
        **cleaned,
    )
    _record(order, by, "item_added", f"{item.seq}. {item.parameter}", {"item": item.pk})
    return item


@transaction.atomic
def item_update(
    *,
    item: TestItem,
    by,
    method_standard: str | None = None,
    requirement: str | None = None,
    unit: str | None = None,
) -> TestItem:
    order = _lock_editable(item.order_id, by)
    item = TestItem.objects.select_for_update().get(pk=item.pk)
    values = {
        "parameter": item.parameter,
        "method_standard": item.method_standard if method_standard is None else method_standard,
        "requirement": item.requirement if requirement is None else requirement,
        "unit": item.unit if unit is None else unit,
    }
    cleaned = _clean_one(_clean_item, values, standard=None, field="item")
    if cleaned["method_standard"] != item.method_standard and not lab_covers(
        order.lab, item.parameter, cleaned["method_standard"], order.product_name
    ):
        raise ValidationFailed(
            {
                "method_standard": _("%(lab)s 的能力范围不包括以 %(m)s 检测“%(p)s”。")
                % {"lab": order.lab.name, "m": cleaned["method_standard"], "p": item.parameter}
            }
        )
    changed = {}
    for key in ("method_standard", "requirement", "unit"):
        if getattr(item, key) != cleaned[key]:
            changed[key] = cleaned[key]
            setattr(item, key, cleaned[key])
    if not changed:
        return item
    if "method_standard" in changed:
        item.method_warning = method_warning(item.method_standard)
    if "requirement" in changed:
        item.requirement_source = ""
    _judge_item(item)
    item.save()
    _judge_order(order)
    _record(order, by, "item_updated", f"{item.seq}. {item.parameter}", {"item": item.pk, **changed})
    return item


def _remove_one(row, by, *, kind: str, label: str, last: str) -> TestOrder:
    """Remove one sample or item (``kind``) of an order the person may edit: never the order's last one."""
    order = _lock_editable(row.order_id, by)
    if getattr(order, f"{kind}s").count() <= 1:
        raise ValidationFailed({kind: last})
    _record(order, by, f"{kind}_removed", label, {kind: row.pk})
    row.delete()
    return order


@transaction.atomic
def item_remove(*, item: TestItem, by) -> None:
    order = _remove_one(
        item, by, kind="item", label=f"{item.seq}. {item.parameter}", last=_("委托单至少要有一个检测项目。")
    )
    _judge_order(order)


@transaction.atomic
def items_from_standard(*, order: TestOrder, by) -> tuple[list[TestItem], list[str]]:
    """Add the product standard's requirement rows the order lacks and the lab covers. Returns (added,
    parameters the lab cannot test)."""
    order = _lock_editable(order, by)
    if order.product_standard_id is None:
        raise ValidationFailed({"product_standard": _("委托单未指定平台标准库中的产品标准。")})
    rows = list(Requirement.objects.filter(standard_id=order.product_standard_id))
    if not rows:
        raise ValidationFailed(
            {
                "product_standard": _("标准 %(s)s 在平台中没有技术要求表。")
                % {"s": order.product_standard.canonical}
            }
        )
    present = {normalise(p) for p in order.items.values_list("parameter", flat=True)}
    added, skipped = [], []
    seq = _next_seq(order)
    for row in rows:
        if normalise(row.item) in present:
            continue
        method = row.method[:METHOD_MAX]
        if not lab_covers(order.lab, row.item, method, order.product_name):
            if method and lab_covers(order.lab, row.item, "", order.product_name):
                method = ""
            else:
                skipped.append(row.item)
                continue
        if not method:
            line = ScopeLine.objects.filter(institution=order.lab).filter(_parameter_q(row.item)).first()
            method = line.method_standard if line else ""
        item = TestItem.objects.create(
            order=order,
            seq=seq,
            parameter=row.item,
            method_standard=method,
            method_warning=method_warning(method),
            requirement=row.requirement,
            unit=row.unit,
            requirement_source=f"{order.product_standard.canonical} {row.item}"[:200],
        )
        present.add(normalise(row.item))
        added.append(item)
        seq += 1
    _record(order, by, "items_from_standard", "", {"added": len(added), "skipped": skipped})
    return added, skipped
