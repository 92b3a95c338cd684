"""Upload page for an institution's capability scope (CSV / XLSX) and the progress of its import.

POST the file: it is checked and every row validated at once (bad rows come back as a table: 行号 / 原因,
nothing imported); a good file is queued as a background job and the page polls
``scope-import-status`` every second (htmx) to redraw a progress bar until the job is done.
"""

import re

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from nqihub.core.errors import ValidationFailed
from nqihub.core.http import is_htmx

from . import selectors
from .imports import (
    ScopeImportRejected,
    can_import,
    check_size,
    import_job_get,
    import_job_start,
    template_csv,
)
from .models import Institution
from .services import PermissionDenied

_JOB_ID = re.compile(r"[0-9a-f]{32}")

#: Rows of the error table shown on the page (the count says how many more there are).
ERRORS_SHOWN = 200


class ScopeImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("能力范围文件"),
        help_text=gettext_lazy("Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK 编码）。第一行为表头。"),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("替换现有能力范围（删除文件中没有的行）"),
        required=False,
    )


def _institution_or_404(user, institution_id: int) -> Institution:
    try:
        return selectors.institution_get(fetched_by=user, pk=institution_id)
    except Institution.DoesNotExist as exc:
        raise Http404(_("机构不存在或不在您的权限范围内。")) from exc


def _context(institution, form, **extra) -> dict:
    return {
        "institution": institution,
        "form": form,
        "max_mb": settings.IMPORT_MAX_BYTES / 1048576,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def scope_import(request, institution_id: int):
    institution = _institution_or_404(request.user, institution_id)
    if not can_import(request.user, institution):
        return render(
            request,
            "directory/scope_import_denied.html",
            {"institution": institution},
            status=403,
        )
    if request.method == "GET":
        return render(request, "directory/scope_import.html", _context(institution, ScopeImportForm()))

    form = ScopeImportForm(request.POST, request.FILES)
    extra: dict = {}
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)  # before reading it
            job_id = import_job_start(
                institution=institution,
                data=upload.read(),
                filename=upload.name,
                by=request.user,
                replace=form.cleaned_data["replace"],
            )
        except ScopeImportRejected as exc:
            extra = {
                "rejected": exc,
                "errors": exc.errors[:ERRORS_SHOWN],
                "more_errors": max(0, len(exc.errors) - ERRORS_SHOWN),
            }
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        except PermissionDenied as exc:  # lost the right between GET and POST
            return render(
                request,
                "directory/scope_import_denied.html",
                {"institution": institution, "message": exc.message},
                status=403,
            )
        else:
            job = import_job_get(job_id, fetched_by=request.user)
            if job is not None and is_htmx(request):
                return render(request, "directory/_partials/scope_import_progress.html", {"job": job})
            return redirect("directory:scope-import-status", job_id=job_id)
    context = _context(institution, form, **extra)
    if is_htmx(request):
        # htmx swaps only 2xx responses: the errors come back as 200 with the result panel.
        return render(request, "directory/_partials/scope_import_result.html", context)
    return render(request, "directory/scope_import.html", context, status=status)


@login_required
@require_GET
def scope_import_status(request, job_id):
    job = import_job_get(job_id, fetched_by=request.user) if _JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise Http404(_("导入任务不存在或已过期。"))
    if is_htmx(request):
        return render(request, "directory/_partials/scope_import_progress.html", {"job": job})
    return render(request, "directory/scope_import_status.html", {"job": job})


@login_required
@require_GET
def scope_import_template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        "attachment; filename=\"scope_import_template.csv\"; filename*=UTF-8''%E8%83%BD%E5%8A%9B%E8%8C%83%E5%9B%B4%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv"
    )
    return response
