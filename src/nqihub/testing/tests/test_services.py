import re
from datetime import timedelta

import pytest
from django.utils import timezone

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.models import AuditEntry
from nqihub.testing import services, states
from nqihub.testing.models import LabRole, Report, SignOff, TestOrder

pytestmark = pytest.mark.django_db


# --- creating -------------------------------------------------------------------------------------------------


def test_enterprise_creates_a_draft_with_items_samples_and_a_number(lab, shanyuan, users):
    order = services.order_create(
        by=users["ent_shanyuan"],
        lab=lab,
        enterprise=shanyuan,
        product_name="预包装柳州螺蛳粉",
        items=[
            {
                "parameter": "水分",
                "method_standard": "GB 5009.3-2016",
                "requirement": "≤14.5",
                "unit": "g/100g",
            }
        ],
        samples=[{"name": "螺蛳粉", "model_spec": "300 g/袋", "batch": "B1", "quantity": "6 袋"}],
    )
    assert order.status == "draft"
    assert re.fullmatch(r"JC-\d{4}-\d{6}", order.number)
    assert order.region_id == shanyuan.region_id == "450204"
    assert order.origin == "enterprise"
    assert [s.batch for s in order.samples.all()] == ["B1"]
    item = order.items.get()
    assert (item.seq, item.parameter, item.requirement, item.unit) == (1, "水分", "≤14.5", "g/100g")
    assert item.method_warning == ""  # GB 5009.3-2016 is current in the catalogue
    assert AuditEntry.objects.filter(action="testing.order.created", object_id=str(order.pk)).exists()


def test_method_standard_not_current_in_the_catalogue_warns_the_lab(make_order):
    order = make_order()
    lead = order.items.get(parameter="铅")
    # GB 5009.12 (undated) is in the catalogue since the food-safety subset is loaded: its current edition.
    assert lead.method_warning == ""
    assert "未收录" in services.method_warning("GB 5009.999")
    assert "GB 2760-2014" in services.method_warning("GB 2760-2014")
    assert "现行版本为 GB 2760-2024" in services.method_warning("GB 2760-2014")
    assert "不是可识别的标准号" in services.method_warning("自编方法")


def test_a_lab_that_does_not_cover_every_item_is_refused(make_order, demo_user):
    from nqihub.directory.models import Institution

    textile_lab = Institution.objects.get(name="南宁纺织品检测实验室（示例）")
    with pytest.raises(ValidationFailed) as exc:
        make_order(lab=textile_lab)
    assert "lab" in exc.value.errors and "水分" in exc.value.errors["lab"]
    with pytest.raises(ValidationFailed) as exc:
        make_order(items=[{"parameter": "水分", "method_standard": "GB/T 2912.1-2009"}])
    assert "lab" in exc.value.errors
    assert not TestOrder.objects.filter(lab=textile_lab).exists()


def test_synonyms_of_a_parameter_are_covered(lab):
    assert services.lab_covers(lab, "细菌总数", "GB 4789.2-2022")  # synonym of 菌落总数
    assert services.lab_covers(lab, "大肠菌群", "GB 4789.3-2016")  # dated edition of an undated scope line
    assert not services.lab_covers(lab, "甲醛含量")


@pytest.mark.parametrize(
    "items, field",
    [
        ([], "items"),
        ([{"parameter": ""}], "items.0.parameter"),
        ([{"parameter": "水分", "requirement": "x" * 101}], "items.0.requirement"),
        ([{"parameter": "水分"}, {"parameter": "水分"}], "items.1.parameter"),
    ],
)
def test_bad_items_are_refused_field_by_field_and_nothing_is_created(make_order, items, field):
    before = TestOrder.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        make_order(items=items)
    assert field in exc.value.errors
    assert TestOrder.objects.count() == before


def test_an_outsider_cannot_order_for_an_enterprise(make_order, users):
    with pytest.raises(services.PermissionDenied):
        make_order(by=users["ent_yuese"])


