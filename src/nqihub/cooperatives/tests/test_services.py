import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from nqihub.cooperatives import services
from nqihub.cooperatives.models import Inspection, Member, MemberStatus, TestingPlan
from nqihub.core.errors import ValidationFailed

from .conftest import passing_values

pytestmark = pytest.mark.django_db


def test_transition_table_refuses_what_it_does_not_list(demo_user, yuese_member):
    with pytest.raises(services.IllegalTransition) as exc:
        services.member_admit(member=yuese_member, by=demo_user("coop_haimen"))
    assert exc.value.status == 409 and "在社" in exc.value.message
    assert services.allowed_actions(MemberStatus.ACTIVE) == {"left", "removed"}
    assert services.allowed_actions("") == {"applied", "invited"}


def test_leaving_needs_a_reason_and_only_the_member_or_staff(demo_user, yuese_member):
    with pytest.raises(ValidationFailed) as exc:
        services.member_leave(member=yuese_member, reason=" ", by=demo_user("ent_yuese"))
    assert "退社原因" in exc.value.errors["reason"]
    with pytest.raises(services.PermissionDenied):
        services.member_leave(member=yuese_member, reason="x", by=demo_user("reg_national"))
    services.member_leave(member=yuese_member, reason="经营调整", by=demo_user("coop_haimen"))
    yuese_member.refresh_from_db()
    assert yuese_member.status == "left" and yuese_member.events.first().action == "removed"


def test_a_new_commitment_version_must_be_accepted_before_admission(demo_user, coop, yuese_member):
    services.member_leave(member=yuese_member, reason="测试", by=demo_user("ent_yuese"))
    member = services.member_apply(
        cooperative=coop,
        enterprise=yuese_member.enterprise,
        officer_name="周",
        officer_phone="13900000002",
        accept_commitment=True,
        commitment_version=coop.commitment_version,
        by=demo_user("ent_yuese"),
    )
    coop = services.cooperative_update(
        cooperative=coop,
        by=demo_user("coop_haimen"),
        host_organisation=coop.host_organisation,
        charter=coop.charter,
        commitment_text=coop.commitment_text + "\n五、新增条款。",
        target_pass_rate="95",
    )
    assert coop.commitment_version == 2
    member = Member.objects.get(pk=member.pk)
    with pytest.raises(services.IllegalTransition) as exc:
        services.member_admit(member=member, by=demo_user("coop_haimen"))
    assert "第2版" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.member_confirm_commitment(
            member=member, accept_commitment=True, commitment_version=1, by=demo_user("ent_yuese")
        )
    assert "第2版" in exc.value.errors["accept_commitment"]
    services.member_confirm_commitment(
        member=member, accept_commitment=True, commitment_version=2, by=demo_user("ent_yuese")
    )
    assert (
        services.member_admit(member=Member.objects.get(pk=member.pk), by=demo_user("coop_haimen")).status
        == "active"
    )


