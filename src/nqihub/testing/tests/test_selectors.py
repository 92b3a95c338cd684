from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from nqihub.core.scoping import visible
from nqihub.testing import selectors, states
from nqihub.testing.models import TestOrder

pytestmark = pytest.mark.django_db


def _direct(user, **filters):
    qs = TestOrder.objects.filter(visible(user, TestOrder), issued_at__isnull=False, **filters)
    return qs.count(), qs.filter(conclusion="pass").count(), qs.filter(conclusion="fail").count()


def test_pass_rates_match_a_direct_count(make_order, advance, users, lab):
    advance(make_order(), "issued")
    advance(make_order(), "issued", results={"水分": "20", "铅": "0.01"})
    advance(make_order(), "issued", results={"水分": "10", "铅": "检出异常"})
    reg = users["reg_lz"]
    rows = {r.key: r for r in selectors.pass_rates(fetched_by=reg, group_by="lab")}
    row = rows[str(lab.pk)]
    total, passed, failed = _direct(reg, lab=lab)
    assert (row.total, row.passed, row.failed) == (total, passed, failed)
    assert row.undetermined == total - passed - failed >= 1
    assert row.rate == round(100 * passed / (passed + failed), 1)
    by_product = {r.key: r for r in selectors.pass_rates(fetched_by=reg, group_by="product")}
    assert by_product["预包装柳州螺蛳粉"].total == _direct(reg, product_name="预包装柳州螺蛳粉")[0]
    by_city = selectors.pass_rates(fetched_by=reg, group_by="region", region_level="city")
    assert [(r.key, r.label) for r in by_city] == [("4502", "柳州市")]
    assert by_city[0].total == _direct(reg)[0]
    ent = {r.key: r for r in selectors.pass_rates(fetched_by=reg, group_by="enterprise")}
    assert (
        ent[str(users["ent_shanyuan"].memberships.get().organisation.enterprise.pk)].label
        == "善元食品有限公司"
    )


def test_pass_rates_respect_scope_and_dates(make_order, advance, users):
    advance(make_order(), "issued")
    assert selectors.pass_rates(fetched_by=users["ent_yuese"], group_by="lab") == []
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert selectors.pass_rates(fetched_by=users["reg_lz"], group_by="lab", date_from=tomorrow) == []
    today = timezone.localdate()
    assert selectors.pass_rates(fetched_by=users["reg_lz"], group_by="lab", date_from=today, date_to=today)


def test_pass_rates_by_cooperative_only_count_cooperative_orders(make_order, advance, users):
    advance(make_order(), "issued")
    reg = users["reg_lz"]
    rows = selectors.pass_rates(fetched_by=reg, group_by="cooperative")
    assert all(r.key != "None" for r in rows)
    assert sum(r.total for r in rows) == _direct(reg, cooperative__isnull=False)[0]


def test_bad_group_is_a_validation_error(users):
    from nqihub.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        selectors.pass_rates(fetched_by=users["reg_lz"], group_by="colour")


ACTIONS = sorted({a for (_s, a) in states.TRANSITIONS})


@given(st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_any_sequence_of_actions_only_follows_the_table(actions):
    """From draft, whatever is tried, the state only ever changes along a table entry, and the final
    states accept nothing."""
    state = states.DRAFT
    for action in actions:
        try:
            new = states.next_state(state, action)
        except states.IllegalTransition:
            assert (state, action) not in states.TRANSITIONS
            continue
        assert states.TRANSITIONS[(state, action)] == new
        assert state not in states.FINAL
        state = new
    assert all(states.allowed_actions(s) == [] for s in states.FINAL)
    if state == states.ISSUED:
        assert states.allowed_actions(state) == ["revise"]