def test_requirement_comes_from_the_product_standards_requirement_table(lab, shanyuan, users):
    from nqihub.standards.models import Requirement, Standard

    std = Standard.objects.create(
        canonical="示例-TEST 1-2026",
        code_without_year="示例-TEST 1",
        title="测试用产品标准（示例）",
        level="local",
        status="current",
    )
    Requirement.objects.create(
        standard=std, item="水分", requirement="≤13", unit="g/100g", method="GB 5009.3-2016"
    )
    Requirement.objects.create(
        standard=std, item="细菌总数", requirement="≤1000", unit="CFU/g", method="GB 4789.2-2022"
    )
    Requirement.objects.create(standard=std, item="甲醛含量", requirement="≤20", unit="mg/kg")
    order = services.order_create(
        by=users["ent_shanyuan"],
        lab=lab,
        enterprise=shanyuan,
        product_name="螺蛳粉",
        items=[{"parameter": "水分"}],
        product_standard="示例-TEST 1-2026",
    )
    item = order.items.get()
    assert (item.requirement, item.unit, item.method_standard) == ("≤13", "g/100g", "GB 5009.3-2016")
    assert item.requirement_source.startswith("示例-TEST 1-2026")
    added, skipped = services.items_from_standard(order=order, by=users["ent_shanyuan"])
    assert [i.parameter for i in added] == ["细菌总数"]  # the synonym of 菌落总数, which the lab covers
    assert skipped == ["甲醛含量"]
    # The requirement stays editable.
    services.item_update(item=item, by=users["ent_shanyuan"], requirement="≤14")
    item.refresh_from_db()
    assert item.requirement == "≤14" and item.requirement_source == ""


# --- the state machine ------------------------------------------------------------------------------------------


def test_transition_table_is_explicit():
    assert states.next_state("draft", "submit") == "submitted"
    assert states.next_state("approved", "issue") == "issued"
    assert states.next_state("issued", "revise") == "testing"
    with pytest.raises(states.IllegalTransition):
        states.next_state("draft", "issue")
    with pytest.raises(states.IllegalTransition):
        states.next_state("cancelled", "submit")
    assert set(states.allowed_actions("submitted")) == {"receive", "reject", "cancel"}


def test_full_flow_judges_items_and_issues_a_numbered_report(make_order, advance, users):
    order = advance(make_order(), "issued")
    assert order.status == "issued"
    assert order.conclusion == "pass"
    assert order.issued_at is not None
    report = order.reports.get()
    assert re.fullmatch(r"示例LZ-\d{4}-\d{4}", report.number)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", report.check_code)
    assert bytes(report.pdf).startswith(b"%PDF")
    assert report.data["verify_url"].startswith("http://testserver/testing/verify/?number=")
    assert [s["role"] for s in report.data["signatures"]] == ["检测", "审核", "批准"]
    assert [i["verdict"] for i in report.data["items"]] == ["合格", "合格"]
    actions = set(
        AuditEntry.objects.filter(object_id=str(order.pk), action__startswith="testing.order.").values_list(
            "action", flat=True
        )
    )
    assert {
        "testing.order.submit",
        "testing.order.receive",
        "testing.order.start",
        "testing.order.complete",
        "testing.order.review",
        "testing.order.approve",
        "testing.order.issue",
    } <= actions


def test_a_failed_item_makes_the_order_fail(make_order, advance):
    order = advance(make_order(), "testing", results={"水分": "15.0", "铅": "0.03"})
    assert order.conclusion == "fail"
    fail = order.items.get(parameter="水分")
    assert fail.verdict == "fail" and "14.5" in fail.verdict_reason


def test_conclusion_of_items():
    assert services.conclusion_of(["pass", "pass"]) == "pass"
    assert services.conclusion_of(["pass", "fail", "not_judged"]) == "fail"
    assert services.conclusion_of(["pass", "not_judged"]) == "undetermined"
    assert services.conclusion_of([]) == ""


def test_results_are_all_or_nothing(make_order, advance, users):
    order = advance(make_order(), "sample_received")
    water = order.items.get(parameter="水分")
    with pytest.raises(ValidationFailed):
        services.results_enter(order=order, by=users["lab_lz"], results={str(water.pk): "11", "999999": "1"})
    water.refresh_from_db()
    assert water.result == ""
    order.refresh_from_db()
    assert order.status == "sample_received"


def test_only_a_tester_enters_results_and_the_client_never(make_order, advance, users):
    order = advance(make_order(), "sample_received")
    item = order.items.first()
    for who in ("lab_lz_review", "ent_shanyuan"):
        with pytest.raises(services.PermissionDenied):
            services.results_enter(order=order, by=users[who], results={str(item.pk): "1"})


