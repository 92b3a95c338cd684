"""The desk's HTML pages: consoles per role, intake, the request page and its actions, through the
forms a person uses. Outsiders get 404 on pages and actions and see no rows in lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.desk import services
from nqihub.desk.models import Assignment, Attachment, Note, Rectification, ServiceRequest

from .helpers import EXPERT_WEI, LAB_LZ, STATION_LZ, ids

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file_request(demo_user, username="ent_shanyuan", **overrides) -> ServiceRequest:
    data = {
        "categories": ["testing", "quality_management"],
        "industry": "1431",
        "product": "预包装柳州螺蛳粉",
        "title": "螺蛳粉保质期短，想延长保质期",
        "description": "预包装螺蛳粉常温存放两个月后出现胀袋，希望专家指导杀菌工艺，并检测菌落总数和霉菌和酵母。",
        **overrides,
    }
    return services.request_create(data=services.RequestData(**data), by=demo_user(username))


def _hanxi_request(demo_user) -> ServiceRequest:
    return _file_request(
        demo_user,
        "ent_hanxi",
        categories=["testing"],
        industry=None,
        product="导热石墨烯膜",
        title="石墨烯膜导热系数检测",
        description="需要检测导热系数。",
    )


def _detail(pk):
    return reverse("desk:request-detail", args=[pk])


def _action(pk, action):
    return reverse("desk:request-action", args=[pk, action])


def _intake_post(**overrides):
    data = {
        "categories": ["testing", "quality_management"],
        "industry": "1431",
        "product": "预包装柳州螺蛳粉",
        "title": "螺蛳粉保质期短，想延长保质期",
        "description": "预包装螺蛳粉常温存放两个月后出现胀袋，希望专家指导杀菌工艺，并检测菌落总数和霉菌和酵母。",
        "urgency": "normal",
        "desired_by": "",
        "contact_name": "覃经理",
        "contact_phone": "13807720000",
    }
    data.update(overrides)
    return data


# --- pages render for the roles that use them ----------------------------------------------------------


@pytest.mark.parametrize(
    "username, tab_label",
    [
        ("ent_shanyuan", "我的诉求"),
        ("station_lz", "待受理"),
        ("expert_lz", "我的工单"),
        ("lab_lz", "我的工单"),
        ("reg_lz", "辖区诉求"),
        ("reg_gx", "辖区诉求"),
        ("reg_national", "辖区诉求"),
        ("admin", "辖区诉求"),
        ("ent_yuese", "我的诉求"),
    ],
)
def test_request_list_renders_the_tabs_of_the_role(client_for, username, tab_label):
    r = client_for(username).get(reverse("desk:request-list"))
    assert r.status_code == 200
    assert tab_label in r.content.decode()


def test_desk_root_redirects_to_the_list(client_for):
    r = client_for("ent_shanyuan").get("/desk/")
    assert r.status_code == 302 and r.url == reverse("desk:request-list")


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("desk:request-list"))
    assert r.status_code == 302 and "login" in r.url


@pytest.mark.parametrize("username", ["expert_lz", "lab_lz"])
def test_assignment_list_renders_for_assignees(client_for, demo_user, username):
    req = _file_request(demo_user)
    services.request_accept(request=req, by=demo_user("station_lz"))
    known = ids()
    services.request_dispatch(
        request=req,
        assignees=[
            services.AssigneeSpec("expert", known["wei"], "指导杀菌工艺"),
            services.AssigneeSpec("institution", known["lab"], "检测菌落总数"),
        ],
        by=demo_user("station_lz"),
    )
    r = client_for(username).get(reverse("desk:assignment-list"))
    assert r.status_code == 200
    body = r.content.decode()
    assert req.number in body
    assert "接单" in body


def test_intake_form_renders_for_enterprise_and_station(client_for):
    r = client_for("ent_shanyuan").get(reverse("desk:request-create"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "善元食品有限公司" in body
    assert 'name="enterprise"' not in body  # implied
    assert 'value="1431"' in body  # the enterprise's industry by default
    for label in ("计量", "标准", "认证认可", "检验检测", "质量管理", "其他"):
        assert label in body
    r = client_for("station_lz").get(reverse("desk:request-create"))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'name="enterprise"' in body and "善元食品有限公司" in body
    assert "走访代录" in body and "窗口代录" in body
    assert "武汉汉烯科技有限公司" not in body


def test_regulator_cannot_file(client_for):
    assert client_for("reg_lz").get(reverse("desk:request-create")).status_code == 403


# --- outsiders -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["ent_yuese", "station_wh", "ent_hanxi"])
def test_outsiders_get_404_on_a_liuzhou_request(client_for, demo_user, username):
    req = _file_request(demo_user)
    att = services.attachment_add(
        request=req, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"), by=demo_user("ent_shanyuan")
    )
    c = client_for(username)
    assert c.get(_detail(req.pk)).status_code == 404
    for action in ("accept", "reject", "close", "rate", "withdraw", "dispatch"):
        assert c.post(_action(req.pk, action), {"reject-reason": "x"}).status_code == 404
    assert c.post(reverse("desk:note-add", args=[req.pk]), {"note-text": "x"}).status_code == 404
    assert c.get(reverse("desk:attachment-download", args=[req.pk, att.pk])).status_code == 404
    assert (
        c.post(reverse("desk:rectification-callback", args=[req.pk]), {"callback-note": "x"}).status_code
        == 404
    )
    body = c.get(reverse("desk:request-list") + "?tab=all").content.decode()
    assert req.number not in body
    req.refresh_from_db()
    assert req.status == "submitted"
    assert not Note.objects.filter(request=req).exists()


def test_liuzhou_regulator_gets_404_on_a_wuhan_request(client_for, demo_user):
    req = _hanxi_request(demo_user)
    c = client_for("reg_lz")
    assert c.get(_detail(req.pk)).status_code == 404
    assert c.post(_action(req.pk, "close")).status_code == 404
    for tab in ("region", "overdue"):
        assert req.number not in c.get(reverse("desk:request-list") + f"?tab={tab}").content.decode()
    # … and the Wuhan station sees it, in its 待受理 queue
    body = client_for("station_wh").get(reverse("desk:request-list")).content.decode()
    assert req.number in body


def test_outsider_cannot_act_on_an_assignment(client_for, demo_user):
    req = _file_request(demo_user)
    services.request_accept(request=req, by=demo_user("station_lz"))
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=demo_user("station_lz")
    )
    for username in ("station_wh", "ent_yuese"):
        assert (
            client_for(username).post(reverse("desk:assignment-action", args=[a.pk, "accept"])).status_code
            == 404
        )
    a.refresh_from_db()
    assert a.status == "offered"


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


# --- intake --------------------------------------------------------------------------------------------


def test_bad_attachment_is_rejected_with_the_message_and_nothing_saved(client_for):
    before = ServiceRequest.objects.count()
    data = _intake_post(
        attachments=[
            SimpleUploadedFile("报告.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
        ]
    )
    r = client_for("ent_shanyuan").post(reverse("desk:request-create"), data)
    assert r.status_code == 200
    body = r.content.decode()
    assert "不支持的文件类型“exe”：只接受 PDF、PNG、JPG、XLSX、DOCX 文件。" in body
    assert ServiceRequest.objects.count() == before
    assert Attachment.objects.count() == 0


def test_renamed_file_and_oversize_file_are_refused(client_for, settings):
    settings.DESK_ATTACHMENT_MAX_BYTES = 1024
    data = _intake_post(
        attachments=[
            SimpleUploadedFile("photo.png", b"not a png at all", "image/png"),
            SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, "application/pdf"),
        ]
    )
    body = client_for("ent_shanyuan").post(reverse("desk:request-create"), data).content.decode()
    assert "的内容与扩展名 .png 不符，已拒绝。" in body
    assert "超过" in body and "上限" in body


def test_intake_field_errors_show_on_the_form(client_for):
    before = ServiceRequest.objects.count()
    r = client_for("ent_shanyuan").post(
        reverse("desk:request-create"),
        _intake_post(categories=[], title="", description="", industry="9999", contact_phone="12ab"),
    )
    body = r.content.decode()
    assert "请至少选择一个需求类别" in body
    assert "请填写标题。" in body
    assert "请描述遇到的问题。" in body
    assert "不在 GB/T 4754-2017 中" in body
    assert "联系电话应为7–15位数字。" in body
    assert ServiceRequest.objects.count() == before


def test_station_files_on_behalf_of_an_enterprise_on_a_visit(client_for):
    known = ids()
    r = client_for("station_lz").post(
        reverse("desk:request-create"),
        _intake_post(enterprise=str(known["shanyuan"]), channel="visit", industry=""),
        follow=True,
    )
    assert r.status_code == 200
    req = ServiceRequest.objects.filter(enterprise_id=known["shanyuan"]).latest("created_at")
    assert req.channel == "visit"
    assert req.industry_id == "1431"  # the enterprise's own
    assert "走访代录" in r.content.decode()


def test_station_must_choose_an_enterprise(client_for):
    body = client_for("station_lz").post(reverse("desk:request-create"), _intake_post()).content.decode()
    assert "请选择企业。" in body


def test_station_cannot_file_for_an_enterprise_outside_its_area(client_for):
    before = ServiceRequest.objects.count()
    r = client_for("station_lz").post(
        reverse("desk:request-create"), _intake_post(enterprise=str(ids()["hanxi"]), channel="walk_in")
    )
    assert r.status_code == 200
    assert ServiceRequest.objects.count() == before


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


def _resolved(demo_user) -> ServiceRequest:
    req = _file_request(demo_user)
    station = demo_user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    services.assignment_accept(assignment=a, by=demo_user("expert_lz"))
    services.assignment_complete(assignment=a, by=demo_user("expert_lz"), result="ok")
    services.request_resolve(
        request=req, resolution=services.Resolution(outcome="partly_solved", summary="部分解决"), by=station
    )
    return req


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


# --- lists ---------------------------------------------------------------------------------------------


def test_regulator_filters_and_overdue_tab(client_for, demo_user):
    req = _file_request(demo_user)
    ServiceRequest.objects.filter(pk=req.pk).update(is_overdue=True, overdue_kinds=",accept,")
    other = _file_request(demo_user, title="另一个诉求：计量器具检定", categories=["metrology"])
    reg = client_for("reg_lz")
    body = reg.get(reverse("desk:request-list") + "?tab=overdue").content.decode()
    assert req.number in body and other.number not in body
    assert "已超期" in body
    body = reg.get(reverse("desk:request-list") + "?tab=region&category=metrology").content.decode()
    assert other.number in body and req.number not in body
    station_id = req.station_id
    body = reg.get(
        reverse("desk:request-list") + f"?tab=region&station={station_id}&status=submitted"
    ).content.decode()
    assert req.number in body and other.number in body
    body = reg.get(reverse("desk:request-list") + "?tab=region&overdue=no").content.decode()
    assert other.number in body and req.number not in body
    # the station's overdue tab too
    body = client_for("station_lz").get(reverse("desk:request-list") + "?tab=overdue").content.decode()
    assert req.number in body and other.number not in body


def test_station_handled_tab_lists_what_the_user_acted_on(client_for, demo_user):
    req = _file_request(demo_user)
    other = _file_request(demo_user, title="未处理的诉求")
    services.request_accept(request=req, by=demo_user("station_lz"))
    body = client_for("station_lz").get(reverse("desk:request-list") + "?tab=handled").content.decode()
    assert req.number in body and other.number not in body


def test_htmx_list_returns_the_partial(client_for, demo_user):
    _file_request(demo_user)
    r = client_for("station_lz").get(
        reverse("desk:request-list") + "?tab=all", headers={"HX-Request": "true", "HX-Target": "list-body"}
    )
    assert r.status_code == 200
    assert "<html" not in r.content.decode()


def test_request_list_query_count_does_not_grow_with_rows(
    client_for, demo_user, django_assert_max_num_queries
):
    for i in range(6):
        _file_request(demo_user, title=f"诉求 {i}")
    c = client_for("reg_lz")
    c.get(reverse("desk:request-list"))  # warm the session
    with django_assert_max_num_queries(20):
        r = c.get(reverse("desk:request-list"))
    assert r.status_code == 200


# --- reassigning an assignment (station) ---------------------------------------------------------------


def _declined(demo_user):
    """A dispatched request whose offer to 韦工（示例） was declined."""
    req = _file_request(demo_user)
    station = demo_user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    services.assignment_decline(assignment=a, reason="近期出差", by=demo_user("expert_lz"))
    return req, a


def _reassign_url(a):
    return reverse("desk:assignment-reassign", args=[a.pk])


def test_station_reassigns_a_declined_assignment(client_for, demo_user):
    from nqihub.directory.models import Expert

    req, a = _declined(demo_user)
    qin = Expert.objects.get(name="覃工（示例）")
    station = client_for("station_lz")
    body = station.get(_detail(req.pk)).content.decode()
    assert _reassign_url(a) in body and f'name="reassign-{a.pk}-to"' in body
    assert f'value="expert:{qin.pk}"' in body  # among the ranked suggestions
    assert f'value="expert:{a.expert_id}"' not in body.split(f'id="reassign-{a.pk}"')[1].split("</form>")[0]
    r = station.post(
        _reassign_url(a),
        {
            f"reassign-{a.pk}-to": f"expert:{qin.pk}",
            f"reassign-{a.pk}-reason": "韦工出差，改由覃工指导",
            f"reassign-{a.pk}-note": "指导杀菌工艺",
        },
        follow=True,
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "工单已改派。" in body
    assert "工单由 韦工（示例） 改派至 覃工（示例）：韦工出差，改由覃工指导" in body  # the timeline
    a.refresh_from_db()
    assert a.status == Assignment.Status.DECLINED  # a declined offer keeps its record
    new = req.assignments.exclude(pk=a.pk).get()
    assert new.expert_id == qin.pk and new.status == Assignment.Status.OFFERED and new.note == "指导杀菌工艺"
    # the declined one, handed on, is not offered for reassigning again; the new offer is
    assert _reassign_url(a) not in body and _reassign_url(new) in body


def test_station_reassigns_an_offered_assignment_which_is_cancelled(client_for, demo_user):
    from nqihub.directory.models import Expert

    req = _file_request(demo_user)
    station = demo_user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    qin = Expert.objects.get(name="覃工（示例）")
    client_for("station_lz").post(
        _reassign_url(a),
        {f"reassign-{a.pk}-to": f"expert:{qin.pk}", f"reassign-{a.pk}-reason": "韦工未响应"},
    )
    a.refresh_from_db()
    assert a.status == Assignment.Status.CANCELLED and a.reason == "韦工未响应"
    assert req.assignments.get(expert=qin).status == Assignment.Status.OFFERED


def test_reassign_without_a_reason_shows_the_error_and_changes_nothing(client_for, demo_user):
    from nqihub.directory.models import Expert

    req, a = _declined(demo_user)
    qin = Expert.objects.get(name="覃工（示例）")
    r = client_for("station_lz").post(
        _reassign_url(a), {f"reassign-{a.pk}-to": f"expert:{qin.pk}", f"reassign-{a.pk}-reason": "  "}
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "请填写理由。" in body and f'id="reassign-{a.pk}"' in body
    a.refresh_from_db()
    assert a.status == Assignment.Status.DECLINED
    assert req.assignments.count() == 1
    assert not req.events.filter(kind="assignment_reassigned").exists()


def test_reassign_to_nobody_is_a_field_error(client_for, demo_user):
    req, a = _declined(demo_user)
    r = client_for("station_lz").post(_reassign_url(a), {f"reassign-{a.pk}-reason": "x"})
    assert r.status_code == 200 and "请选择新的承办方。" in r.content.decode()
    assert req.assignments.count() == 1


def test_reassign_after_resolution_is_a_message(client_for, demo_user):
    from nqihub.directory.models import Expert

    req = _resolved(demo_user)
    a = req.assignments.get()
    station = client_for("station_lz")
    assert _reassign_url(a) not in station.get(_detail(req.pk)).content.decode()
    qin = Expert.objects.get(name="覃工（示例）")
    r = station.post(
        _reassign_url(a),
        {f"reassign-{a.pk}-to": f"expert:{qin.pk}", f"reassign-{a.pk}-reason": "x"},
        follow=True,
    )
    assert r.status_code == 200 and "不能改派工单" in r.content.decode()
    assert req.assignments.count() == 1


def test_reassign_is_for_the_station_only(client_for, demo_user):
    from nqihub.directory.models import Expert

    req, a = _declined(demo_user)
    qin = Expert.objects.get(name="覃工（示例）")
    data = {f"reassign-{a.pk}-to": f"expert:{qin.pk}", f"reassign-{a.pk}-reason": "x"}
    ent = client_for("ent_shanyuan")
    assert _reassign_url(a) not in ent.get(_detail(req.pk)).content.decode()
    assert ent.post(_reassign_url(a), data).status_code == 403
    assert client_for("station_wh").post(_reassign_url(a), data).status_code == 404
    assert client_for("ent_yuese").post(_reassign_url(a), data).status_code == 404
    assert client_for("station_lz").get(_reassign_url(a)).status_code == 405
    assert req.assignments.count() == 1


# --- CCC guidance at intake ----------------------------------------------------------------------------


def test_intake_form_loads_the_ccc_guidance(client_for):
    r = client_for("ent_shanyuan").get(reverse("desk:request-create"))
    body = r.content.decode()
    assert 'id="ccc-guidance"' in body
    assert f'hx-get="{reverse("certification:guidance")}"' in body
    assert 'hx-include="[name=product],[name=industry]"' in body


def test_intake_form_is_prefilled_from_the_guidance_link(client_for):
    r = client_for("ent_shanyuan").get(
        reverse("desk:request-create") + "?categories=certification&categories=bogus&product=电线电缆"
    )
    form = r.context["form"]
    assert form.initial["categories"] == ["certification"] and form.initial["product"] == "电线电缆"
    assert 'value="电线电缆"' in r.content.decode()


def test_ccc_guidance_for_the_intake(client_for):
    from nqihub.certification.catalogue import load_seed_editions

    load_seed_editions()
    c = client_for("ent_shanyuan")
    url = reverse("certification:guidance")
    body = c.get(url, {"product": "电线电缆"}, HTTP_HX_REQUEST="true").content.decode()
    assert "电线组件" in body and reverse("desk:request-create") in body
    empty = c.get(url, {"product": "", "industry": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200 and "填写产品名称或所属行业后" in empty.content.decode()


def test_intake_form_asks_for_similar_cases_as_the_text_is_typed(client_for):
    from django.urls import reverse

    body = client_for("ent_shanyuan").get(reverse("desk:request-create")).content.decode()
    assert f'hx-get="{reverse("cases:suggest-partial")}"' in body
    assert "input changed delay:500ms from:#id_title" in body
