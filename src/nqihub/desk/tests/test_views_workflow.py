"""The request page and its actions through the forms a person uses: the Liuzhou story, refused and
illegal actions, work (attachments, notes), rating and rectification."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.desk import services
from nqihub.desk.models import Assignment, Rectification, ServiceRequest

from .helpers import EXPERT_WEI, LAB_LZ, STATION_LZ, ids
from .views_helpers import (
    PDF,
    _action,
    _detail,
    _file_request,
    _intake_post,
    _media,  # noqa: F401 - autouse fixture: uploads go to a temporary MEDIA_ROOT
    _resolved,
)

pytestmark = pytest.mark.django_db


# --- the Liuzhou story through the web forms -----------------------------------------------------------


def test_liuzhou_story_through_the_web(client_for):
    ent, station, expert, lab, reg = (
        client_for(u) for u in ("ent_shanyuan", "station_lz", "expert_lz", "lab_lz", "reg_lz")
    )
    known = ids()

    # 善元食品 files its problem with a photo report attached
    data = _intake_post(attachments=[SimpleUploadedFile("胀袋照片.pdf", PDF, "application/pdf")])
    r = ent.post(reverse("desk:request-create"), data, follow=True)
    assert r.status_code == 200
    req = ServiceRequest.objects.get(title="螺蛳粉保质期短，想延长保质期", enterprise_id=known["shanyuan"])
    body = r.content.decode()
    assert req.number in body
    assert "按服务区域分派至" + STATION_LZ in body
    assert "受理时限" in body and "办结时限" in body
    assert req.channel == "online"
    assert req.attachments.get().name == "胀袋照片.pdf"
    assert req.number in ent.get(reverse("desk:request-list")).content.decode()

    # The station sees it in 待受理 and accepts it
    assert req.number in station.get(reverse("desk:request-list") + "?tab=new").content.decode()
    r = station.post(_action(req.pk, "accept"), follow=True)
    assert "已受理。" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "accepted"

    # The dispatch panel ranks 韦工 and the food lab, with their reasons
    body = station.get(_detail(req.pk)).content.decode()
    assert EXPERT_WEI in body and LAB_LZ in body
    assert "得分" in body and "能力范围覆盖检测项目" in body and "菌落总数" in body
    r = station.post(
        _action(req.pk, "dispatch"),
        {
            "assignee": [f"expert:{known['wei']}", f"institution:{known['lab']}"],
            f"note_expert_{known['wei']}": "指导杀菌工艺",
            f"note_institution_{known['lab']}": "检测菌落总数、霉菌和酵母",
        },
        follow=True,
    )
    assert "已派单。" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "dispatched"
    by_type = {a.assignee_type: a for a in req.assignments.all()}
    assert by_type["expert"].note == "指导杀菌工艺"

    # The expert and the lab accept from their inboxes and complete with results
    assert req.number in expert.get(reverse("desk:assignment-list")).content.decode()
    assert (
        "已接单。"
        in expert.post(
            reverse("desk:assignment-action", args=[by_type["expert"].pk, "accept"]), follow=True
        ).content.decode()
    )
    lab.post(reverse("desk:assignment-action", args=[by_type["institution"].pk, "accept"]))
    req.refresh_from_db()
    assert req.status == "in_progress"
    expert.post(reverse("desk:note-add", args=[req.pk]), {"note-text": "建议杀菌温度提高至121℃"})
    station.post(
        reverse("desk:note-add", args=[req.pk]), {"note-text": "内部：温控记录不全", "note-internal": "on"}
    )
    lab.post(
        reverse("desk:link-add", args=[req.pk]),
        {"link-kind": "test_order", "link-ref": "JC-2026-0001", "link-title": "菌落总数检测"},
    )
    r = expert.post(
        reverse("desk:assignment-action", args=[by_type["expert"].pk, "complete"]),
        {f"complete-{by_type['expert'].pk}-result": "已指导改进杀菌工艺"},
        follow=True,
    )
    assert "工单已完成。" in r.content.decode()
    lab.post(
        reverse("desk:assignment-action", args=[by_type["institution"].pk, "complete"]),
        {f"complete-{by_type['institution'].pk}-result": "检测合格"},
    )
    assert set(req.assignments.values_list("status", flat=True)) == {"completed"}

    # The enterprise sees the expert's note and the link, not the station's internal note
    body = ent.get(_detail(req.pk)).content.decode()
    assert "建议杀菌温度提高至121℃" in body and "JC-2026-0001" in body
    assert "温控记录不全" not in body

    # The station resolves with the outcome and the money saved
    r = station.post(
        _action(req.pk, "resolve"),
        {
            "resolve-outcome": "solved",
            "resolve-technical_problem": "yes",
            "resolve-cost_saved": "120000",
            "resolve-loss_avoided": "300000.50",
            "resolve-standards_drafted": "1",
            "resolve-certifications_obtained": "0",
            "resolve-summary": "改进杀菌工艺，保质期由2个月延长至6个月",
        },
        follow=True,
    )
    assert "已办结" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "resolved"
    assert str(req.cost_saved) == "120000.00" and req.technical_problem is True

    # 善元食品 rates it 5 and the station closes it
    body = ent.get(_detail(req.pk)).content.decode()
    assert 'id="panel-rate"' in body
    r = ent.post(_action(req.pk, "rate"), {"rate-score": "5", "rate-comment": "非常满意"}, follow=True)
    assert "感谢您的评价。" in r.content.decode()
    assert 'id="rectification"' not in r.content.decode()
    r = station.post(_action(req.pk, "close"), follow=True)
    req.refresh_from_db()
    assert req.status == "closed"

    # The Liuzhou regulator sees the whole story, with the money in yuan
    body = reg.get(_detail(req.pk)).content.decode()
    assert "120,000.00" in body
    for text in (
        "提交服务需求",
        "按服务区域分派至",
        "受理",
        "派单：",
        "接单",
        "完成工单",
        "办结：已解决",
        "评价：5 星",
        "关闭",
    ):
        assert text in body, text


# --- errors --------------------------------------------------------------------------------------------


def test_an_illegal_action_shows_a_message_and_changes_nothing(client_for, demo_user):
    req = _file_request(demo_user)
    station = client_for("station_lz")
    r = station.post(_action(req.pk, "close"), follow=True)
    assert r.status_code == 200
    assert "不能关闭" in r.content.decode()
    r = station.post(
        _action(req.pk, "resolve"),
        {"resolve-outcome": "solved", "resolve-summary": "x"},
        follow=True,
    )
    assert "不能办结" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "submitted" and req.outcome == ""


def test_an_action_the_user_may_not_take_is_a_message(client_for, demo_user):
    req = _file_request(demo_user)
    r = client_for("ent_shanyuan").post(_action(req.pk, "accept"), follow=True)
    assert r.status_code == 200
    assert "只有受理该需求的服务站" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "submitted"


def test_reject_without_a_reason_shows_the_field_error(client_for, demo_user):
    req = _file_request(demo_user)
    r = client_for("station_lz").post(_action(req.pk, "reject"), {"reject-reason": "  "})
    assert r.status_code == 200
    body = r.content.decode()
    assert "请填写理由。" in body
    assert 'class="collapse show mt-3 action-panel" id="panel-reject"' in body
    req.refresh_from_db()
    assert req.status == "submitted"


def test_resolve_with_a_negative_amount_is_refused_field_by_field(client_for, demo_user):
    req = _file_request(demo_user)
    services.request_accept(request=req, by=demo_user("station_lz"))
    services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=demo_user("station_lz")
    )
    a = req.assignments.get()
    services.assignment_accept(assignment=a, by=demo_user("expert_lz"))
    services.assignment_complete(assignment=a, by=demo_user("expert_lz"), result="ok")
    r = client_for("station_lz").post(
        _action(req.pk, "resolve"), {"resolve-outcome": "", "resolve-cost_saved": "-5", "resolve-summary": ""}
    )
    body = r.content.decode()
    assert "金额不能为负数。" in body and "请填写办理情况。" in body and "办理结果应为" in body
    req.refresh_from_db()
    assert req.status == "in_progress"


def test_dispatch_without_a_pick_shows_the_message(client_for, demo_user):
    req = _file_request(demo_user)
    services.request_accept(request=req, by=demo_user("station_lz"))
    r = client_for("station_lz").post(_action(req.pk, "dispatch"), {})
    assert "请至少指定一个承办方。" in r.content.decode()
    assert not req.assignments.exists()


def test_unknown_action_is_404(client_for, demo_user):
    req = _file_request(demo_user)
    assert client_for("station_lz").post(_action(req.pk, "explode")).status_code == 404


def test_actions_need_post(client_for, demo_user):
    req = _file_request(demo_user)
    assert client_for("station_lz").get(_action(req.pk, "accept")).status_code == 405


# --- work ----------------------------------------------------------------------------------------------


def test_attachment_upload_and_scoped_download(client_for, demo_user):
    req = _file_request(demo_user)
    station = client_for("station_lz")
    r = station.post(
        reverse("desk:attachment-add", args=[req.pk]),
        {
            "attachment-files": [SimpleUploadedFile("内部检测记录.pdf", PDF, "application/pdf")],
            "attachment-internal": "on",
        },
        follow=True,
    )
    assert "附件已上传。" in r.content.decode()
    att = req.attachments.get()
    assert att.internal
    r = station.get(reverse("desk:attachment-download", args=[req.pk, att.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    # internal: hidden from the enterprise, and its download is a 404
    ent = client_for("ent_shanyuan")
    assert "内部检测记录.pdf" not in ent.get(_detail(req.pk)).content.decode()
    assert ent.get(reverse("desk:attachment-download", args=[req.pk, att.pk])).status_code == 404


def test_bad_upload_on_the_request_page_shows_the_message(client_for, demo_user):
    req = _file_request(demo_user)
    r = client_for("ent_shanyuan").post(
        reverse("desk:attachment-add", args=[req.pk]),
        {"attachment-files": [SimpleUploadedFile("x.zip", b"PK\x03\x04", "application/zip")]},
    )
    assert "不支持的文件类型“zip”" in r.content.decode()
    assert not req.attachments.exists()


def test_enterprise_has_no_internal_checkbox(client_for, demo_user):
    req = _file_request(demo_user)
    ent_body = client_for("ent_shanyuan").get(_detail(req.pk)).content.decode()
    assert 'name="note-internal"' not in ent_body
    assert 'name="note-internal"' in client_for("station_lz").get(_detail(req.pk)).content.decode()


def test_assignee_declines_with_a_reason(client_for, demo_user):
    req = _file_request(demo_user)
    services.request_accept(request=req, by=demo_user("station_lz"))
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=demo_user("station_lz")
    )
    expert = client_for("expert_lz")
    url = reverse("desk:assignment-action", args=[a.pk, "decline"])
    body = expert.post(url, {f"decline-{a.pk}-reason": ""}).content.decode()
    assert "请填写理由。" in body
    expert.post(url, {f"decline-{a.pk}-reason": "近期出差"})
    a.refresh_from_db()
    assert a.status == Assignment.Status.DECLINED and a.reason == "近期出差"
    # the station still sees the request; the expert sees it no more
    assert client_for("station_lz").get(_detail(req.pk)).status_code == 200


# --- rating and rectification --------------------------------------------------------------------------


def test_low_rating_opens_the_rectification_closed_by_a_callback(client_for, demo_user):
    req = _resolved(demo_user)
    ent, station, reg = client_for("ent_shanyuan"), client_for("station_lz"), client_for("reg_lz")
    r = ent.post(_action(req.pk, "rate"), {"rate-score": "2", "rate-comment": "响应太慢"}, follow=True)
    body = r.content.decode()
    assert 'id="rectification"' in body and "待整改" in body
    assert Rectification.objects.get(request=req).status == "open"
    # the station cannot close before the callback
    body = station.post(_action(req.pk, "close"), follow=True).content.decode()
    assert "差评整改尚未完成回访，不能关闭。" in body
    # the station answers; the regulator records the callback
    body = station.get(_detail(req.pk)).content.decode()
    assert 'name="rectify-response"' in body
    station.post(reverse("desk:rectification-respond", args=[req.pk]), {"rectify-response": "已安排专人跟进"})
    assert 'name="callback-note"' in reg.get(_detail(req.pk)).content.decode()
    r = reg.post(
        reverse("desk:rectification-callback", args=[req.pk]),
        {"callback-note": "电话回访，企业认可整改", "callback-satisfied": "yes"},
        follow=True,
    )
    body = r.content.decode()
    assert "回访已记录，整改办结。" in body and "已回访办结" in body
    rect = Rectification.objects.get(request=req)
    assert rect.status == "closed" and rect.callback_satisfied is True
    station.post(_action(req.pk, "close"))
    req.refresh_from_db()
    assert req.status == "closed"


def test_callback_before_the_response_is_a_message(client_for, demo_user):
    req = _resolved(demo_user)
    services.request_rate(request=req, score=1, comment="差", by=demo_user("ent_shanyuan"))
    r = client_for("reg_lz").post(
        reverse("desk:rectification-callback", args=[req.pk]), {"callback-note": "回访"}, follow=True
    )
    assert "须先填写整改情况再回访" in r.content.decode()
    assert Rectification.objects.get(request=req).status == "open"


def test_rate_needs_a_score(client_for, demo_user):
    req = _resolved(demo_user)
    body = client_for("ent_shanyuan").post(_action(req.pk, "rate"), {"rate-comment": "x"}).content.decode()
    assert "请选择评价等级。" in body
    req.refresh_from_db()
    assert req.status == "resolved"
