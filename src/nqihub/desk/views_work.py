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


@login_required
@require_POST
def note_add(request, pk: int):
    req = _get_request(request, pk)
    form = NoteForm(request.POST, prefix="note")
    response = _run_form_action(
        request,
        req,
        "note",
        form,
        lambda c: services.note_add(
            request=req, text=c["text"], internal=c.get("internal", False), by=request.user
        ),
        anchor="notes",
    )
    if response is not None:
        return response
    messages.success(request, _("备注已添加。"))
    return redirect(_detail_url(req, "notes"))


@login_required
@require_POST
def attachment_add(request, pk: int):
    req = _get_request(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")

    def save(cleaned):
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
                    request=req, upload=upload, internal=cleaned.get("internal", False), by=request.user
                )

    def call(cleaned):
        try:
            save(cleaned)
        except ValidationFailed as exc:
            errors = {("files" if k == "file" else k): v for k, v in exc.errors.items()}
            raise ValidationFailed(errors) from exc

    response = _run_form_action(request, req, "attachment", form, call, anchor="attachments")
    if response is not None:
        return response
    messages.success(request, _("附件已上传。"))
    return redirect(_detail_url(req, "attachments"))


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
    req = _get_request(request, pk)
    form = LinkForm(request.POST, prefix="link")
    response = _run_form_action(
        request,
        req,
        "link",
        form,
        lambda c: services.link_add(
            request=req,
            kind=c["kind"],
            ref=c.get("ref", ""),
            title=c.get("title", ""),
            internal=c.get("internal", False),
            by=request.user,
        ),
        anchor="links",
    )
    if response is not None:
        return response
    messages.success(request, _("关联记录已添加。"))
    return redirect(_detail_url(req, "links"))


@login_required
@require_POST
def rectification_respond(request, pk: int):
    req = _get_request(request, pk)
    form = RectifyForm(request.POST, prefix="rectify")
    response = _run_form_action(
        request,
        req,
        "rectify",
        form,
        lambda c: services.rectification_respond(request=req, response=c["response"], by=request.user),
        anchor="rectification",
    )
    if response is not None:
        return response
    messages.success(request, _("整改情况已提交，待回访。"))
    return redirect(_detail_url(req, "rectification"))


@login_required
@require_POST
def rectification_callback(request, pk: int):
    req = _get_request(request, pk)
    form = CallbackForm(request.POST, prefix="callback")
    response = _run_form_action(
        request,
        req,
        "callback",
        form,
        lambda c: services.rectification_callback(
            request=req, note=c["note"], satisfied=tri_state(c.get("satisfied")), by=request.user
        ),
        anchor="rectification",
    )
    if response is not None:
        return response
    messages.success(request, _("回访已记录，整改办结。"))
    return redirect(_detail_url(req, "rectification"))