def test_a_sign_off_by_the_same_person_twice_is_refused(make_order, advance, users, lab):
    order = advance(make_order(), "results_entered")
    # lab_lz signed 检测; give them the reviewer role too: they still may not review their own results.
    LabRole.objects.create(user=users["lab_lz"], institution=lab, role=LabRole.Role.REVIEWER)
    with pytest.raises(DomainError) as exc:
        services.order_review(order=order, by=users["lab_lz"])
    assert "三位不同人员" in exc.value.message
    order.refresh_from_db()
    assert order.status == "results_entered"
    services.order_review(order=order, by=users["lab_lz_review"])
    LabRole.objects.create(user=users["lab_lz_review"], institution=lab, role=LabRole.Role.APPROVER)
    with pytest.raises(DomainError):
        services.order_approve(order=order, by=users["lab_lz_review"])
    assert SignOff.objects.filter(order=order).count() == 2


def test_roles_are_enforced_at_each_level(make_order, advance, users):
    order = advance(make_order(), "results_entered")
    with pytest.raises(services.PermissionDenied):
        services.order_review(order=order, by=users["lab_lz_approve"])  # approver, not reviewer
    with pytest.raises(services.PermissionDenied):
        services.order_review(order=order, by=users["reg_lz"])
    order = advance(order, "reviewed")
    with pytest.raises(services.PermissionDenied):
        services.order_approve(order=order, by=users["lab_lz_review"])


def test_a_report_cannot_be_issued_before_approval(make_order, advance, users):
    order = advance(make_order(), "reviewed")
    with pytest.raises(services.IllegalTransition) as exc:
        services.report_issue(order=order, by=users["lab_lz_approve"])
    assert "三级签署" in exc.value.message
    assert not Report.objects.filter(order=order).exists()


def test_reviewer_returns_items_for_retest_with_a_reason(make_order, advance, users):
    order = advance(make_order(), "results_entered")
    water = order.items.get(parameter="水分")
    with pytest.raises(ValidationFailed):
        services.order_return(order=order, by=users["lab_lz_review"], items=[water.pk], reason="")
    services.order_return(order=order, by=users["lab_lz_review"], items=[water.pk], reason="平行样偏差过大")
    order.refresh_from_db()
    water.refresh_from_db()
    assert order.status == "testing" and order.round == 2
    assert water.result == "" and water.retest_reason == "平行样偏差过大" and water.retest_count == 1
    assert order.conclusion == ""
    # A new round: the old sign-offs do not count, lab_lz signs 检测 again.
    services.results_enter(order=order, by=users["lab_lz"], results={str(water.pk): "11.0"})
    services.order_complete(order=order, by=users["lab_lz"])
    order.refresh_from_db()
    assert order.status == "results_entered"
    assert SignOff.objects.filter(order=order, round=2).count() == 1


def test_an_issued_report_cannot_be_edited(make_order, advance, users):
    order = advance(make_order(), "issued")
    item = order.items.first()
    with pytest.raises(services.Immutable):
        services.results_enter(order=order, by=users["lab_lz"], results={str(item.pk): "99"})
    with pytest.raises(services.Immutable):
        services.item_update(item=item, by=users["lab_lz"], requirement="≤1")
    with pytest.raises(services.Immutable):
        services.item_add(order=order, by=users["lab_lz"], parameter="菌落总数")
    with pytest.raises(services.Immutable):
        services.sample_add(order=order, by=users["ent_shanyuan"], name="补样")
    with pytest.raises(DomainError):
        services.order_cancel(order=order, by=users["lab_lz"], reason="不要了")
    report = order.reports.get()
    assert report.data["items"][0]["result"] == "11.2"


def test_a_revision_supersedes_the_report_it_replaces(make_order, advance, users):
    order = advance(make_order(), "issued")
    first = order.reports.get()
    with pytest.raises(services.PermissionDenied):
        services.order_revise(order=order, by=users["lab_lz"], reason="笔误")
    services.order_revise(order=order, by=users["lab_lz_approve"], reason="样品批号笔误")
    order.refresh_from_db()
    assert order.status == "testing"
    first.refresh_from_db()
    assert first.status == "valid"  # until the revision is issued
    lead = order.items.get(parameter="铅")
    services.results_enter(order=order, by=users["lab_lz"], results={str(lead.pk): "0.04"})
    order = advance(order, "issued")
    second = order.reports.get(status="valid")
    first.refresh_from_db()
    assert first.status == "superseded"
    assert second.replaces == first and second.revision == 2
    assert second.number == f"{first.number}-R1"
    assert first.number in second.data["remarks"] and "样品批号笔误" in second.data["remarks"]
    assert second.data["replaces_number"] == first.number
    assert services.verify(first.number, first.check_code).report.status == "superseded"


