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
    user = demo_user("ent_shanyuan")
    services.certificate_change_status(
        certificate=shanyuan_cert, to_status="revoked", reason="重大质量事故", by=user
    )
    with pytest.raises(services.IllegalTransition):
        services.certificate_change_status(certificate=shanyuan_cert, to_status="valid", reason="x", by=user)
    with pytest.raises(services.IllegalTransition):
        services.certificate_change_status(
            certificate=shanyuan_cert, to_status="expired", reason="x", by=user
        )


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
