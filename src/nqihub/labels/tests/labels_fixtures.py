"""Shared test data: a standards lookup that needs no database, and two correct base labels."""

LOOKUP = {
    "GB/T 22796-2021": {"status": "current"},
    "GB/T 22796-2009": {"status": "abolished", "replaced_by": "GB/T 22796-2021"},
    "Q/DEMO 0001-2025": {"status": "current"},
    "Q/DEMO 0002S": {"status": "current"},
    "Q/DEMO 0003S-2019": {"status": "abolished", "replaced_by": "Q/DEMO 0003S-2024"},
    "Q/DEMO 0004-2027": {"status": "upcoming"},
}

BEDSHEET_OK = {
    "manufacturer_name": "南通示例家纺有限公司",
    "manufacturer_address": "江苏省南通市海门区（示例地址）",
    "product_name": "床单",
    "size": "230cm×250cm",
    "fibre_content": "棉 100%",
    "care_instructions": "最高水温30℃ 常规洗涤；不可漂白；悬挂晾干；熨斗底板最高温度150℃；不可干洗",
    "standard_number": "GB/T 22796-2021",
    "safety_category": "GB 18401-2010 B类",
    "quality_grade": "一等品",
    "conformity": "检验合格",
}

SHIRT_OK = {
    **BEDSHEET_OK,
    "product_name": "男式衬衫",
    "size": "170/88A",
    "fibre_content": "棉 65% 聚酯纤维 35%",
    "standard_number": "Q/DEMO 0001-2025",
    "safety_category": "B类",
    "quality_grade": "合格品",
    "conformity": "合格证",
}

NUTRITION_OK = [
    {"item": "能量", "per_100": 1480, "unit": "kJ", "nrv_percent": "18%"},
    {"item": "蛋白质", "per_100": 7.2, "unit": "g", "nrv_percent": "12%"},
    {"item": "脂肪", "per_100": 10.5, "unit": "g", "nrv_percent": "18%"},
    {"item": "碳水化合物", "per_100": 55.0, "unit": "g", "nrv_percent": "18%"},
    {"item": "钠", "per_100": 1350, "unit": "mg", "nrv_percent": "68%"},
]

FOOD_OK = {
    "food_name": "螺蛳粉",
    "ingredients": "米粉（大米、水）、酸笋、腐竹、花生、食用植物油、食用盐、辣椒",
    "net_content": "300克",
    "producer_name": "柳州示例食品有限公司",
    "producer_address": "广西柳州市柳南区（示例地址）",
    "producer_contact": "电话：0772-0000000",
    "production_date": "见包装封口处",
    "shelf_life": "6个月",
    "storage_conditions": "置于阴凉干燥处，避免阳光直射",
    "licence_number": "SC00000000000000",
    "standard_code": "Q/DEMO 0002S",
    "nutrition": NUTRITION_OK,
}


def nutrition_with(which: str, /, **changes) -> list[dict]:
    """NUTRITION_OK with one row changed (``None`` drops the row)."""
    out = []
    for row in NUTRITION_OK:
        if row["item"] == which:
            if changes.get("drop"):
                continue
            row = {**row, **changes}
        out.append(row)
    return out
