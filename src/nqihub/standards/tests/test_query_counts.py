"""Standards lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.standards.models import Declaration, Standard, StandardFollow, StandardProposal

pytestmark = pytest.mark.django_db


def _follows():
    """Two standards followed by 善元食品 (the demo world follows none yet), then its follows."""
    from nqihub.directory.models import Enterprise

    enterprise = Enterprise.objects.get(organisation__memberships__user__username="ent_shanyuan")
    for standard in Standard.objects.order_by("pk")[:2]:
        StandardFollow.objects.create(enterprise=enterprise, standard=standard)
    return StandardFollow.objects.filter(enterprise=enterprise)


def _proposals():
    """One proposal (the demo world has none), then the proposals."""
    from nqihub.accounts.models import User
    from nqihub.standards.services import proposal_create

    proposal_create(
        by=User.objects.get(username="ent_shanyuan"),
        code="T/QCSAMPLE 1-2026",
        title="示例团体标准",
        source="示例出处",
    )
    return StandardProposal.objects.all()


CASES = [
    ("page", "ent_shanyuan", "/standards/", lambda: Standard.objects.all()),
    ("api", "ent_shanyuan", "/api/v1/standards", lambda: Standard.objects.all()),
    ("page", "ent_hanxi", "/standards/declarations/", lambda: visible_to(Declaration, "ent_hanxi")),
    ("api", "ent_hanxi", "/api/v1/standards/declarations", lambda: visible_to(Declaration, "ent_hanxi")),
    ("page", "admin", "/standards/proposals/", lambda: _proposals()),
    ("api", "admin", "/api/v1/standards/proposals", lambda: _proposals()),
]


@pytest.mark.parametrize(
    ("kind", "url"), [("page", "/standards/following/"), ("api", "/api/v1/standards/follows")]
)
def test_the_follow_lists_run_a_constant_number_of_queries(client_for, api_for, kind, url):
    client = api_for("ent_shanyuan") if kind == "api" else client_for("ent_shanyuan")
    follows = _follows()

    def grow():
        enterprise = follows.first().enterprise
        more = Standard.objects.exclude(pk__in=follows.values("standard_id")).order_by("pk")[:4]
        return len(
            StandardFollow.objects.bulk_create(
                StandardFollow(enterprise=enterprise, standard=s) for s in more
            )
        )

    assert_constant_queries(client, url, grow)


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
