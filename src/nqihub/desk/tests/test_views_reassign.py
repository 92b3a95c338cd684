"""Reassigning an assignment from the request page (station only)."""

import pytest
from django.urls import reverse

from nqihub.desk import services
from nqihub.desk.models import Assignment

from .helpers import ids
from .views_helpers import (
    _detail,
    _file_request,
    _media,  # noqa: F401 - autouse fixture: uploads go to a temporary MEDIA_ROOT
    _resolved,
)

pytestmark = pytest.mark.django_db


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
