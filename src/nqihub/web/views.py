"""The shell of the site: home page, audit log, pickers for regions and industries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from nqihub.core import workcalendar
from nqihub.core.models import Membership, Organisation
from nqihub.core.scoping import scope_of
from nqihub.directory import selectors as directory
from nqihub.directory.navigation import sees_enterprise_list
from nqihub.standards import selectors as standards

from . import selectors, today


def _quick_links(user, scope) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the actions a user of these roles starts from."""
    links: list[tuple[str, str, str]] = []
    station_orgs = scope.org_ids_of_kind(Organisation.Kind.STATION)
    if scope.is_regulator or station_orgs:
        links.append((_("登记企业"), reverse("directory:enterprise-create"), "bi-building-add"))
    if scope.is_regulator:
        links += [
            (_("新增技术机构"), reverse("directory:institution-create"), "bi-clipboard2-plus"),
            (_("新增服务站"), reverse("directory:station-create"), "bi-geo-alt"),
            (_("新增专家"), reverse("directory:expert-create"), "bi-person-plus"),
        ]
    elif station_orgs or scope.org_ids_of_kind(Organisation.Kind.INSTITUTION):
        if Membership.Role.STATION_STAFF in scope.roles or Membership.Role.INSTITUTION_STAFF in scope.roles:
            links.append((_("新增专家"), reverse("directory:expert-create"), "bi-person-plus"))
    links.append((_("查找检测能力"), reverse("directory:capability-search"), "bi-search"))
    links.append((_("查找服务站"), reverse("directory:station-list"), "bi-geo-alt"))
    links.append((_("查找专家"), reverse("directory:expert-list"), "bi-person-badge"))
    if scope.is_regulator:
        links.append((_("审计日志"), reverse("web:audit-log"), "bi-journal-text"))
    return links


@login_required
def home(request):
    user = request.user
    scope = scope_of(user)
    memberships = selectors.memberships_of(user)
    enterprises = directory.enterprise_list(fetched_by=user)
    own_institutions = list(
        directory.institution_list(fetched_by=user).filter(
            organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.INSTITUTION)
        )[:5]
    )
    own_stations = list(
        directory.station_list(fetched_by=user).filter(
            organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.STATION)
        )[:5]
    )
    own_enterprises = list(
        enterprises.filter(organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))[:5]
    )
    expert_profile = directory.expert_list(fetched_by=user).filter(user=user).first()
    counts = [
        (
            pgettext_lazy("plural", "企业") if sees_enterprise_list(scope) else _("我的企业"),
            enterprises.count(),
            reverse("directory:enterprise-list"),
            "bi-building",
        ),
        (
            pgettext_lazy("plural", "技术机构"),
            directory.institution_list(fetched_by=user).count(),
            reverse("directory:institution-list"),
            "bi-clipboard2-pulse",
        ),
        (
            pgettext_lazy("plural", "服务站"),
            directory.station_list(fetched_by=user).count(),
            reverse("directory:station-list"),
            "bi-geo-alt",
        ),
        (
            pgettext_lazy("plural", "专家"),
            directory.expert_list(fetched_by=user).count(),
            reverse("directory:expert-list"),
            "bi-person-badge",
        ),
    ]
    work = today.sections(user)
    return render(
        request,
        "web/home.html",
        {
            "work": work,
            "work_total": sum(s.total for s in work),
            "memberships": memberships,
            "counts": counts,
            "quick_links": _quick_links(user, scope),
            "own_enterprises": own_enterprises,
            "own_institutions": own_institutions,
            "own_stations": own_stations,
            "expert_profile": expert_profile,
            "scope": scope,
            "regulator_regions": selectors.region_roots(user) if scope.regulator_prefixes else [],
            "calendar_warning": _calendar_warning(scope),
        },
    )


def _calendar_warning(scope) -> str:
    """For admins, from December: next year's holidays are not in the calendar yet (issue 16 item 9)."""
    if not scope.is_admin:
        return ""

    return workcalendar.next_year_warning()


def _options(request, find, *args):
    """The ``<option>`` list of a type-ahead: ``find(typed text, *args)`` → ``[(code, label)]``; the typed
    text is in the GET parameter named by ``field`` (the input's own name)."""
    field = request.GET.get("field", "q")[:40]
    options = find(request.GET.get(field, "")[:40], *args)
    return render(request, "web/_partials/options.html", {"options": options})


@require_GET
def region_options(request):
    """Public: administrative divisions (GB/T 2260) are public data, and the self-registration form of a
    visitor picks its county with this."""
    return _options(request, selectors.region_options, request.GET.get("level", ""))


@login_required
@require_GET
def industry_options(request):
    return _options(request, selectors.industry_options)


@login_required
@require_GET
def ics_options(request):
    """The ICS classes for the type-ahead of the standards list's filter (public reference data)."""
    return _options(request, standards.ics_options)


@require_GET
def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page says: the site icon (a permanent redirect)."""
    return redirect(static("nqihub/favicon.svg"), permanent=True)
