"""Demo data of the drafting app (the seed's Wuhan story); called by ``load_demo`` after the directory's
demo world exists.

汉烯科技 drafts its 导热石墨烯膜 enterprise standard on the platform; it asks for expert review, the
岱家山 station dispatches the request to the 武汉市标准化研究院 expert (陈工, login ``expert_wh``), who comments
per clause and requests changes; version 2 tightens the limits and changes the thermal-conductivity method;
the expert approves and 汉烯 self-declares it (public page). The number's enterprise code (``DEMOHX``), the
title's 示例 and every indicator value are demonstration values; the method and term standards are real
numbers (not in the platform's catalogue, so they show as “未收录，请核实”). Idempotent: a second run finds the
demo draft and leaves it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from nqihub.accounts.models import User
from nqihub.desk import services as desk
from nqihub.directory.models import Enterprise, Expert

from . import services
from .models import EnterpriseStandard

ENTERPRISE = "武汉汉烯科技有限公司"
PRODUCT = "导热石墨烯膜"
EXPERT = "陈工（示例）"


def _content(today, version: int) -> dict:
    year = today.year
    v2 = version >= 2
    return {
        "number": f"Q/DEMOHX 0001-{year}",
        "title": "导热石墨烯膜（示例）",
        "product": PRODUCT,
        "scope": "本文件适用于以氧化石墨烯为主要原料，经涂布、热处理和压延制成的、用于电子设备散热的导热石墨烯膜（示例）。",
        "references": ["GB/T 30544.13-2018"],
        "terms": [
            {
                "term": "导热石墨烯膜",
                "english": "thermally conductive graphene film",
                "definition": "以石墨烯为主要成分、面内方向具有高导热性能、用于电子设备散热的膜材（示例定义）。",
            }
        ],
        "indicators": [
            {
                "item": "导热系数（面内）",
                "requirement": "≥1500" if v2 else "≥1200",
                "unit": "W/(m·K)",
                "method": "DB32/T 3596-2019" if v2 else "GB/T 22588-2008",
                "grade": "",
                "factory": True,
            },
            {
                "item": "厚度",
                "requirement": "25±3" if v2 else "25±5",
                "unit": "μm",
                "method": "GB/T 6672-2001",
                "grade": "",
                "factory": True,
            },
            {
                "item": "密度",
                "requirement": "≥1.9" if v2 else "≥1.8",
                "unit": "g/cm³",
                "method": "GB/T 1033.1-2008",
                "grade": "",
                "factory": v2,
            },
        ],
        "sampling": "每批随机抽取3卷，每卷去掉外层后截取试样（示例）。",
        "packaging": "产品以离型膜隔层收卷，内包装为防静电铝箔袋，外包装为纸箱（示例）。",
        "drafters": "汉烯科技技术部（示例）",
        "publish_date": today,
        "implement_date": today + timedelta(days=30),
        "annexes": [],
    }


def seed_demo(today) -> None:
    enterprise = Enterprise.objects.filter(name=ENTERPRISE).first()
    users = {
        u.username: u for u in User.objects.filter(username__in=["ent_hanxi", "station_wh", "expert_wh"])
    }
    expert = Expert.objects.filter(name=EXPERT).first()
    if enterprise is None or expert is None or len(users) < 3:
        return
    if EnterpriseStandard.objects.filter(enterprise=enterprise, product=PRODUCT, is_demo=True).exists():
        return
    ent, station, expert_user = users["ent_hanxi"], users["station_wh"], users["expert_wh"]
    with transaction.atomic():
        draft = services.draft_create(data=services.data_from(_content(today, 1)), by=ent)
        draft = services.review_request(
            draft=draft, by=ent, note="我公司为初创企业，请专家帮助完善导热石墨烯膜企业标准（示例）。"
        )
        req = draft.service_request
        desk.request_accept(request=req, by=station)
        (assignment,) = desk.request_dispatch(
            request=req,
            assignees=[
                desk.AssigneeSpec(assignee_type="expert", assignee_id=expert.pk, note="企业标准审查（示例）")
            ],
            by=station,
        )
        desk.assignment_accept(assignment=assignment, by=expert_user)
        services.comment_add(
            draft=draft,
            clause="4.1",
            text="导热系数和厚度的指标按现有批次实测数据收紧：导热系数不低于1500 W/(m·K)，厚度公差±3 μm；密度纳入出厂检验（示例意见）。",
            by=expert_user,
        )
        services.comment_add(
            draft=draft,
            clause="5.1",
            text="GB/T 22588-2008 未规定膜材面内方向的测试，面内导热系数建议按 DB32/T 3596-2019《石墨烯材料热扩散系数及导热系数的测定 闪光法》测定（示例意见）。",
            by=expert_user,
        )
        services.review_decide(
            draft=draft, decision="request_changes", note="按条款意见修改后提请复审（示例）。", by=expert_user
        )
        draft = services.draft_update(
            draft=draft, data=services.data_from(_content(today, 2)), by=ent, note="按专家意见修改（示例）"
        )
        services.review_request(draft=draft, by=ent, note="已按意见修改指标和试验方法（示例）。")
        services.review_decide(
            draft=draft,
            decision="approve",
            note="指标、试验方法和检验规则齐全，同意发布（示例）。",
            by=expert_user,
        )
        desk.assignment_complete(
            assignment=assignment,
            by=expert_user,
            result="协助企业完成导热石墨烯膜企业标准（第2版），审查通过（示例）。",
        )
        services.draft_declare(draft=draft, by=ent)
