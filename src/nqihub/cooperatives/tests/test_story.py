"""The 南通悦瑟家居 story (issue 8 acceptance), through the pages as the users click them: 悦瑟 joins the
Haimen cooperative (the admin admits it), names a quality officer, records inspections (one fails and is
corrected), gets its yearly free test at the Nantong textile lab, its pass rate appears, and its bed-sheet
label is checked and corrected."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from nqihub.cooperatives.models import (
    Inspection,
    LabelTemplate,
    Member,
    MemberStatus,
    NonConformity,
    TestingPlan,
)
from nqihub.core.models import AuditEntry
from nqihub.directory.models import Institution
from nqihub.labels.demo import YUESE_BEDSHEET_AFTER, YUESE_BEDSHEET_BEFORE
from nqihub.notifications.models import Notification

from .conftest import passing_values

pytestmark = pytest.mark.django_db


def _fields_text(fields: dict) -> str:
    return "\n".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in fields.items())


def test_yuese_joins_records_gets_tested_and_fixes_its_label(
    client_for, coop, yuese, yuese_member, checkpoints, django_capture_on_commit_callbacks
):
    ent = client_for("ent_yuese")
    admin = client_for("coop_haimen")
    # The demo has 悦瑟 in the cooperative since 2018; the story starts with it outside.
    with django_capture_on_commit_callbacks(execute=True):
        r = ent.post(
            reverse("cooperatives:member-action", args=[yuese_member.pk, "leave"]),
            {"reason": "重新办理入社（测试）"},
        )
    assert r.status_code == 302
    yuese_member.refresh_from_db()
    assert yuese_member.status == MemberStatus.LEFT

    # 1. 悦瑟 reads the commitment and applies, naming its quality officer.
    page = ent.get(reverse("cooperatives:detail", args=[coop.pk])).content.decode()
    assert "申请入社" in page
    form = ent.get(reverse("cooperatives:apply", args=[coop.pk])).content.decode()
    assert "入社承诺书" in form and "示例承诺书" in form
    r = ent.post(
        reverse("cooperatives:apply", args=[coop.pk]),
        {
            "officer_name": "周质量",
            "officer_phone": "139 0000 0002",
            "commitment_version": coop.commitment_version,
        },
    )
    assert r.status_code == 422 and "入社须阅读并接受合作社的入社承诺书" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = ent.post(
            reverse("cooperatives:apply", args=[coop.pk]),
            {
                "officer_name": "周质量",
                "officer_phone": "139 0000 0002",
                "accept_commitment": "on",
                "commitment_version": coop.commitment_version,
            },
        )
    assert r.status_code == 302
    member = Member.objects.get(cooperative=coop, enterprise=yuese)
    assert member.status == MemberStatus.APPLIED and member.commitment_version == coop.commitment_version
    assert Notification.objects.filter(
        recipient__username="coop_haimen", event="cooperatives.member.changed"
    ).exists()

    # 2. The cooperative's admin admits it.
    page = admin.get(reverse("cooperatives:member-detail", args=[member.pk])).content.decode()
    assert "审核入社申请" in page and "周质量" in page and "13900000002" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(reverse("cooperatives:member-action", args=[member.pk, "admit"]))
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.joined_on == timezone.localdate()
    assert [e.action for e in member.events.order_by("at", "id")][-3:] == ["left", "applied", "admitted"]
    assert AuditEntry.objects.filter(action="cooperatives.member.admitted", object_id=str(member.pk)).exists()
    assert Notification.objects.filter(
        recipient__username="ent_yuese", event="cooperatives.member.changed"
    ).exists()

    # 3. The quality officer records inspections: one passes, one fails and opens a non-conformity.
    incoming = checkpoints["incoming"]
    assert ent.get(reverse("cooperatives:inspect", args=[coop.pk])).status_code == 200
    values = {f"item_{k}": v for k, v in passing_values(incoming).items()}
    r = ent.post(
        reverse("cooperatives:inspection-record", args=[incoming.pk]),
        {"inspected_on": timezone.localdate().isoformat(), "batch": "测试批次1", **values},
    )
    assert r.status_code == 302
    first = Inspection.objects.filter(member=member).latest("id")
    assert first.result == "pass"
    formaldehyde = incoming.items.get(name="甲醛含量")
    values[f"item_{formaldehyde.pk}"] = "82"
    with django_capture_on_commit_callbacks(execute=True):
        r = ent.post(
            reverse("cooperatives:inspection-record", args=[incoming.pk]),
            {"inspected_on": timezone.localdate().isoformat(), "batch": "测试批次2", **values},
        )
    second = Inspection.objects.filter(member=member).latest("id")
    assert second.result == "fail"
    page = ent.get(r["Location"]).content.decode()
    assert "不合格" in page and "82" in page
    nc = NonConformity.objects.get(inspection=second)
    assert nc.status == "open" and nc.due_date > timezone.localdate()
    assert Notification.objects.filter(
        recipient__username="coop_haimen", event="cooperatives.nonconformity"
    ).exists()
    r = ent.post(reverse("cooperatives:nc-detail", args=[nc.pk]), {"step": "close", "evidence": ""})
    assert r.status_code == 422 and "纠正措施" in r.content.decode()
    r = ent.post(
        reverse("cooperatives:nc-detail", args=[nc.pk]),
        {"step": "close", "corrective_action": "更换面料批次", "evidence": "复检甲醛 30 mg/kg，合格"},
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "closed" and nc.evidence.startswith("复检")

    # 4. The yearly free test: the admin adds 悦瑟's bed sheet and orders at the Nantong textile lab.
    admin_page = admin.get(reverse("cooperatives:testing-plans", args=[coop.pk]))
    assert admin_page.status_code == 200
    r = admin.post(
        reverse("cooperatives:testing-plans", args=[coop.pk]),
        {"year": timezone.localdate().year, "name": "测试计划"},
    )
    plan = TestingPlan.objects.get(cooperative=coop, name="测试计划")
    r = admin.post(
        reverse("cooperatives:testing-line-add", args=[plan.pk]),
        {
            "member": member.pk,
            "sample_kind": "product",
            "product_name": "纯棉床单",
            "parameter_0": "甲醛含量",
            "requirement_0": "≤75",
            "unit_0": "mg/kg",
            "parameter_1": "pH值",
            "requirement_1": "4.0~8.5",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    lab = Institution.objects.get(name="南通纺织品检测实验室（示例）")
    page = admin.get(reverse("cooperatives:testing-plan", args=[plan.pk])).content.decode()
    assert lab.name in page
    admin.post(reverse("cooperatives:testing-lab", args=[plan.pk]), {"lab": lab.pk})
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(reverse("cooperatives:testing-order", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "ordered" and plan.lab == lab
    line = plan.lines.get()
    from nqihub.testing.models import TestOrder

    order = TestOrder.objects.get(pk=line.order_id)
    assert order.enterprise == yuese and order.lab == lab and order.cooperative_id == coop.organisation_id
    assert line.order == order and line.order_number == order.number  # a real foreign key
    assert {i.parameter for i in order.items.all()} == {"甲醛含量", "pH值"}
    assert Notification.objects.filter(
        recipient__username="ent_yuese", event="cooperatives.testing_plan"
    ).exists()
    assert order.number in ent.get(reverse("cooperatives:testing-plan", args=[plan.pk])).content.decode()

    # 5. The pass rate appears: 悦瑟 this period, 1 of 2 inspections passed (50%), below the 95% target.
    today = timezone.localdate()
    page = admin.get(
        reverse("cooperatives:pass-rates", args=[coop.pk]),
        {"date_from": today.isoformat(), "date_to": today.isoformat()},
    ).content.decode()
    assert "南通悦瑟家居用品有限公司" in page and "50.0%" in page and "低于目标" in page
    assert "计算方法" in page
    own = ent.get(
        reverse("cooperatives:pass-rates", args=[coop.pk]), {"date_from": today.isoformat()}
    ).content.decode()
    assert "50.0%" in own and "叠石桥示例床品经营部" not in own
    r = admin.get(
        reverse("cooperatives:pass-rates", args=[coop.pk]),
        {"date_from": today.isoformat(), "date_to": today.isoformat(), "format": "xlsx"},
    )
    assert (
        r["Content-Type"].startswith("application/vnd.openxmlformats") and ".xlsx" in r["Content-Disposition"]
    )
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "成员企业" and rows[-1][0] == "合作社合计"
    assert ("南通悦瑟家居用品有限公司", 1, 2, 50.0) in {(row[0], row[2], row[3], row[4]) for row in rows}

    # 6. The bed-sheet label: published as it was, checked (errors), corrected (no errors).
    r = admin.post(
        reverse("cooperatives:label-template-new", args=[coop.pk]),
        {"name": "悦瑟床单标签", "category": "textile", "fields_text": _fields_text(YUESE_BEDSHEET_BEFORE)},
    )
    assert r.status_code == 302
    template = LabelTemplate.objects.get(cooperative=coop, name="悦瑟床单标签")
    page = ent.get(reverse("cooperatives:label-template", args=[coop.pk, template.pk])).content.decode()
    assert "天丝" in page and "/labels/?category=textile" in page and 'data-severity="error"' in page
    detail = ent.get(reverse("cooperatives:detail", args=[coop.pk])).content.decode()
    assert "悦瑟床单标签" in detail and "项错误" in detail
    r = admin.post(
        reverse("cooperatives:label-template", args=[coop.pk, template.pk]),
        {"name": "悦瑟床单标签", "category": "textile", "fields_text": _fields_text(YUESE_BEDSHEET_AFTER)},
    )
    assert r.status_code == 302
    template.refresh_from_db()
    assert template.version == 2 and template.fields["standard_number"] == "GB/T 22796-2021"
    page = ent.get(reverse("cooperatives:label-template", args=[coop.pk, template.pk])).content.decode()
    assert 'data-severity="error"' not in page


def test_overdue_nonconformities_are_flagged(client_for, coop):
    overdue = NonConformity.objects.filter(
        member__cooperative=coop, status="open", due_date__lt=timezone.localdate()
    )
    assert overdue.exists()
    body = (
        client_for("coop_haimen")
        .get(reverse("cooperatives:ncs", args=[coop.pk]), {"status": "open", "overdue": "1"})
        .content.decode()
    )
    assert "逾期" in body and overdue.first().description in body
    detail = client_for("coop_haimen").get(reverse("cooperatives:detail", args=[coop.pk])).content.decode()
    assert "已逾期" in detail


def test_demo_pass_rate_is_near_target_with_a_member_below(demo_user, coop):
    from nqihub.cooperatives.selectors import pass_rates

    today = timezone.localdate()
    rates = pass_rates(
        fetched_by=demo_user("reg_national"),
        cooperative=coop,
        date_from=today - timedelta(days=200),
        date_to=today,
    )
    assert 90 <= rates.combined.percent <= 99
    assert [r.member.enterprise.name for r in rates.members_below_target] == ["叠石桥示例床品经营部（示例）"]
