"""The enterprise's list of cases awaiting its consent."""

from django.urls import reverse

from nqihub.cases.models import Case
from nqihub.cases.services import case_submit


def test_enterprise_sees_its_pending_case_and_consents(draft_case, demo_user, client_for):
    case_submit(case=draft_case, by=demo_user("station_lz"))
    c = client_for("ent_shanyuan")
    r = c.get(reverse("cases:consent-pending"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "酸笋包胀袋问题的解决" in page
    assert reverse("cases:case-action", args=[draft_case.pk, "consent"]) in page
    assert reverse("cases:case-action", args=[draft_case.pk, "refuse"]) in page
    c.post(reverse("cases:case-action", args=[draft_case.pk, "refuse"]))
    draft_case.refresh_from_db()
    assert draft_case.status == Case.Status.ANONYMISED
    assert "酸笋包胀袋问题的解决" not in c.get(reverse("cases:consent-pending")).content.decode()


def test_other_enterprise_sees_none(draft_case, demo_user, client_for):
    case_submit(case=draft_case, by=demo_user("station_lz"))
    r = client_for("ent_yuese").get(reverse("cases:consent-pending"))
    assert r.status_code == 200
    assert "酸笋包胀袋问题的解决" not in r.content.decode()
    assert "没有待确认的案例" in r.content.decode()


def test_draft_not_yet_submitted_is_not_listed(draft_case, client_for):
    assert (
        "酸笋包胀袋问题的解决"
        not in client_for("ent_shanyuan").get(reverse("cases:consent-pending")).content.decode()
    )


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("cases:consent-pending")).status_code == 302
