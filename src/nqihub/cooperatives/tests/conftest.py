import pytest

from nqihub.cooperatives.models import Cooperative, Member, NonConformity, QcPlan, TestingPlan
from nqihub.directory.models import Enterprise

YUESE = "南通悦瑟家居用品有限公司"


@pytest.fixture
def coop(db):
    return Cooperative.objects.select_related("organisation").get(organisation__name="南通海门家纺质量合作社")


@pytest.fixture
def yuese(db):
    return Enterprise.objects.get(name=YUESE)


@pytest.fixture
def yuese_member(coop, yuese):
    return Member.objects.get(cooperative=coop, enterprise=yuese)


@pytest.fixture
def plan(coop):
    return QcPlan.objects.get(cooperative=coop, name="床上用品质量控制计划（示例）")


@pytest.fixture
def checkpoints(plan):
    """{stage: checkpoint} of the demo plan."""
    return {c.stage: c for c in plan.checkpoints.all()}


@pytest.fixture
def nc(coop):
    return NonConformity.objects.filter(member__cooperative=coop, status="open").first()


@pytest.fixture
def testing_plan(coop):
    return TestingPlan.objects.get(cooperative=coop, status="draft")


def passing_values(checkpoint) -> dict:
    good = {"甲醛含量": "20", "甲醛含量（抽检）": "20", "pH值": "6.5", "异味": "无"}
    return {
        str(item.pk): ("pass" if item.kind == "pass_fail" else good.get(item.name, "合格"))
        for item in checkpoint.items.all()
    }
