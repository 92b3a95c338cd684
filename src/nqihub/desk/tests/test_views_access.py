"""The desk's pages per role and their scope: consoles, lists and tabs render for the roles that use
them; outsiders get 404 on pages and actions and see no rows in lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.desk import services
from nqihub.desk.models import Note, ServiceRequest

from .helpers import ids
from .views_helpers import (
    PDF,
    _action,
    _detail,
    _file_request,
    _hanxi_request,
    _media,  # noqa: F401 - autouse fixture: uploads go to a temporary MEDIA_ROOT
)

pytestmark = pytest.mark.django_db


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
