"""The one set of pages every directory entity is served by: list, detail, create, edit, XLSX export.

An entity (enterprise, institution, station, expert) is a small ``Entity`` subclass that names its
selectors, service module, forms, messages and export columns; ``Entity.views()`` gives the five view
functions, which ``views.py`` binds to the URL names ``directory:<name>-list`` and so on. Reads go
through the selectors (a record outside the user's scope is a 404), writes through the services (their
``ValidationFailed`` errors are shown field by field on the form, their ``PermissionDenied`` is a 403
page). Lists are paginated and filterable, and each can be exported with the same filters, personal
data masked.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import selectors as web_selectors
from nqihub.core.errors import DomainError, PermissionDenied, ValidationFailed
from nqihub.core.http import form_data, is_htmx, scoped_or_404
from nqihub.core.xlsx import xlsx_response

from . import selectors, services
from . import services_resources as resources

PAGE_SIZE = 25
EXPORT_MAX_ROWS = 50_000


# --- helpers -------------------------------------------------------------------------------------------------


def forbid(exc: DomainError):
    raise Forbidden(exc.message) from exc


def page_of(request, qs, size=PAGE_SIZE, param="page"):
    return Paginator(qs, size).get_page(request.GET.get(param))


def render_list(request, template: str, partial: str, context: dict):
    if is_htmx(request) and request.headers.get("HX-Target") == "list-body":
        return render(request, partial, context)
    return render(request, template, context)


def filter_form(form_class, request, **kwargs):
    selected = request.GET.get("region", "")
    form = form_class(
        request.GET if request.GET else None,
        region_choices=web_selectors.region_filter_choices(request.user, selected),
        **kwargs,
    )
    if selected and selected not in dict(form.fields["region"].widget.choices):
        label = web_selectors.region_label_for(selected)
        if label:
            form.fields["region"].widget.choices.append((selected, label))
    if "industry" in form.fields:
        form.set_industry_choices(
            web_selectors.industry_division_choices(), request.GET.get("industry", "").upper()
        )
    return form


def export_note(total: int) -> str:
    if total > EXPORT_MAX_ROWS:
        return _("共 %(total)d 条，仅导出前 %(max)d 条；请缩小筛选范围后分批导出。") % {
            "total": total,
            "max": EXPORT_MAX_ROWS,
        }
    return _("导出时间：%(at)s；共 %(total)d 条。") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "total": total,
    }


def export(request, *, what: str, qs, filters: dict, headers, row, title: str):
    total = qs.count()
    rows = (row(obj) for obj in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000))
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response = xlsx_response(filename, title, headers, rows, note=export_note(total))
    resources.record_export(by=request.user, what=what, filters=filters, rows=min(total, EXPORT_MAX_ROWS))
    return response


def yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def merged(form) -> dict:
    """The form's cleaned values, with an empty value in place of each field that failed its own
    checks, so that the service's validator can report on every other field at the same time."""
    values = {}
    for name, field in form.fields.items():
        if name in form.cleaned_data:
            values[name] = form.cleaned_data[name]
        elif isinstance(field, forms.MultipleChoiceField):
            values[name] = []
        elif isinstance(field, forms.DateField | forms.TypedChoiceField):
            values[name] = None
        else:
            values[name] = ""
    return values


