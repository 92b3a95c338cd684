"""The assignees of a request: they see the enterprise's contact in clear (each view audited), and the
enterprise rates each of them once the request is resolved; the directory shows their average."""

import pytest
from django.urls import reverse

from nqihub.accounts.models import User
from nqihub.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from nqihub.core.models import AuditEntry
from nqihub.desk import services
from nqihub.desk.models import Assignment, ServiceRequest
from nqihub.desk.selectors import assignee_rating
from nqihub.directory.models import Expert, Institution

from .helpers import EXPERT_WEI, LAB_LZ, ids, post, shelf_life_data

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _user(name):
    return User.objects.get(username=name)


def _dispatched() -> tuple[ServiceRequest, Assignment, Assignment]:
    """A request of 善元 (contact 李四, phone in clear) given to 韦工 and the Liuzhou lab (both offered)."""
    req = services.request_create(
        data=shelf_life_data(contact_name="李四", contact_phone=PHONE), by=_user("ent_shanyuan")
    )
    station = _user("station_lz")
    services.request_accept(request=req, by=station)
    expert, lab = services.request_dispatch(
        request=req,
        assignees=[
            services.AssigneeSpec("expert", ids()["wei"]),
            services.AssigneeSpec("institution", ids()["lab"]),
        ],
        by=station,
    )
    return req, expert, lab


def _resolved() -> tuple[ServiceRequest, Assignment, Assignment]:
    req, expert, lab = _dispatched()
    for a, who in ((expert, "expert_lz"), (lab, "lab_lz")):
        services.assignment_accept(assignment=a, by=_user(who))
        services.assignment_complete(assignment=a, by=_user(who), result="已办理")
    services.request_resolve(
        request=req,
        resolution=services.Resolution(outcome="solved", summary="已解决"),
        by=_user("station_lz"),
    )
    return req, expert, lab


def _rate_both(expert_score: int, lab_score: int, **comments):
    """A new resolved request, rated 4 with its expert and lab rated as given."""
    req, expert, lab = _resolved()
    services.request_rate(
        request=req,
        score=4,
        by=_user("ent_shanyuan"),
        assignees=[
            {"assignment": expert.pk, "score": expert_score, "comment": comments.get("expert", "")},
            {"assignment": lab.pk, "score": lab_score, "comment": comments.get("lab", "")},
        ],
    )
    return req, expert, lab


def _views(req) -> int:
    return AuditEntry.objects.filter(action="desk.request.contact_viewed", object_id=str(req.pk)).count()


# --- the contact in clear -------------------------------------------------------------------------------


def test_the_working_expert_sees_the_contact_in_clear_and_each_view_is_audited(client):
    req, expert, _lab = _dispatched()
    client.force_login(_user("expert_lz"))
    url = reverse("desk:request-contact", args=[req.pk])
    detail = reverse("desk:request-detail", args=[req.pk])
    # Offered, not yet accepted: the request page masks the contact and offers no button; the page is 403.
    assert PHONE not in client.get(detail).content.decode()
    assert client.get(url).status_code == 403 and _views(req) == 0
    services.assignment_accept(assignment=expert, by=_user("expert_lz"))
    page = client.get(detail).content.decode()
    assert PHONE not in page and url in page
    for n in (1, 2):
        page = client.get(url)
        assert page.status_code == 200 and PHONE in page.content.decode() and "李四" in page.content.decode()
        assert _views(req) == n
    entry = AuditEntry.objects.filter(action="desk.request.contact_viewed").latest("id")
    assert entry.actor.username == "expert_lz" and entry.data["assignment"] == expert.pk


def test_the_assigned_lab_reads_the_contact_over_the_api_and_outsiders_do_not(api_for):
    req, _expert, lab = _dispatched()
    services.assignment_accept(assignment=lab, by=_user("lab_lz"))
    r = api_for("lab_lz").get(f"/api/v1/requests/{req.pk}/contact")
    assert r.status_code == 200 and r.json()[0] == {"name": "李四", "phone": PHONE, "position": "需求联系人"}
    assert _views(req) == 1
    # The request detail itself stays masked for the lab.
    assert PHONE not in api_for("lab_lz").get(f"/api/v1/requests/{req.pk}").content.decode()
    # An expert with no assignment on it does not even see the request; a regulator sees it, not the contact.
    assert api_for("expert_wh").get(f"/api/v1/requests/{req.pk}/contact").status_code == 404
    assert api_for("reg_lz").get(f"/api/v1/requests/{req.pk}/contact").status_code == 403
    assert _views(req) == 1


def test_a_declined_assignee_no_longer_sees_the_contact():
    req, expert, _lab = _dispatched()
    services.assignment_decline(assignment=expert, by=_user("expert_lz"), reason="时间冲突")
    with pytest.raises(PermissionDenied):
        services.contact_view(request=req, by=_user("expert_lz"))


def test_the_audit_label_is_chinese():
    from nqihub.core.audit_labels import action_label

    assert action_label("desk.request.contact_viewed") == "服务需求 · 查看联系方式"
    assert action_label("desk.request.assignee_rated") == "服务需求 · 评价承办方"


# --- ratings per assignee -------------------------------------------------------------------------------


