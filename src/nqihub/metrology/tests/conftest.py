import datetime

import pytest

DEMO_DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def demo_day():
    return DEMO_DAY


@pytest.fixture
def met_demo(db, demo_day):
    """善元食品's three demo instruments, due in 5, 25 and −3 days from ``demo_day``, keyed by name."""
    from nqihub.metrology.demo import seed_demo

    return {i.name: i for i in seed_demo(demo_day)}


@pytest.fixture
def haimen_instrument(db, demo_user):
    """An instrument of 悦瑟 (Haimen): outside every Liuzhou/Guangxi user's scope."""
    from nqihub.directory.models import Enterprise
    from nqihub.metrology import services

    yuese = Enterprise.objects.get(name="南通悦瑟家居用品有限公司")
    return services.instrument_create(
        enterprise=yuese,
        data=services.InstrumentData(name="钢卷尺", serial_number="HM-001", purpose="trade", quantity="长度"),
        by=demo_user("ent_yuese"),
    )