def save_form(request, form, save, *, success_message: str, validate=None):
    """Run a service on a valid form; on ``ValidationFailed`` put the errors on the form (nothing is
    saved: the service runs in one transaction). When the form itself is invalid, the service's
    validator still runs on the other fields so that every error shows at once. Returns the saved
    object or None."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        if validate is not None:
            try:
                validate(merged(form))
            except ValidationFailed as exc:
                form.add_service_errors({k: v for k, v in exc.errors.items() if k not in form.errors})
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationFailed as exc:
        form.add_service_errors(exc.errors)
        return None
    except PermissionDenied as exc:
        forbid(exc)
    messages.success(request, success_message)
    return obj


# --- the generic entity ----------------------------------------------------------------------------------------


class Entity:
    """One entity of the directory. ``name`` is the URL-name stem, the template stem, the context key of
    the record, the stem of its scoped selectors (``selectors.<name>_list`` / ``<name>_get``) and the
    keyword of its service functions (``<name>_create``, ``<name>_update(<name>=…)``, ``validate_<name>``)
    in ``service``. Texts are lazy: they are translated when a page is drawn."""

    name: str
    service = resources
    filter_form: type
    form: type
    prefetch: tuple[str, ...] = ()
    create_denied = edit_denied = ""
    created = saved = create_title = edit_title = ""
    export_title = ""
    export_headers: tuple = ()

    # --- what each entity says -----------------------------------------------------------------------------
    def can_create(self, user) -> bool:
        raise NotImplementedError

    def can_edit(self, user, obj) -> bool:
        return services.can_edit(user, obj)

    def data(self, cleaned):
        """The service's data object from the form's cleaned values."""
        raise NotImplementedError

    def validate(self, data, instance=None):
        return getattr(self.service, f"validate_{self.name}")(data)

    def detail_context(self, request, obj, can_edit: bool) -> dict:
        return {}

    def edit_state(self, request, obj) -> tuple[dict, dict]:
        """(the edit form's initial values, more context for the form page)."""
        raise NotImplementedError

    def form_kwargs(self, request, obj=None) -> dict:
        return {}

    def form_context(self) -> dict:
        return {}

    def row(self, obj) -> list:
        raise NotImplementedError

    # --- the pages -----------------------------------------------------------------------------------------
    def queryset(self, request):
        form = filter_form(self.filter_form, request)
        filters = form.filters()
        qs = getattr(selectors, f"{self.name}_list")(fetched_by=request.user, **filters)
        return form, filters, qs.select_related("region__parent__parent").prefetch_related(*self.prefetch)

    def get(self, request, pk):
        return scoped_or_404(getattr(selectors, f"{self.name}_get"), request, pk)

    def list_view(self, request):
        form, _filters, qs = self.queryset(request)
        context = {
            "form": form,
            "page_obj": page_of(request, qs),
            "can_create": self.can_create(request.user),
        }
        return render_list(
            request,
            f"directory/{self.name}_list.html",
            f"directory/_partials/{self.name}_list_body.html",
            context,
        )

    def detail_page(self, request, obj, **overrides):
        can_edit = overrides.pop("can_edit", None)
        if can_edit is None:
            can_edit = self.can_edit(request.user, obj)
        context = {self.name: obj, "can_edit": can_edit}
        context.update(self.detail_context(request, obj, can_edit))
        context.update(overrides)
        return render(request, f"directory/{self.name}_detail.html", context)

    def detail_view(self, request, pk):
        return self.detail_page(request, self.get(request, pk))

    def _form_page(self, request, *, obj, form, save, success_message, title, cancel_url, extra):
        saved = save_form(
            request,
            form,
            lambda c: save(self.data(c)),
            success_message=str(success_message),
            validate=lambda c: self.validate(self.data(c), instance=obj),
        )
        if saved is not None:
            return redirect(f"directory:{self.name}-detail", saved.pk)
        context = {"form": form, "title": str(title), "cancel_url": cancel_url}
        if obj is not None:
            context["subject"] = obj
        context.update(extra)
        context.update(self.form_context())
        return render(request, "directory/form.html", context)

    def create_view(self, request):
        if not self.can_create(request.user):
            raise Forbidden(str(self.create_denied))
        create = getattr(self.service, f"{self.name}_create")
        return self._form_page(
            request,
            obj=None,
            form=self.form(form_data(request), **self.form_kwargs(request)),
            save=lambda data: create(data=data, by=request.user),
            success_message=self.created,
            title=self.create_title,
            cancel_url=reverse(f"directory:{self.name}-list"),
            extra={},
        )

    def edit_view(self, request, pk):
        obj = self.get(request, pk)
        if not self.can_edit(request.user, obj):
            raise Forbidden(str(self.edit_denied))
        initial, extra = self.edit_state(request, obj)
        update = getattr(self.service, f"{self.name}_update")
        return self._form_page(
            request,
            obj=obj,
            form=self.form(form_data(request), initial=initial, **self.form_kwargs(request, obj)),
            save=lambda data: update(**{self.name: obj}, data=data, by=request.user),
            success_message=self.saved,
            title=self.edit_title,
            cancel_url=reverse(f"directory:{self.name}-detail", args=[obj.pk]),
            extra=extra,
        )

    def export_view(self, request):
        _form, filters, qs = self.queryset(request)
        return export(
            request,
            what=self.name,
            qs=qs,
            filters=filters,
            headers=[str(h) for h in self.export_headers],
            row=self.row,
            title=str(self.export_title),
        )

    def views(self):
        """The five view functions: list, detail, create, edit, export (each behind the sign-in), named
        ``<name>_list`` and so on."""
        pages = (self.list_view, self.detail_view, self.create_view, self.edit_view, self.export_view)
        views = []
        for page in pages:
            view = login_required(page)
            view.__name__ = view.__qualname__ = f"{self.name}_{page.__name__.removesuffix('_view')}"
            views.append(view)
        return tuple(views)