def test_the_enterprise_rates_each_assignee_with_the_request():
    req, expert, lab = _rate_both(5, 2, expert="指导到位", lab="报告慢")
    expert.refresh_from_db()
    lab.refresh_from_db()
    assert (expert.rating_score, expert.rating_comment, lab.rating_score) == (5, "指导到位", 2)
    assert assignee_rating(Expert.objects.get(name=EXPERT_WEI))[1] >= 1
    assert AuditEntry.objects.filter(action="desk.request.assignee_rated", object_id=str(req.pk)).count() == 2
    # Once only.
    with pytest.raises(IllegalTransition):
        services.assignment_rate(assignment=lab, score=3, by=_user("ent_shanyuan"))


def test_a_bad_assignee_rating_changes_nothing():
    req, expert, lab = _resolved()
    with pytest.raises(ValidationFailed) as exc:
        services.request_rate(
            request=req,
            score=4,
            by=_user("ent_shanyuan"),
            assignees=[{"assignment": expert.pk, "score": 5}, {"assignment": lab.pk, "score": 9}],
        )
    assert set(exc.value.errors) == {"assignees.1.score"}
    req.refresh_from_db()
    expert.refresh_from_db()
    assert req.status == "resolved" and req.rating_score is None and expert.rated_at is None


def test_assignees_cannot_be_rated_before_resolution_or_by_others(api_for):
    req, expert, _lab = _dispatched()
    services.assignment_accept(assignment=expert, by=_user("expert_lz"))
    r = post(api_for("ent_shanyuan"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 5})
    assert r.status_code == 409
    req, expert, _lab = _resolved()
    assert (
        post(api_for("ent_yuese"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 5}).status_code == 404
    )
    assert (
        post(api_for("station_lz"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 5}).status_code == 403
    )
    assert (
        post(api_for("expert_lz"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 5}).status_code == 403
    )
    r = post(api_for("ent_shanyuan"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 0})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "score"
    expert.refresh_from_db()
    assert expert.rated_at is None
    r = post(api_for("ent_shanyuan"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 4, "comment": "好"})
    assert r.status_code == 200 and r.json()["rating_score"] == 4
    r = post(api_for("ent_shanyuan"), f"/api/v1/assignments/{expert.pk}/rate", {"score": 5})
    assert r.status_code == 409


def test_the_request_rating_over_the_api_takes_assignee_ratings(api_for):
    req, expert, lab = _resolved()
    body = {"score": 5, "assignees": [{"assignment": expert.pk, "score": 6}]}
    r = post(api_for("ent_shanyuan"), f"/api/v1/requests/{req.pk}/rate", body)
    assert r.status_code == 422 and "score" in r.json()["detail"][0]["field"]
    body = {
        "score": 5,
        "assignees": [{"assignment": expert.pk, "score": 3}, {"assignment": lab.pk, "score": 4}],
    }
    r = post(api_for("ent_shanyuan"), f"/api/v1/requests/{req.pk}/rate", body)
    assert r.status_code == 200
    assert {a["id"]: a["rating_score"] for a in r.json()["assignments"]} == {expert.pk: 3, lab.pk: 4}


def test_the_rating_form_has_a_row_per_assignee(client):
    req, expert, lab = _resolved()
    client.force_login(_user("ent_shanyuan"))
    page = client.get(reverse("desk:request-detail", args=[req.pk])).content.decode()
    assert f'name="rate-a{expert.pk}_score"' in page and f'name="rate-a{lab.pk}_score"' in page
    r = client.post(
        reverse("desk:request-action", args=[req.pk, "rate"]),
        {"rate-score": "4", f"rate-a{expert.pk}_score": "5", f"rate-a{lab.pk}_score": ""},
    )
    assert r.status_code == 302
    expert.refresh_from_db()
    lab.refresh_from_db()
    assert expert.rating_score == 5 and lab.rated_at is None


def test_the_directory_shows_the_average_to_station_staff_only(client, api_for):
    Assignment.objects.filter(rating_score__isnull=False).update(rating_score=None, rated_at=None)
    _rate_both(5, 2)
    _rate_both(4, 3)
    wei, lab = Expert.objects.get(name=EXPERT_WEI), Institution.objects.get(name=LAB_LZ)
    assert assignee_rating(wei) == (4.5, 2) and assignee_rating(lab) == (2.5, 2)
    client.force_login(_user("station_lz"))
    page = client.get(reverse("directory:expert-detail", args=[wei.pk])).content.decode()
    assert "平均 4.5 星（2 次评价）" in page
    page = client.get(reverse("directory:institution-detail", args=[lab.pk])).content.decode()
    assert "平均 2.5 星（2 次评价）" in page
    assert api_for("reg_lz").get(f"/api/v1/experts/{wei.pk}").json()["service_rating"] == {
        "average": 4.5,
        "count": 2,
    }
    client.force_login(_user("ent_shanyuan"))
    page = client.get(reverse("directory:expert-detail", args=[wei.pk])).content.decode()
    assert "data-service-rating" not in page
    assert api_for("ent_shanyuan").get(f"/api/v1/institutions/{lab.pk}").json()["service_rating"] is None