@pytest.mark.parametrize(
    "phone, ok", [("13900000002", True), ("0513-12345678", True), ("12345", False), ("1390000000a", False)]
)
def test_officer_phone_is_checked_and_stored_encrypted(demo_user, yuese_member, phone, ok):
    from django.db import connection

    if not ok:
        with pytest.raises(ValidationFailed) as exc:
            services.member_set_officer(
                member=yuese_member, officer_name="周", officer_phone=phone, by=demo_user("ent_yuese")
            )
        assert "联系电话格式不正确" in exc.value.errors["officer_phone"]
        return
    services.member_set_officer(
        member=yuese_member, officer_name="周专员", officer_phone=phone, by=demo_user("ent_yuese")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT officer_phone FROM cooperatives_member WHERE id = %s", [yuese_member.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("sm4g:") and phone not in raw
    assert Member.objects.get(pk=yuese_member.pk).officer_phone == phone


def test_inspection_values_are_judged_and_unjudgeable_ones_refused(demo_user, yuese_member, checkpoints):
    incoming = checkpoints["incoming"]
    values = passing_values(incoming)
    ph = incoming.items.get(name="pH值")
    values[str(ph.pk)] = "大约七"
    before = Inspection.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_record(
            member=yuese_member,
            checkpoint=incoming,
            values=values,
            inspected_on=timezone.localdate(),
            by=demo_user("ent_yuese"),
        )
    assert exc.value.errors[f"item_{ph.pk}"].startswith("pH值：无法判定")
    assert Inspection.objects.count() == before
    values[str(ph.pk)] = "9.0"  # 4.0~8.5
    inspection = services.inspection_record(
        member=yuese_member,
        checkpoint=incoming,
        values=values,
        inspected_on=timezone.localdate(),
        by=demo_user("ent_yuese"),
    )
    assert inspection.result == "fail"
    result = inspection.results.get(item=ph)
    assert result.verdict == "fail" and result.reason
    assert inspection.nonconformities.get().item == ph


def test_missing_answers_and_future_dates_are_reported_together(demo_user, yuese_member, checkpoints):
    outgoing = checkpoints["outgoing"]
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_record(
            member=yuese_member,
            checkpoint=outgoing,
            values={},
            by=demo_user("ent_yuese"),
            inspected_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
        )
    assert "inspected_on" in exc.value.errors
    assert len([k for k in exc.value.errors if k.startswith("item_")]) == outgoing.items.count()


def test_measured_items_need_a_readable_requirement(demo_user, checkpoints):
    with pytest.raises(ValidationFailed) as exc:
        services.item_add(
            checkpoint=checkpoints["process"],
            by=demo_user("coop_haimen"),
            name="约75",
            kind="measured",
            requirement="75 左右",
        )
    assert "无法识别的要求" in exc.value.errors["requirement"]
    with pytest.raises(services.PermissionDenied):
        services.item_add(
            checkpoint=checkpoints["process"], by=demo_user("ent_yuese"), name="x", kind="pass_fail"
        )


def test_ordering_is_all_or_nothing(demo_user, testing_plan, monkeypatch):
    calls = []

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationFailed({"items": "样品不符合"})
        from nqihub.testing.services import order_create

        return order_create(**kwargs)

    monkeypatch.setattr(services, "order_service", lambda: failing_second)
    from nqihub.testing.models import TestOrder

    before = TestOrder.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.testing_plan_order(plan=testing_plan, by=demo_user("coop_haimen"))
    assert "第2行" in exc.value.errors["lines"] and "样品不符合" in exc.value.errors["lines"]
    assert TestOrder.objects.count() == before
    testing_plan.refresh_from_db()
    assert testing_plan.status == "draft" and not testing_plan.lines.filter(order_id__isnull=False).exists()


def test_ordering_without_the_testing_service_says_so(demo_user, testing_plan, monkeypatch):
    monkeypatch.setattr(services, "order_service", lambda: None)
    with pytest.raises(services.IllegalTransition) as exc:
        services.testing_plan_order(plan=testing_plan, by=demo_user("coop_haimen"))
    assert "尚未提供" in exc.value.message
    assert TestingPlan.objects.get(pk=testing_plan.pk).status == "draft"


def test_a_lab_that_does_not_cover_every_item_is_refused(demo_user, testing_plan):
    from nqihub.directory.models import Institution

    food_lab = Institution.objects.get(name="柳州市食品检验检测实验室（示例）")
    with pytest.raises(ValidationFailed) as exc:
        services.testing_plan_set_lab(plan=testing_plan, lab=food_lab, by=demo_user("coop_haimen"))
    assert "能力范围不包括" in exc.value.errors["lab"]


@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)
        .map(str.strip)
        .filter(lambda v: v and v.lower() not in {"true", "false", "是", "否", "yes", "no"}),
        max_size=8,
    )
)
def test_label_fields_text_round_trips(fields):
    from nqihub.cooperatives.views import _fields_text

    assert services.parse_label_fields(_fields_text(fields)) == fields


@given(st.text(max_size=200))
def test_label_fields_parser_raises_only_value_error(text):
    try:
        result = services.parse_label_fields(text)
    except ValueError:
        return
    assert isinstance(result, dict)


def test_adding_a_sample_keeps_the_chosen_lab_while_it_covers_the_new_items(demo_user, testing_plan):
    from nqihub.cooperatives.models import Member
    from nqihub.cooperatives.selectors import labs_for_plan

    admin = demo_user("coop_haimen")
    option = labs_for_plan(fetched_by=admin, plan=testing_plan)[0]
    services.testing_plan_set_lab(plan=testing_plan, lab=option.institution, by=admin)
    member = Member.objects.filter(cooperative=testing_plan.cooperative, status="active").first()
    covered = testing_plan.lines.first().items[:1]
    line = services.testing_plan_add_line(
        plan=testing_plan,
        member=member,
        sample_kind="product",
        product_name="四件套",
        items=covered,
        by=admin,
    )
    testing_plan.refresh_from_db()
    assert testing_plan.lab_id == option.institution.pk and line.lab_released == ""
    # A sample the lab cannot test lets the lab go, and says which lab.
    line = services.testing_plan_add_line(
        plan=testing_plan,
        member=member,
        sample_kind="product",
        product_name="四件套",
        items=[{"parameter": "商业无菌"}],
        by=admin,
    )
    testing_plan.refresh_from_db()
    assert testing_plan.lab_id is None and line.lab_released == option.institution.name
