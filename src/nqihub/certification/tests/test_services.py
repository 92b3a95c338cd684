from datetime import date

import pytest

from nqihub.certification import services
from nqihub.certification.models import CertificateStatus
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_suspend_and_restore_need_a_reason_and_are_recorded(shanyuan_cert, demo_user):
    user = demo_user("reg_lz")
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_change_status(
            certificate=shanyuan_cert, to_status="suspended", reason=" ", by=user
        )
    assert "reason" in exc.value.errors
    services.certificate_change_status(
        certificate=shanyuan_cert, to_status="suspended", reason="监督审核不合格", by=user
    )
    services.certificate_change_status(
        certificate=shanyuan_cert, to_status="valid", reason="整改完成", by=user
    )
    shanyuan_cert.refresh_from_db()
    assert shanyuan_cert.status == CertificateStatus.VALID
    history = list(
        shanyuan_cert.status_changes.order_by("id").values_list("from_status", "to_status", "reason")
    )
    assert history == [("valid", "suspended", "监督审核不合格"), ("suspended", "valid", "整改完成")]
    assert AuditEntry.objects.filter(action="certification.certificate.status_changed").count() == 2


def test_revoked_is_final(shanyuan_cert, demo_user):
    user = demo_user("reg_lz")
    services.certificate_change_status(
        certificate=shanyuan_cert, to_status="revoked", reason="重大质量事故", by=user
    )
    with pytest.raises(services.IllegalTransition):
        services.certificate_change_status(certificate=shanyuan_cert, to_status="valid", reason="x", by=user)
    with pytest.raises(services.IllegalTransition):
        services.certificate_change_status(
            certificate=shanyuan_cert, to_status="expired", reason="x", by=user
        )


def test_holder_enters_a_self_declared_certificate_but_never_changes_its_status(demo_user, today):
    """An enterprise may register its own certificate (marked 企业自主申报), but suspending, revoking or
    restoring it is the certification body's or a regulator's act; the history keeps who did it."""
    from nqihub.core.errors import PermissionDenied
    from nqihub.directory.models import Enterprise

    holder = demo_user("ent_shanyuan")
    enterprise = Enterprise.objects.get(organisation__memberships__user=holder)
    data = services.CertificateData(
        type="qms", number="示例-自主-1", body_name="示例认证机构", issue_date=date(2025, 1, 1)
    )
    own = services.certificate_create(enterprise=enterprise, data=data, by=holder, today=today)
    assert own.self_declared is True
    with pytest.raises(PermissionDenied):
        services.certificate_change_status(
            certificate=own, to_status="cancelled", reason="不再使用", by=holder
        )
    own.refresh_from_db()
    assert own.status == CertificateStatus.VALID and not own.status_changes.exists()

    regulator = demo_user("reg_lz")
    by_regulator = services.certificate_create(
        enterprise=enterprise,
        data=services.CertificateData(
            type="qms", number="示例-监管-1", body_name="示例认证机构", issue_date=date(2025, 1, 1)
        ),
        by=regulator,
        today=today,
    )
    assert by_regulator.self_declared is False
    services.certificate_change_status(
        certificate=own, to_status="suspended", reason="监督抽查", by=regulator
    )
    assert list(own.status_changes.values_list("to_status", "by__username")) == [("suspended", "reg_lz")]


def test_outsider_may_not_change_status(shanyuan_cert, demo_user):
    with pytest.raises(services.PermissionDenied):
        services.certificate_change_status(
            certificate=shanyuan_cert, to_status="suspended", reason="x", by=demo_user("ent_yuese")
        )


def test_expiry_must_follow_issue_and_ccc_defaults_to_five_years(demo_user, today):
    from nqihub.directory.models import Enterprise

    enterprise = Enterprise.objects.get(name="南通悦瑟家居用品有限公司")
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_create(
            enterprise=enterprise,
            data=services.CertificateData(
                type="qms",
                number="示例-1",
                body_name="示例认证机构",
                issue_date=date(2024, 1, 1),
                expiry_date=date(2023, 1, 1),
            ),
            by=demo_user("ent_yuese"),
            today=today,
        )
    assert "expiry_date" in exc.value.errors
    c = services.certificate_create(
        enterprise=enterprise,
        data=services.CertificateData(
            type="ccc", number="示例-2", body_name="示例认证机构", issue_date=date(2024, 1, 1)
        ),
        by=demo_user("ent_yuese"),
        today=today,
    )
    assert c.expiry_date == date(2028, 12, 31)
    assert c.region_id == "320614"
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_create(
            enterprise=enterprise,
            data=services.CertificateData(
                type="ccc", number="示例-2", body_name="示例认证机构", issue_date=date(2024, 1, 1)
            ),
            by=demo_user("ent_yuese"),
            today=today,
        )
    assert "number" in exc.value.errors


def test_other_types_need_an_expiry_date(demo_user, today):
    from nqihub.directory.models import Enterprise

    enterprise = Enterprise.objects.get(name="南通悦瑟家居用品有限公司")
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_create(
            enterprise=enterprise,
            data=services.CertificateData(
                type="product", number="示例-3", body_name="示例认证机构", issue_date=date(2024, 1, 1)
            ),
            by=demo_user("ent_yuese"),
            today=today,
        )
    assert "expiry_date" in exc.value.errors
