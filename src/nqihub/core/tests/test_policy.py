"""The rule table of docs/decisions/0005-access-policy.md is the one the code holds (core.policy.RULES)."""

from pathlib import Path

from nqihub.core import policy

ADR = Path(__file__).resolve().parents[4] / "docs" / "decisions" / "0005-access-policy.md"


def test_decision_record_shows_the_rules_of_the_code():
    assert policy.rule_table_markdown() in ADR.read_text(encoding="utf-8")


def test_every_kind_of_organisation_has_one_acting_role():
    from nqihub.core.models import Organisation

    assert set(policy.ACTING_ROLE) == set(Organisation.Kind.values)
    assert len(set(policy.ACTING_ROLE.values())) == len(policy.ACTING_ROLE)


def test_rules_name_only_known_roles_and_actions():
    actions = {policy.VIEW, policy.CREATE, policy.CHANGE, policy.DELETE, policy.TRANSITION}
    for obj, by_action in policy.RULES.items():
        assert set(by_action) <= actions, obj
        for reaches in by_action.values():
            assert set(reaches) <= {*policy.ROLES, policy.ANONYMOUS}, obj
