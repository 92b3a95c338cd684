"""The progress page of any import job (``core.ImportJob``): the uploader only, polled by htmx from the
database, so it works whichever process serves it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import imports

KIND_LABELS = {
    "directory.scope": gettext_lazy("能力范围导入"),
    "standards.catalog": gettext_lazy("标准目录导入"),
    "metrology.instruments": gettext_lazy("计量器具批量导入"),
    "certification.certificates": gettext_lazy("认证证书批量导入"),
    "testing.results": gettext_lazy("检验结果导入"),
}


@login_required
@require_GET
def import_status(request, job_id: str):
    job = imports.get(job_id, fetched_by=request.user)
    if job is None:
        raise Http404(_("导入任务不存在或已过期。"))
    context = {"job": imports.view(job), "title": KIND_LABELS.get(job.kind, _("导入"))}
    if request.headers.get("HX-Request") == "true":
        return render(request, "core/_partials/import_progress.html", context)
    return render(request, "core/import_status.html", context)
