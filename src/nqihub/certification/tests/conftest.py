from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def today():
    """The real local date: views and the API read it, so the data is laid out around it."""
    return timezone.localdate()


@pytest.fixture
def ccc(db):
    from nqihub.certification.catalogue import load_seed_editions

    return load_seed_editions()


@pytest.fixture
def shanyuan_cert(db, today):
    """善元食品's demo ISO 9001 certificate, expiring 60 days after ``today``."""
    from nqihub.certification.demo import seed_demo

    return seed_demo(today)


@pytest.fixture
def haimen_cert(db, today, demo_user):
    """A CCC certificate of 南通悦瑟家居 (Haimen, 320614), issued 400 days ago (valid 5 years)."""
    from nqihub.certification import services
    from nqihub.directory.models import Enterprise

    enterprise = Enterprise.objects.get(name="南通悦瑟家居用品有限公司")
    return services.certificate_create(
        enterprise=enterprise,
        data=services.CertificateData(
            type="ccc",
            number="示例-CCC-0001",
            body_name="示例认证机构",
            product="示例产品",
            issue_date=today - timedelta(days=400),
        ),
        by=demo_user("ent_yuese"),
        today=today,
    )
