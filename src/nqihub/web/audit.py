"""The audit log page (统计分析 → 审计日志): search by actor, action, object and date; export as XLSX or
CSV (the export itself is audited). Platform administrators read every entry; regulators the entries of
actors in their region (``selectors.audit_entry_list``); nobody else."""

import csv
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from nqihub.core import audit
from nqihub.core.audit_labels import action_label
from nqihub.core.bounds import page_number
from nqihub.core.forms import BootstrapMixin
from nqihub.core.widgets import DateInput
from nqihub.core.xlsx import xlsx_response

from . import selectors

PAGE_SIZE = 50
#: At most this many entries in one export; narrow the filters for more.
EXPORT_MAX_ROWS = 100_000


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), max_length=100, required=False)
    actor = forms.CharField(label=gettext_lazy("操作人（用户名）"), max_length=150, required=False)
    action = forms.CharField(label=gettext_lazy("操作（前缀）"), max_length=64, required=False)
    object_type = forms.CharField(label=gettext_lazy("对象类型"), max_length=64, required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), max_length=64, required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data


def _entries(request):
    if not selectors.can_read_audit(request.user):
        raise PermissionDenied(_("只有监管人员和平台管理员可以查看审计日志。"))
    form = AuditFilterForm(request.GET or None)
    filters = {key: value for key, value in form.cleaned_data.items() if value} if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        # Bad filters show their errors and an empty list, never every entry.
        return form, filters, selectors.audit_entry_list(fetched_by=request.user).none()
    return form, filters, selectors.audit_entry_list(fetched_by=request.user, **filters)


@login_required
@require_GET
def audit_log(request):
    form, _filters, entries = _entries(request)
    page_obj = Paginator(entries, PAGE_SIZE).get_page(page_number(request))
    template = "web/_partials/audit_rows.html" if request.headers.get("HX-Request") else "web/audit_list.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"page_obj": page_obj, "form": form, "query": query.urlencode()})


HEADERS = [
    gettext_lazy("编号"),
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("操作"),
    gettext_lazy("操作代码"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("对象"),
    gettext_lazy("来源地址"),
    gettext_lazy("数据"),
    gettext_lazy("哈希（SM3）"),
]


def _row(entry) -> list:
    return [
        entry.pk,
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_username,
        action_label(entry.action),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.ip or "",
        str(entry.data) if entry.data else "",
        entry.hash,
    ]


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    # A cell that starts like a formula is prefixed, so that a spreadsheet shows it as text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
@require_GET
def audit_export(request):
    form, filters, entries = _entries(request)
    if form.is_bound and not form.is_valid():
        return render(
            request, "web/audit_list.html", {"page_obj": None, "form": form, "query": ""}, status=400
        )
    fmt = request.GET.get("format", "xlsx")
    if fmt not in {"xlsx", "csv"}:
        return render(request, "400.html", {"message": _("导出格式应为 xlsx 或 csv。")}, status=400)
    total = entries.count()
    rows = (_row(e) for e in entries.order_by("id")[:EXPORT_MAX_ROWS].iterator(chunk_size=2000))
    stamp = timezone.localdate().strftime("%Y%m%d")
    audit.record(
        request.user,
        "core.audit.exported",
        None,
        {"format": fmt, "filters": filters, "rows": min(total, EXPORT_MAX_ROWS)},
    )
    if fmt == "xlsx":
        note = (
            _("共 %(total)d 条，仅导出前 %(max)d 条；请缩小筛选范围后分批导出。")
            % {"total": total, "max": EXPORT_MAX_ROWS}
            if total > EXPORT_MAX_ROWS
            else _("导出时间：%(at)s；共 %(total)d 条。")
            % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "total": total}
        )
        return xlsx_response(
            _("审计日志-%(stamp)s.xlsx") % {"stamp": stamp},
            _("审计日志"),
            [str(h) for h in HEADERS],
            rows,
            note=note,
        )
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with a BOM as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in HEADERS])
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("审计日志-%(stamp)s.csv") % {"stamp": stamp}
    )
    return response
