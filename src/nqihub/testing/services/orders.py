"""Creating an order, and its samples and sample photos."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Organisation
from nqihub.core.policy import require
from nqihub.directory.matching import parameters_named_in
from nqihub.directory.models import Enterprise, Institution
from nqihub.directory.vocabulary import normalise

from .. import states
from ..models import OrderStatus, Sample, SamplePhoto, TestItem, TestKind, TestOrder
from .access import _cooperative_member, client_origin, is_client, is_lab_staff
from .base import MAX_ITEMS, MAX_SAMPLES, PHOTO_TYPES, PRODUCT_MAX, REMARKS_MAX, TEXT_MAX, Immutable
from .capability import (
    _clean_item,
    _clean_one,
    _clean_sample,
    method_warning,
    resolve_standard,
    uncovered,
)
from .codes import _order_number
from .events import _lock, _record
from .items import _lock_editable, _remove_one
from .workflow import order_submit


def request_items(service_request) -> list[dict]:
    """The test items a service request names in its title and description (vocabulary parameters, in the
    order named): what an order opened from the request starts with."""
    text = f"{service_request.title}\n{service_request.product}\n{service_request.description}"
    return [{"parameter": name} for name in parameters_named_in(text)]


@transaction.atomic
def order_create(
    *,
    by,
    lab: Institution,
    enterprise: Enterprise,
    product_name: str,
    items: list[dict],
    cooperative: Organisation | None = None,
    service_request=None,
    **extra,
) -> TestOrder:
    """A new order (a draft, or submitted at once with ``submit=True``).

    ``extra``: ``samples`` (list of dicts: name, model_spec, batch, quantity; default one sample named as
    the product), ``product_standard`` (a Standard, its id or its number), ``test_kind``, ``remarks``,
    ``client_address``, ``submit``, ``is_demo``. Items without a requirement take it from the product
    standard's requirement table where it has a row for the parameter. The lab must cover every item.
    """
    unknown = set(extra) - {
        "samples",
        "product_standard",
        "test_kind",
        "remarks",
        "client_address",
        "submit",
        "is_demo",
    }
    if unknown:
        raise TypeError(f"unknown arguments: {sorted(unknown)}")
    if cooperative is not None and cooperative.kind != Organisation.Kind.COOPERATIVE:
        raise ValidationFailed({"cooperative": _("所选组织不是质量合作社。")})
    origin = client_origin(by, enterprise, cooperative)
    require(origin is not None, _("您无权为该企业委托检测。"))
    errors: dict[str, str] = {}
    if cooperative is not None and _cooperative_member(cooperative, enterprise) is False:
        errors["enterprise"] = _("%(e)s 不是 %(c)s 的在社成员。") % {
            "e": enterprise.name,
            "c": cooperative.name,
        }
    if lab is None or lab.kind != Institution.Kind.TESTING:
        errors["lab"] = _("请选择一家检验检测机构。")
    product_name = " ".join((product_name or "").split())
    if not product_name:
        errors["product_name"] = _("请填写样品/产品名称。")
    elif len(product_name) > PRODUCT_MAX:
        errors["product_name"] = _("产品名称不能超过%(n)d个字符。") % {"n": PRODUCT_MAX}
    test_kind = extra.get("test_kind") or TestKind.COMMISSIONED
    if test_kind not in TestKind.values:
        errors["test_kind"] = _("检验类别应为：%(v)s。") % {
            "v": "、".join(f"{v}（{label}）" for v, label in TestKind.choices)
        }
    remarks = (extra.get("remarks") or "").strip()
    if len(remarks) > REMARKS_MAX:
        errors["remarks"] = _("备注不能超过%(n)d个字符。") % {"n": REMARKS_MAX}
    address = " ".join((extra.get("client_address") or enterprise.address or "").split())[:TEXT_MAX]
    if errors:
        raise ValidationFailed(errors)
    standard, standard_text = resolve_standard(extra.get("product_standard"))
    if not items and service_request is not None:
        items = request_items(service_request)
    if not isinstance(items, list | tuple) or not items:
        raise ValidationFailed({"items": _("请至少添加一个检测项目。")})
    if len(items) > MAX_ITEMS:
        raise ValidationFailed({"items": _("检测项目不能超过%(n)d个。") % {"n": MAX_ITEMS}})
    cleaned = [_clean_item(raw, standard=standard, field=f"items.{i}") for i, raw in enumerate(items)]
    seen: set[str] = set()
    for i, item in enumerate(cleaned):
        key = normalise(item["parameter"]) + "|" + normalise(item["method_standard"])
        if key in seen:
            raise ValidationFailed(
                {f"items.{i}.parameter": _("检测项目“%(p)s”重复。") % {"p": item["parameter"]}}
            )
        seen.add(key)
    missing = uncovered(lab, cleaned, product_name)
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。请选择能力覆盖全部项目的机构。")
                % {"lab": lab.name, "items": "、".join(missing)}
            }
        )
    raw_samples = extra.get("samples")
    if raw_samples is None:
        raw_samples = [{"name": product_name}]
    if not isinstance(raw_samples, list | tuple) or len(raw_samples) > MAX_SAMPLES:
        raise ValidationFailed({"samples": _("样品最多%(n)d个。") % {"n": MAX_SAMPLES}})
    samples = [_clean_sample(raw, f"samples.{i}") for i, raw in enumerate(raw_samples)]
    if service_request is not None:
        if service_request.enterprise_id != enterprise.pk:
            raise ValidationFailed({"service_request": _("服务需求的企业与委托企业不一致。")})
    order = TestOrder.objects.create(
        number=_order_number(timezone.localdate().year),
        enterprise=enterprise,
        region_id=enterprise.region_id,
        lab=lab,
        cooperative=cooperative,
        service_request=service_request,
        origin=origin,
        test_kind=test_kind,
        product_name=product_name,
        product_standard=standard,
        product_standard_text=standard_text,
        client_address=address,
        remarks=remarks,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        is_demo=bool(extra.get("is_demo")),
    )
    for values in samples:
        Sample.objects.create(order=order, **values)
    for seq, item in enumerate(cleaned, start=1):
        TestItem.objects.create(
            order=order, seq=seq, method_warning=method_warning(item["method_standard"]), **item
        )
    _record(
        order,
        by,
        "created",
        _("创建委托单"),
        {
            "enterprise": enterprise.pk,
            "lab": lab.pk,
            "cooperative": getattr(cooperative, "pk", None),
            "service_request": getattr(service_request, "pk", None),
            "items": len(cleaned),
        },
    )
    if service_request is not None:
        from nqihub.desk.models import Link
        from nqihub.desk.services import link_add

        link_add(
            request=service_request,
            kind=Link.Kind.TEST_ORDER,
            ref=order.number,
            title=f"{product_name} · {lab.name}"[:200],
            by=by,
        )
    if extra.get("submit"):
        order_submit(order=order, by=by)
        order.refresh_from_db()
    return order


@transaction.atomic
def sample_add(
    *, order: TestOrder, by, name: str, model_spec: str = "", batch: str = "", quantity: str = ""
) -> Sample:
    order = _lock_editable(order, by)
    values = _clean_one(
        _clean_sample,
        {"name": name, "model_spec": model_spec, "batch": batch, "quantity": quantity},
        field="sample",
    )
    if order.samples.count() >= MAX_SAMPLES:
        raise ValidationFailed({"name": _("样品最多%(n)d个。") % {"n": MAX_SAMPLES}})
    sample = Sample.objects.create(order=order, **values)
    _record(order, by, "sample_added", values["name"], {"sample": sample.pk})
    return sample


@transaction.atomic
def sample_remove(*, sample: Sample, by) -> None:
    _remove_one(sample, by, kind="sample", label=sample.name, last=_("委托单至少要有一个样品。"))


@transaction.atomic
def photo_add(*, sample: Sample, upload, by) -> SamplePhoto:
    from nqihub.desk.services import check_upload

    name, content_type = check_upload(upload)
    ext = name.rsplit(".", 1)[-1].lower()
    if ext not in PHOTO_TYPES:
        raise ValidationFailed({"file": _("样品照片只接受 JPG、PNG 图片。")})
    order = _lock(sample.order_id)
    if order.status in states.FINAL or order.status == states.ISSUED:
        raise Immutable(_("委托单当前为“%(s)s”，不能再上传照片。") % {"s": OrderStatus(order.status).label})
    require(is_client(by, order) or is_lab_staff(by, order.lab), _("您无权为该样品上传照片。"))
    photo = SamplePhoto(sample=sample, name=name, size=upload.size, content_type=content_type, uploaded_by=by)
    photo.file.save(name, upload, save=False)
    photo.save()
    _record(order, by, "photo_added", name, {"sample": sample.pk, "photo": photo.pk})
    return photo
