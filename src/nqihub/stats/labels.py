"""Names for what the figures are keyed by (regions, stations, categories, industries, months) and for the
figures themselves (table headers, XLSX columns)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Industry, Region
from nqihub.desk.models import Category
from nqihub.directory.models import Station

#: (key, label, kind) of the figures shown in tables and exports, in order. kind: int, money, rate, hours, mean.
FIGURES = [
    ("services", gettext_lazy("服务需求数"), "int"),
    ("enterprises_helped", gettext_lazy("服务企业数"), "int"),
    ("problems_solved", gettext_lazy("解决技术难题"), "int"),
    ("resolved", gettext_lazy("办结数"), "int"),
    ("cost_saved", gettext_lazy("节约成本（元）"), "money"),
    ("loss_avoided", gettext_lazy("避免损失（元）"), "money"),
    ("satisfaction_mean", gettext_lazy("平均满意度（1–5）"), "mean"),
    ("satisfaction_high_share", gettext_lazy("满意率（4–5星）"), "rate"),
    ("median_accept_hours", gettext_lazy("受理用时中位数（小时）"), "hours"),
    ("median_resolve_hours", gettext_lazy("办结用时中位数（小时）"), "hours"),
    ("overdue_rate", gettext_lazy("超期率"), "rate"),
]
FIGURE_LABELS = {k: label for k, label, _kind in FIGURES}
#: The pass rates a cooperative's row adds (``selectors.cooperative_pass_rates``).
COOPERATIVE_FIGURES = [
    ("inspection_pass_rate", gettext_lazy("巡检合格率"), "rate"),
    ("cooperative_test_pass_rate", gettext_lazy("送检合格率"), "rate"),
    ("combined_pass_rate", gettext_lazy("综合合格率"), "rate"),
]
#: Figures a map may be coloured by.
MAP_FIGURES = [
    "services",
    "enterprises_helped",
    "problems_solved",
    "cost_saved",
    "loss_avoided",
    "satisfaction_mean",
    "overdue_rate",
]


def dimension_filter(*, category: str = "", industry: str = "", station: str = "") -> tuple[str, str | None]:
    given = [
        (k, v.strip())
        for k, v in (("category", category), ("industry", industry), ("station", station))
        if v and v.strip()
    ]
    if not given:
        return "station", None
    if len(given) > 1:
        raise ValidationFailed({given[1][0]: _("一次只能按一个维度筛选（NQI要素、行业或服务站）。")})
    dim, value = given[0]
    if dim == "category" and value not in Category.values:
        raise ValidationFailed(
            {
                "category": _("NQI要素应为：%(v)s。")
                % {"v": "、".join(str(label) for label in Category.labels)}
            }
        )
    if dim == "industry" and not (len(value) == 2 and value.isdigit()):
        raise ValidationFailed({"industry": _("行业应为2位行业大类代码，如 14。")})
    if dim == "station" and not value.isdigit():
        raise ValidationFailed({"station": _("服务站应为数字 id。")})
    return dim, value


def label_rows(rows: list[dict], by: str, region_code: str) -> list[dict]:
    """Adds ``label`` to each breakdown row (one query per call at most)."""
    keys = [r["key"] for r in rows]
    if by == "child_region":
        names = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
        county = region_code[4:] != "00"
        for r in rows:
            name = names.get(r["key"], r["key"])
            # Rows of the region itself (its city or provincial platform) sit beside its children.
            r["label"] = (
                _("%(name)s（本级平台）") % {"name": name} if r["key"] == region_code and not county else name
            )
    elif by == "station":
        names = dict(
            Station.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()]).values_list("pk", "name")
        )
        for r in rows:
            r["label"] = names.get(int(r["key"]), r["key"]) if r["key"].isdigit() else _("市/省级平台")
    elif by == "category":
        names = dict(Category.choices)
        for r in rows:
            r["label"] = str(names.get(r["key"], r["key"]))
    elif by == "industry":
        names = dict(Industry.objects.filter(code__in=keys).values_list("code", "name"))
        for r in rows:
            r["label"] = (
                f"{r['key']} {names[r['key']]}"
                if r["key"] in names
                else (_("未填行业") if not r["key"] else r["key"])
            )
    elif by == "month":
        for r in rows:
            r["label"] = f"{r['key'][:4]}-{r['key'][4:]}"
    return rows


def format_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "mean":
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
