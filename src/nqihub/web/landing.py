"""The front door for visitors (like the 一网通办 portals): what the platform offers, the quality service
stations by region, and the public services anyone may use without an account. Signed-in users keep their
own home (``views.home``)."""

from collections import OrderedDict

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Region
from nqihub.directory.models import Expert, Institution, Station

from . import views

#: The five NQI elements the platform brings together (SPEC §1), with what an enterprise gets from each.
OFFERS = [
    ("bi-speedometer2", _("计量"), _("计量器具检定校准预约、到期提醒、测量问题咨询。")),
    ("bi-journal-bookmark", _("标准"), _("标准查询与跟踪、标准制修订辅导、团体标准起草。")),
    ("bi-patch-check", _("认证认可"), _("认证咨询与辅导、证书到期提醒、获证情况管理。")),
    ("bi-clipboard2-pulse", _("检验检测"), _("检测能力查找、委托送检、报告在线签发与真伪查询。")),
    ("bi-graph-up-arrow", _("质量管理"), _("质量问题诊断、专家上门服务、质量提升帮扶。")),
]


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # a service not installed on this site
        return None


def public_services() -> list[dict]:
    """The services a visitor may use without signing in (each one click from here)."""
    services = [
        ("bi-search", _("办件进度查询"), _("凭需求编号和查询码查看办理进度。"), "desk:track"),
        ("bi-qr-code-scan", _("报告真伪查询"), _("核验检验检测报告编号与防伪校验码。"), "testing:verify"),
        ("bi-tags", _("标签合规检查"), _("对照国家标准检查食品、纺织品等产品标签。"), "labels:check"),
        ("bi-lightbulb", _("典型案例"), _("各地质量服务站解决企业难题的案例。"), "cases:list"),
        ("bi-book", _("政策与办事指南"), _("质量政策、标准解读和办事指南。"), "cases:articles"),
        ("bi-bar-chart", _("公开统计"), _("服务企业数量、办结率、满意度等公开数据。"), "stats:public"),
    ]
    out = []
    for icon, label, text, name in services:
        url = _url(name)
        if url:
            out.append({"icon": icon, "label": label, "text": text, "url": url})
    return out


def stations_by_region() -> list[dict]:
    """Stations grouped by province and prefecture (from the directory), demo stations marked."""
    stations = list(Station.objects.select_related("region").order_by("region_id", "name"))
    codes = set()
    for s in stations:
        codes.add(s.region_id[:2] + "0000")
        codes.add(s.region_id[:4] + "00")
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    provinces: OrderedDict[str, dict] = OrderedDict()
    for s in stations:
        p_code, c_code = s.region_id[:2] + "0000", s.region_id[:4] + "00"
        province = provinces.setdefault(
            p_code, {"code": p_code, "name": names.get(p_code, p_code), "cities": OrderedDict()}
        )
        city_name = names.get(c_code) if c_code != p_code else None
        if city_name in (None, "市辖区"):
            city_name = s.region.name if s.region_id != p_code else province["name"]
        city = province["cities"].setdefault(c_code, {"name": city_name, "stations": []})
        city["stations"].append(s)
    return [
        {
            **p,
            "cities": list(p["cities"].values()),
            "count": sum(len(c["stations"]) for c in p["cities"].values()),
        }
        for p in provinces.values()
    ]


def landing(request):
    groups = stations_by_region()
    context = {
        "offers": OFFERS,
        "services": public_services(),
        "regions": groups,
        "totals": {
            "stations": sum(g["count"] for g in groups),
            "institutions": Institution.objects.count(),
            "experts": Expert.objects.count(),
        },
        "register_url": _url("accounts:register"),
        "login_url": reverse("accounts:login"),
        "submit_url": reverse("accounts:login") + "?next=" + reverse("desk:request-create"),
    }
    return render(request, "web/landing.html", context)


def home_or_landing(request):
    """``/``: the visitor's landing page, or the signed-in user's home."""
    if request.user.is_authenticated:
        return views.home(request)
    return landing(request)