def test_report_numbers_are_unique_and_consecutive_per_lab_and_year(make_order, advance):
    a = advance(make_order(), "issued").reports.get()
    b = advance(make_order(), "issued").reports.get()
    assert (a.lab_id, a.year) == (b.lab_id, b.year)
    assert b.seq == a.seq + 1
    assert a.number != b.number
    # The counter is taken under a row lock.
    from nqihub.core.models import Sequence as Counter

    assert Counter.objects.get(key=f"report:{a.lab_id}:{a.year}").value == b.seq


def test_counter_is_concurrency_safe_by_construction():
    """Two calls never return the same value: ``next_value`` increments with F() (an atomic UPDATE that
    takes the row lock), and the unique key makes concurrent first inserts collide instead of duplicating."""
    from nqihub.core.models import Sequence as Counter

    values = [services.next_value("test:seq") for _ in range(5)]
    assert values == [1, 2, 3, 4, 5]
    assert Counter._meta.get_field("key").unique


def test_cancel_and_reject_need_reasons_and_who_may(make_order, users):
    order = make_order()
    with pytest.raises(ValidationFailed):
        services.order_reject(order=order, by=users["lab_lz"], reason=" ")
    with pytest.raises(services.PermissionDenied):
        services.order_reject(order=order, by=users["ent_shanyuan"], reason="x")
    services.order_reject(order=order, by=users["lab_lz"], reason="样品包装破损")
    order.refresh_from_db()
    assert order.status == "rejected" and order.status_reason == "样品包装破损"
    other = make_order()
    services.order_cancel(order=other, by=users["ent_shanyuan"], reason="重复提交")
    other.refresh_from_db()
    assert other.status == "cancelled"
    with pytest.raises(services.IllegalTransition):
        services.order_submit(order=other, by=users["ent_shanyuan"])


def test_client_may_not_cancel_after_receipt(make_order, advance, users):
    order = advance(make_order(), "sample_received")
    with pytest.raises(services.IllegalTransition):
        services.order_cancel(order=order, by=users["ent_shanyuan"], reason="不测了")


def test_receive_validates_date_and_condition(make_order, users):
    order = make_order()
    with pytest.raises(ValidationFailed) as exc:
        services.order_receive(
            order=order,
            by=users["lab_lz"],
            received_on=timezone.localdate() + timedelta(days=1),
            condition="",
        )
    assert set(exc.value.errors) == {"received_on", "condition"}


