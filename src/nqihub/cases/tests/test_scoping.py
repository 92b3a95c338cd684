"""Unpublished cases are never visible outside their station, enterprise and region: outsider tests on
every route (HTML and API)."""

import pytest
from django.urls import reverse

from nqihub.cases import selectors

INSIDERS = ["station_lz", "ent_shanyuan", "reg_lz", "reg_gx", "reg_national", "admin"]
OUTSIDERS = ["station_wh", "ent_hanxi", "ent_yuese", "coop_haimen", "lab_lz", "expert_lz"]


@pytest.mark.parametrize("username", INSIDERS)
def test_insiders_see_the_draft(draft_case, demo_user, username):
    assert selectors.case_get(fetched_by=demo_user(username), pk=draft_case.pk) == draft_case


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_selector_raises(draft_case, demo_user, username):
    with pytest.raises(draft_case.DoesNotExist):
        selectors.case_get(fetched_by=demo_user(username), pk=draft_case.pk)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_gets_404_on_case_page(draft_case, client_for, username):
    assert client_for(username).get(reverse("cases:case-detail", args=[draft_case.pk])).status_code == 404


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_gets_404_on_edit_and_actions(draft_case, client_for, username):
    c = client_for(username)
    assert c.get(reverse("cases:case-edit", args=[draft_case.pk])).status_code == 404
    for action in ("submit", "consent", "refuse", "publish"):
        assert c.post(reverse("cases:case-action", args=[draft_case.pk, action])).status_code == 404


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_gets_404_in_api(draft_case, api_for, username):
    api = api_for(username)
    assert api.get(f"/api/v1/cases/{draft_case.pk}").status_code == 404
    ids = [c["id"] for c in api.get("/api/v1/cases", {"q": "酸笋"}).json()["items"]]
    assert draft_case.pk not in ids
    ids = [c["id"] for c in api.get("/api/v1/cases").json()["items"]]
    assert draft_case.pk not in ids


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_does_not_find_draft_in_library_or_suggestions(draft_case, client_for, username):
    c = client_for(username)
    assert "酸笋包胀袋问题的解决" not in c.get(reverse("cases:list"), {"q": "酸笋"}).content.decode()
    r = c.get(reverse("cases:suggest-partial"), {"text": "酸笋包胀袋"})
    assert "酸笋包胀袋问题的解决" not in r.content.decode()


def test_anonymous_gets_404_on_draft_and_sees_published(draft_case, client):
    assert client.get(reverse("cases:case-detail", args=[draft_case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/{draft_case.pk}").status_code == 404
    r = client.get(reverse("cases:list"))
    assert r.status_code == 200
    assert "预包装柳州螺蛳粉保质期由10天延长到6个月" in r.content.decode()
    assert "酸笋包胀袋问题的解决" not in r.content.decode()
    api_ids = [c["id"] for c in client.get("/api/v1/cases").json()["items"]]
    assert draft_case.pk not in api_ids and len(api_ids) >= 3


def test_station_staff_see_draft_in_library(draft_case, client_for):
    assert "酸笋包胀袋问题的解决" in client_for("station_lz").get(reverse("cases:list")).content.decode()


def test_unpublished_article_only_for_editors(db, demo_user, client, client_for):
    from nqihub.cases.models import ArticleCategory
    from nqihub.cases.services import ArticleData, article_create

    a = article_create(
        data=ArticleData(title="内部草稿文章", body="草稿正文", category=ArticleCategory.objects.first().pk),
        by=demo_user("reg_lz"),
    )
    url = reverse("cases:article-detail", args=[a.pk])
    assert client.get(url).status_code == 404
    assert client_for("ent_shanyuan").get(url).status_code == 404
    assert client.get(f"/api/v1/articles/{a.pk}").status_code == 404
    assert client_for("reg_lz").get(url).status_code == 200
