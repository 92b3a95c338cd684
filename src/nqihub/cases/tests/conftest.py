import datetime

import pytest

from nqihub.cases.demo import seed_demo
from nqihub.cases.models import Case
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import Enterprise, Station


@pytest.fixture(autouse=True)
def demo_cases(db):
    return seed_demo()


@pytest.fixture
def resolved_request(db):
    """A resolved 善元 request routed to the Liuzhou station."""
    today = datetime.date(2026, 3, 2)
    return ServiceRequest.objects.create(
        number="FW-2026-990001",
        enterprise=Enterprise.objects.get(name="善元食品有限公司"),
        region_id="450204",
        categories=",testing,quality_management,",
        industry_id="1431",
        product="预包装柳州螺蛳粉",
        title="螺蛳粉酸笋包胀袋",
        description="酸笋包常温储存一个月出现胀袋，需分析原因。",
        status="resolved",
        station=Station.objects.get(name="广西柳州螺蛳粉质量检测服务站"),
        routing_level="station",
        routing_reason="test",
        accept_by=today,
        respond_by=today,
        resolve_by=today,
        outcome="solved",
        summary="调整杀菌温度和时间，复检商业无菌合格。",
        cost_saved=50000,
    )


@pytest.fixture
def draft_case(db, resolved_request, demo_user):
    from nqihub.cases.services import CaseData, case_draft

    return case_draft(
        request=resolved_request,
        data=CaseData(
            title="酸笋包胀袋问题的解决",
            problem="酸笋包常温储存一个月出现胀袋。",
            solution="调整杀菌温度和时间。",
            result="复检商业无菌合格，避免整批报废。",
            nqi_elements=["testing"],
        ),
        by=demo_user("station_lz"),
    )


def unpublished(case: Case) -> bool:
    return case.status != Case.Status.PUBLISHED
