import json

from nqihub.directory.models import Enterprise, Expert, Institution

SHANYUAN = "善元食品有限公司"
HANXI = "武汉汉烯科技有限公司"
STATION_LZ = "广西柳州螺蛳粉质量检测服务站"
LAB_LZ = "柳州市食品检验检测实验室（示例）"
EXPERT_WEI = "韦工（示例）"


def post(client, url, data=None, **headers):
    return client.post(
        url, json.dumps(data if data is not None else {}), content_type="application/json", headers=headers
    )


def shelf_life_request(**overrides) -> dict:
    data = {
        "categories": ["testing", "quality_management"],
        "industry": "1431",
        "product": "预包装柳州螺蛳粉",
        "title": "螺蛳粉保质期短，想延长保质期",
        "description": "预包装螺蛳粉常温存放两个月后出现胀袋，希望专家指导杀菌工艺，并检测菌落总数和霉菌和酵母。",
        "urgency": "normal",
    }
    data.update(overrides)
    return data


def shelf_life_data(
    enterprise: str = SHANYUAN, *, contact_name: str = "", contact_phone: str = "", **overrides
):
    """``services.RequestData`` of ``shelf_life_request(**overrides)`` filed for ``enterprise``."""
    from nqihub.desk import services

    data = shelf_life_request(**overrides)
    return services.RequestData(
        enterprise_id=Enterprise.objects.get(name=enterprise).pk,
        categories=data["categories"],
        title=data["title"],
        description=data["description"],
        industry=data["industry"],
        product=data["product"],
        contact_name=contact_name,
        contact_phone=contact_phone,
    )


def ids():
    return {
        "shanyuan": Enterprise.objects.get(name=SHANYUAN).pk,
        "hanxi": Enterprise.objects.get(name=HANXI).pk,
        "wei": Expert.objects.get(name=EXPERT_WEI).pk,
        "lab": Institution.objects.get(name=LAB_LZ).pk,
    }
