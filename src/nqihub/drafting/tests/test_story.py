"""The seed's Wuhan story as the demo loads it: 汉烯科技's 导热石墨烯膜 standard drafted, reviewed by the
Wuhan standardisation expert per clause, revised, approved and self-declared with its public page."""

import pytest

from nqihub.desk.models import Link
from nqihub.drafting.models import EnterpriseStandard

pytestmark = pytest.mark.django_db


def test_hanxi_graphene_film_standard_was_drafted_reviewed_and_declared(client_for, hanxi):
    draft = EnterpriseStandard.objects.get(enterprise=hanxi, product="导热石墨烯膜", is_demo=True)
    assert draft.status == "declared" and draft.version == 2 and "示例" in draft.title
    # Reviewed through a service request of the 岱家山 station, by the Wuhan expert.
    req = draft.service_request
    assert req.station.name == "武汉江岸岱家山科创城质量服务站" and ",standards," in req.categories
    assignment = req.assignments.get()
    assert assignment.expert.name == "陈工（示例）" and assignment.expert.user.username == "expert_wh"
    assert Link.objects.filter(request=req, kind=Link.Kind.STANDARD, ref=draft.number).exists()
    comments = list(draft.comments.values_list("clause", "kind", "version"))
    assert comments[:2] == [("4.1", "comment", 1), ("5.1", "comment", 1)]
    assert [k for _c, k, _v in comments[2:]] == ["changes_requested", "approved"]
    # Version 2 answers the comments.
    v1, v2 = (v.content for v in draft.versions.order_by("number"))
    assert v1["indicators"][0]["requirement"] == "≥1200" and v2["indicators"][0]["requirement"] == "≥1500"
    assert v2["indicators"][0]["method"] == "DB32/T 3596-2019"
    # Declared through the self-declaration flow, public.
    assert draft.declaration.own_code == draft.number and draft.declaration.is_demo
    public = client_for("ent_yuese").get(f"/standards/public/enterprises/{hanxi.pk}/declarations/")
    assert draft.number in public.content.decode()
    # Every party sees it; outsiders do not.
    for username in ("ent_hanxi", "station_wh", "expert_wh", "reg_national"):
        assert client_for(username).get(f"/drafting/{draft.pk}/").status_code == 200, username
    for username in ("ent_shanyuan", "station_lz", "expert_lz", "reg_gx"):
        assert client_for(username).get(f"/drafting/{draft.pk}/").status_code == 404, username
