"""Work on a request: notes, attachments, links and the rectification after a low rating (pages; the
request page itself is ``desk.views``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import ValidationFailed
from nqihub.core.files import file_response

from . import selectors, services
from .forms import (
    AttachmentForm,
    CallbackForm,
    LinkForm,
    NoteForm,
    RectifyForm,
    tri_state,
)
from .models import Attachment
from .views import _detail_url, _get_request, _run_form_action

PAGE_SIZE = 25

# --- work: notes, attachments, links, rectification ----------------------------------------------------


def _work(request, pk: int, form_class, prefix: str, call, *, anchor: str, done: str):
    """One work form of the request page: bound under its prefix, ``call(req, cleaned)`` through the
    services, back to the page at ``anchor`` (with the form's errors, or with ``done``)."""
    req = _get_request(request, pk)
    form = form_class(request.POST, request.FILES, prefix=prefix)
    response = _run_form_action(request, req, prefix, form, lambda c: call(req, c), anchor=anchor)
    if response is not None:
        return response
    messages.success(request, done)
    return redirect(_detail_url(req, anchor))


@login_required
@require_POST
def note_add(request, pk: int):
    return _work(
        request,
        pk,
        NoteForm,
        "note",
        lambda req, c: services.note_add(
            request=req, text=c["text"], internal=c.get("internal", False), by=request.user
        ),
        anchor="notes",
        done=_("备注已添加。"),
    )


def _attach(req, cleaned, user) -> None:
    """Every file checked before any is saved; then all in one transaction."""
    uploads = cleaned.get("files") or []
    if not uploads:
        raise ValidationFailed({"files": _("请选择文件。")})
    problems = []
    for upload in uploads:
        try:
            services.check_upload(upload)
        except ValidationFailed as exc:
            problems.append(exc.errors.get("file") or exc.message)
    if problems:
        raise ValidationFailed({"files": " ".join(problems)})
    with transaction.atomic():
        for upload in uploads:
            services.attachment_add(
                request=req, upload=upload, internal=cleaned.get("internal", False), by=user
            )


@login_required
@require_POST
def attachment_add(request, pk: int):
    def call(req, cleaned):
        try:
            _attach(req, cleaned, request.user)
        except ValidationFailed as exc:
            errors = {("files" if k == "file" else k): v for k, v in exc.errors.items()}
            raise ValidationFailed(errors) from exc

    return _work(
        request, pk, AttachmentForm, "attachment", call, anchor="attachments", done=_("附件已上传。")
    )


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    req = _get_request(request, pk)
    try:
        att = selectors.attachment_get(fetched_by=request.user, request=req, pk=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    return file_response(att.file, filename=att.name, content_type=att.content_type)


@login_required
@require_POST
def link_add(request, pk: int):
    return _work(
        request,
        pk,
        LinkForm,
        "link",
        lambda req, c: services.link_add(
            request=req,
            kind=c["kind"],
            ref=c.get("ref", ""),
            title=c.get("title", ""),
            internal=c.get("internal", False),
            by=request.user,
        ),
        anchor="links",
        done=_("关联记录已添加。"),
    )


@login_required
@require_POST
def rectification_respond(request, pk: int):
    return _work(
        request,
        pk,
        RectifyForm,
        "rectify",
        lambda req, c: services.rectification_respond(request=req, response=c["response"], by=request.user),
        anchor="rectification",
        done=_("整改情况已提交，待回访。"),
    )


@login_required
@require_POST
def rectification_callback(request, pk: int):
    return _work(
        request,
        pk,
        CallbackForm,
        "callback",
        lambda req, c: services.rectification_callback(
            request=req, note=c["note"], satisfied=tri_state(c.get("satisfied")), by=request.user
        ),
        anchor="rectification",
        done=_("回访已记录，整改办结。"),
    )
