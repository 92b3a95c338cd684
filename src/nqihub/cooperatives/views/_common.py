"""What every cooperatives page shares: running a service, the cooperative's tabs, a period, a page."""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import scoped_or_404

from .. import selectors, services
from ..forms import PeriodForm
from ..models import MemberStatus

PAGE_SIZE = 25


def _run(request, form, action, success: str):
    """Run a service; put its errors on the form. Returns the result or None."""
    try:
        result = action()
    except ValidationFailed as exc:
        if form is not None:
            form.add_service_errors(exc.errors)
        else:
            messages.error(request, " ".join(str(m) for m in exc.errors.values()))
        return None
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result if result is not None else True


def on_record(getter, *, post: bool = False):
    """A signed-in view of one record that the user may see: ``getter`` is its scoped ``*_get`` selector
    (404 otherwise), and the view is called with the record in place of the URL's ``pk``. ``post``: the
    view takes POST only."""

    def wrap(view):
        @wraps(view)
        def with_record(request, pk: int, **kwargs):
            return view(request, scoped_or_404(getter, request, pk), **kwargs)

        return login_required(require_POST(with_record) if post else with_record)

    return wrap


def _act(request, to, success: str, action, **data):
    """A form-less POST: run ``action(by=the user, **data)`` (its errors become messages), then go to the
    URL ``to``."""
    _run(request, None, lambda: action(by=request.user, **data), success)
    return redirect(to)


def _status(request) -> int:
    """A page answering a POST is a form sent back with errors (422)."""
    return 422 if request.method == "POST" else 200


def _coop_context(request, coop, tab: str) -> dict:
    return {
        "coop": coop,
        "tab": tab,
        "is_staff": services.is_staff_of(request.user, coop),
        "sees_members": selectors.sees_members(request.user, coop),
        "own_members": list(selectors.own_members(request.user, coop)),
        "today": timezone.localdate(),
    }


def _form_page(request, coop, form, title: str, template: str = "cooperatives/form.html"):
    """A form on the cooperative's overview tab."""
    context = {**_coop_context(request, coop, "overview"), "form": form, "title": title}
    return render(request, template, context, status=_status(request))


def _list_with_create(
    request, context: dict, form, *, refused: str, create, success: str, detail: str, **page
):
    """A list page (``page``: template and listing) with the staff's create form (None for others): a
    POST creates through ``create(**cleaned_data)`` and goes to ``detail`` of the new record."""
    template = page.pop("template")
    if request.method == "POST":
        if form is None:
            raise Forbidden(refused)
        if form.is_valid():
            created = _run(request, form, lambda: create(**form.cleaned_data), success)
            if created:
                return redirect(detail, created.pk)
    context.update({**page, "form": form})
    return render(request, template, context, status=_status(request))


def _active_members(request, coop):
    return selectors.member_list(fetched_by=request.user, cooperative=coop, status=MemberStatus.ACTIVE)


def _period(request) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    date_from, date_to = date(today.year, 1, 1), today
    if form.is_valid():
        date_from = form.cleaned_data.get("date_from") or date_from
        date_to = form.cleaned_data.get("date_to") or date_to
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return form, date_from, date_to


def _page_of(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
