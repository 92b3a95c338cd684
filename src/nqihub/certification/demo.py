"""Demo data of certification: ``seed_demo(today)`` (called by ``load_demo``; idempotent).

善元食品 holds an ISO 9001 certificate that expires 60 days after ``today``, so the 90-day reminder is due
in the demo. The number and body carry 示例: they are not real certificates.
"""

from datetime import date, timedelta

from django.db import transaction

from nqihub.directory.models import Enterprise

from .models import Certificate, CertificateType, SurveillanceAudit
from .services import _add_years

DEMO_NUMBER = "示例-QMS-0001"
DEMO_BODY = "示例认证机构"


@transaction.atomic
def seed_demo(today: date) -> Certificate | None:
    enterprise = Enterprise.objects.filter(name="善元食品有限公司").first()
    if enterprise is None:
        return None
    expiry = today + timedelta(days=60)
    issue = _add_years(expiry, -3) + timedelta(days=1)
    certificate, _created = Certificate.objects.update_or_create(
        body_name=DEMO_BODY,
        number=DEMO_NUMBER,
        defaults={
            "enterprise": enterprise,
            "region_id": enterprise.region_id,
            "type": CertificateType.QMS,
            "scope": "预包装柳州螺蛳粉的生产（示例）",
            "product": "预包装柳州螺蛳粉",
            "issue_date": issue,
            "expiry_date": expiry,
            "status": "valid",
            "is_demo": True,
        },
    )
    # The two annual surveillance audits of a 3-year certificate, both passed.
    certificate.surveillance_audits.all().delete()
    for year in (1, 2):
        due = _add_years(issue, year)
        SurveillanceAudit.objects.create(
            certificate=certificate,
            due_date=due,
            done_date=due,
            result=SurveillanceAudit.Result.PASSED,
            notes="示例",
        )
    return certificate