def test_transitions_are_notified(make_order, advance, users, django_capture_on_commit_callbacks):
    from nqihub.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        order = make_order()
    assert Notification.objects.filter(
        recipient=users["lab_lz"], event="testing.order.status_changed"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, "results_entered")
    assert Notification.objects.filter(
        recipient=users["lab_lz_review"], event="testing.signoff.needed"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        advance(order, "issued")
    assert Notification.objects.filter(
        recipient=users["ent_shanyuan"], event="testing.report_issued"
    ).exists()


def test_verification_says_the_same_for_unknown_number_and_wrong_code(make_order, advance):
    report = advance(make_order(), "issued").reports.get()
    assert services.verify(report.number, report.check_code.lower()).genuine
    wrong = services.verify(report.number, "AAAAAAAA")
    unknown = services.verify("示例LZ-1999-9999", report.check_code)
    assert not wrong.genuine and not unknown.genuine
    assert wrong.reason == unknown.reason and "查无此报告" in wrong.reason
    assert not services.verify("", "").genuine


def test_lab_roles_are_set_by_the_lab_manager_only(lab, users):
    with pytest.raises(services.PermissionDenied):
        services.lab_role_set(
            lab=lab, user=users["lab_lz"], role="reviewer", granted=True, by=users["lab_lz"]
        )
    services.lab_role_set(
        lab=lab, user=users["lab_lz"], role="reviewer", granted=True, by=users["lab_lz_approve"]
    )
    assert "reviewer" in services.lab_roles(users["lab_lz"], lab)
    with pytest.raises(ValidationFailed):
        services.lab_role_set(
            lab=lab, user=users["ent_shanyuan"], role="tester", granted=True, by=users["lab_lz_approve"]
        )
    services.lab_role_set(
        lab=lab, user=users["lab_lz"], role="reviewer", granted=False, by=users["lab_lz_approve"]
    )
    assert "reviewer" not in services.lab_roles(users["lab_lz"], lab)


def test_station_order_from_a_service_request_is_linked_both_ways(lab, shanyuan, users):
    from nqihub.desk.models import Link
    from nqihub.desk.services import RequestData, request_create

    req = request_create(
        data=RequestData(
            categories=["testing"],
            title="螺蛳粉检测",
            description="需要检测水分",
            enterprise_id=shanyuan.pk,
            channel="walk_in",
        ),
        by=users["station_lz"],
    )
    order = services.order_create(
        by=users["station_lz"],
        lab=lab,
        enterprise=shanyuan,
        product_name="螺蛳粉",
        items=[{"parameter": "水分", "method_standard": "GB 5009.3-2016"}],
        service_request=req,
    )
    assert order.origin == "station" and order.service_request == req
    assert Link.objects.filter(request=req, kind="test_order", ref=order.number).exists()


def test_results_that_cannot_be_judged_are_listed_when_saved_and_when_signed(
    make_order, advance, users, client_for, api_for
):
    order = advance(make_order(), "sample_received")
    water, lead = order.items.get(parameter="水分"), order.items.get(parameter="铅")
    c = client_for("lab_lz")
    r = c.post(
        f"/testing/orders/{order.pk}/results/",
        {f"result-{water.pk}": "11.2", f"result-{lead.pk}": "见附页"},
        follow=True,
    )
    shown = " ".join(str(m) for m in r.context["messages"])
    assert "无法自动判定" in shown and "铅：见附页" in shown and "水分" not in shown.split("无法自动判定")[1]
    assert services.unjudged_items(order) == [f"{lead.seq}. 铅：见附页"]
    assert api_for("lab_lz").get(f"/api/v1/test-orders/{order.pk}").json()["unjudged"] == [
        f"{lead.seq}. 铅：见附页"
    ]
    r = c.post(f"/testing/orders/{order.pk}/action/complete/", follow=True)
    assert "无法自动判定" in " ".join(str(m) for m in r.context["messages"])


def test_judgeable_results_give_no_warning(make_order, advance, client_for):
    order = advance(make_order(), "sample_received")
    water, lead = order.items.get(parameter="水分"), order.items.get(parameter="铅")
    r = client_for("lab_lz").post(
        f"/testing/orders/{order.pk}/results/",
        {f"result-{water.pk}": "11.2", f"result-{lead.pk}": "0.03"},
        follow=True,
    )
    assert "无法自动判定" not in " ".join(str(m) for m in r.context["messages"])
    assert services.unjudged_items(order) == []


def test_client_edits_samples_and_items_of_a_draft_but_never_removes_the_last(make_order, users):
    by = users["ent_shanyuan"]
    order = make_order(submit=False)
    with pytest.raises(services.ValidationFailed) as exc:
        services.sample_add(order=order, by=by, name="")
    assert set(exc.value.errors) == {"name"}
    sample = services.sample_add(order=order, by=by, name="第二份样品")
    services.sample_remove(sample=sample, by=by)
    with pytest.raises(services.ValidationFailed) as exc:
        services.sample_remove(sample=order.samples.get(), by=by)
    assert set(exc.value.errors) == {"sample"}
    with pytest.raises(services.ValidationFailed) as exc:
        services.item_add(order=order, by=by, parameter="", unit="x" * 40)
    assert set(exc.value.errors) == {"parameter", "unit"}
    first, second = order.items.order_by("seq")
    services.item_remove(item=second, by=by)
    with pytest.raises(services.ValidationFailed) as exc:
        services.item_remove(item=first, by=by)
    assert set(exc.value.errors) == {"item"}
    assert list(order.items.values_list("parameter", flat=True)) == [first.parameter]
    assert order.samples.count() == 1
    actions = list(order.events.values_list("action", "message"))
    assert ("sample_removed", "第二份样品") in actions
    assert ("item_removed", f"{second.seq}. {second.parameter}") in actions
    with pytest.raises(services.PermissionDenied):
        services.item_remove(item=first, by=users["ent_yuese"])
