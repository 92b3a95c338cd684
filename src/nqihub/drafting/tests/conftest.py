import pytest

from nqihub.directory.models import Enterprise


@pytest.fixture
def hanxi(db):
    return Enterprise.objects.get(name="武汉汉烯科技有限公司")


@pytest.fixture
def yuese(db):
    return Enterprise.objects.get(name="南通悦瑟家居用品有限公司")


def textile(**changes) -> dict:
    """A textile enterprise standard (GB 18401-2010 applies: its requirement table is in the catalogue)."""
    data = {
        "number": "Q/DEMOYS 0001-2026",
        "title": "婴幼儿纯棉床单（示例）",
        "product": "婴幼儿床单",
        "scope": "本文件适用于以纯棉机织物制成的婴幼儿床单（示例）。",
        "references": ["GB 18401-2010"],
        "indicators": [
            {
                "item": "甲醛含量",
                "requirement": "≤20",
                "unit": "mg/kg",
                "method": "GB/T 2912.1-2009",
                "grade": "A",
            },
            {"item": "pH值", "requirement": "4.0~7.5", "unit": "", "method": "", "grade": "A"},
            {"item": "异味", "requirement": "无", "unit": "", "method": "GB 18401-2010", "grade": "A"},
            {"item": "可分解致癌芳香胺染料", "requirement": "禁用", "unit": "", "method": "", "grade": "A"},
        ],
    }
    data.update(changes)
    return data


def graphene(**changes) -> dict:
    data = {
        "number": "Q/DEMOHX 0002-2026",
        "title": "导热石墨烯膜（示例二）",
        "product": "导热石墨烯膜",
        "scope": "",
        "references": ["GB/T 30544.13-2018"],
        "indicators": [
            {"item": "导热系数", "requirement": "≥1500", "unit": "W/(m·K)", "method": "GB/T 22588-2008"},
            {"item": "厚度", "requirement": "25±3", "unit": "μm", "method": "GB/T 6672-2001"},
        ],
    }
    data.update(changes)
    return data
