"""Shared standards and label templates the cooperative publishes to its members."""

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require

from ..models import Cooperative, LabelTemplate, SharedStandard
from ._common import _clean, _raise, is_staff_of

# --- shared standards and label templates ----------------------------------------------------------------


@transaction.atomic
def shared_standard_add(*, cooperative: Cooperative, number: str, note: str = "", by) -> SharedStandard:
    from nqihub.standards.selectors import standard_lookup

    require(is_staff_of(by, cooperative), _("只有合作社管理员可以发布统一标准。"))
    errors: dict[str, str] = {}
    note = _clean(note, 200, "note", _("用途说明"), errors)
    number = " ".join(str(number or "").split())
    standard = None
    if not number:
        errors["number"] = _("请填写标准号，如 GB/T 22796-2021。")
    else:
        try:
            found = standard_lookup(fetched_by=by, number=number)
        except ValueError as exc:
            errors["number"] = str(exc)
        else:
            standard = found.standard
            if standard is None:
                errors["number"] = _("标准目录中没有 %(n)s。") % {"n": found.number}
            elif standard.status == standard.Status.ABOLISHED:
                errors["number"] = _("%(n)s 已废止，请发布现行标准。") % {"n": standard.canonical}
    _raise(errors)
    if SharedStandard.objects.filter(cooperative=cooperative, standard=standard).exists():
        raise ValidationFailed({"number": _("%(n)s 已在本合作社的统一标准中。") % {"n": standard.canonical}})
    shared = SharedStandard.objects.create(cooperative=cooperative, standard=standard, note=note)
    audit.record(by, "cooperatives.standard.published", shared, {"standard": standard.canonical})
    return shared


@transaction.atomic
def shared_standard_remove(*, shared: SharedStandard, by) -> None:
    require(is_staff_of(by, shared.cooperative), _("只有合作社管理员可以修改统一标准。"))
    audit.record(by, "cooperatives.standard.withdrawn", shared, {"standard": shared.standard_id})
    shared.delete()


def parse_label_fields(text: str) -> dict:
    """``key: value`` (or ``key=value``) per line → dict; ``true``/``false``/是/否 → bool."""
    fields: dict = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (":", "：", "="):
            if sep in line:
                key, value = line.split(sep, 1)
                break
        else:
            raise ValueError(_("无法识别的一行“%(line)s”：每行应为“字段: 值”。") % {"line": line[:60]})
        key, value = key.strip(), value.strip()
        if value.lower() in ("true", "是", "yes"):
            value = True
        elif value.lower() in ("false", "否", "no"):
            value = False
        fields[key] = value
    return fields


def label_category_choices() -> list[tuple[str, str]]:
    """``[(key, title)]`` of the label checker's rule packs (``nqihub.labels.categories``)."""
    try:
        from nqihub.labels import categories
    except ImportError:
        return [("textile", _("纺织品")), ("prepackaged_food", _("预包装食品"))]
    return [(str(key), str(title)) for key, title in categories()]


def label_categories() -> list[str]:
    return [key for key, _title in label_category_choices()]


@transaction.atomic
def label_template_save(
    *,
    cooperative: Cooperative,
    name: str,
    category: str,
    fields,
    by,
    template: LabelTemplate | None = None,
    is_demo: bool = False,
) -> LabelTemplate:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以发布标签模板。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("模板名称"), errors, required=True)
    if category not in label_categories():
        errors["category"] = _("标签类别应为：%(c)s。") % {"c": "、".join(label_categories())}
    if isinstance(fields, str):
        try:
            fields = parse_label_fields(fields)
        except ValueError as exc:
            errors["fields"] = str(exc)
            fields = {}
    if not isinstance(fields, dict) or (not fields and "fields" not in errors):
        errors["fields"] = _("请填写标签内容（每行“字段: 值”）。")
    _raise(errors)
    if template is None:
        template = LabelTemplate.objects.create(
            cooperative=cooperative, name=name, category=category, fields=fields, is_demo=is_demo
        )
        audit.record(by, "cooperatives.label_template.created", template, {"category": category})
    else:
        template = LabelTemplate.objects.select_for_update(of=("self",)).get(
            pk=template.pk, cooperative=cooperative
        )
        template.name, template.category, template.fields = name, category, fields
        template.version += 1
        template.save()
        audit.record(by, "cooperatives.label_template.updated", template, {"version": template.version})
    return template
