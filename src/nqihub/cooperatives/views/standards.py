"""Shared standards and label templates the cooperative publishes to its members."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nqihub.core.http import form_data, get_or_404

from .. import selectors, services
from ..forms import LabelTemplateForm, SharedStandardForm
from ._common import _act, _coop_context, _run, _status, on_record


def _standards_url(coop) -> str:
    return reverse("cooperatives:detail", args=[coop.pk]) + "#standards"


@on_record(selectors.cooperative_get, post=True)
def standard_add(request, coop):
    form = SharedStandardForm(request.POST)
    form.is_valid()
    return _act(
        request,
        _standards_url(coop),
        _("统一标准已发布。"),
        services.shared_standard_add,
        cooperative=coop,
        number=form.cleaned_data.get("number", ""),
        note=form.cleaned_data.get("note", ""),
    )


@on_record(selectors.cooperative_get, post=True)
def standard_remove(request, coop, standard_id: int):
    shared = get_or_404(
        selectors.shared_standards(fetched_by=request.user, cooperative=coop).get, pk=standard_id
    )
    return _act(
        request, _standards_url(coop), _("已撤下该标准。"), services.shared_standard_remove, shared=shared
    )


def _field_value(value) -> str:
    """A label field as one line of text: booleans as true/false, a fibre list as "棉 60% 涤纶 40%"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(
            f"{v.get('fibre', '')} {v.get('percent', '')}%" if isinstance(v, dict) else str(v) for v in value
        )
    return str(value)


def _checker_url(template) -> str:
    params = {"category": template.category}
    for key, value in (template.fields or {}).items():
        params[key] = _field_value(value)
    return "/labels/?" + urlencode(params)


def _fields_text(fields: dict) -> str:
    return "\n".join(f"{key}: {_field_value(value)}" for key, value in (fields or {}).items())


@on_record(selectors.cooperative_get)
def label_template(request, coop, template_id: int | None = None):
    template = None
    if template_id is not None:
        template = get_or_404(
            selectors.label_template_get, fetched_by=request.user, cooperative=coop, pk=template_id
        )
    context = _coop_context(request, coop, "overview")
    staff = context["is_staff"]
    if template is None and not staff:
        raise Forbidden(_("只有合作社管理员可以发布标签模板。"))
    form = None
    if staff:
        initial = (
            {
                "name": template.name,
                "category": template.category,
                "fields_text": _fields_text(template.fields),
            }
            if template
            else {"category": "textile"}
        )
        form = LabelTemplateForm(
            form_data(request), initial=initial, categories=services.label_category_choices()
        )
        if request.method == "POST" and form.is_valid():
            saved = _run(
                request,
                form,
                lambda: services.label_template_save(
                    cooperative=coop,
                    template=template,
                    name=form.cleaned_data["name"],
                    category=form.cleaned_data["category"],
                    fields=form.cleaned_data["fields_text"],
                    by=request.user,
                ),
                _("标签模板已保存。"),
            )
            if saved:
                return redirect("cooperatives:label-template", coop.pk, saved.pk)
    elif request.method == "POST":
        raise Forbidden(_("只有合作社管理员可以修改标签模板。"))
    findings = selectors.label_findings(template) if template else None
    context.update(
        {
            "template": template,
            "form": form,
            "findings": findings,
            "checker_url": _checker_url(template) if template else "",
            "fields_text": _fields_text(template.fields) if template else "",
        }
    )
    return render(request, "cooperatives/label_template.html", context, status=_status(request))
