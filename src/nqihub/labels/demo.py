"""Demo data of the labels app. The checker keeps no records, so ``seed_demo`` has nothing to write; the demo
labels below are for the page's "示例" buttons, the tests and the cooperatives app (label templates).

南通悦瑟家居用品有限公司's bed sheet (床单): ``YUESE_BEDSHEET_BEFORE`` carries the typical mistakes (trade name
天丝, fibre percentages summing to 95, a superseded product standard, category C for a product that touches the
skin, no care instructions, no address); ``YUESE_BEDSHEET_AFTER`` is the corrected label, which passes without
errors. Addresses and names carry the 示例 marker.
"""

YUESE_BEDSHEET_BEFORE: dict = {
    "manufacturer_name": "南通悦瑟家居用品有限公司",
    "product_name": "全棉印花床单（示例）",
    "size": "M",
    "fibre_content": "棉 55% 天丝 40%",
    "standard_number": "GB/T 22796-2009",
    "safety_category": "GB 18401-2010 C类",
    "quality_grade": "合格品",
    "conformity": "检验合格",
}

YUESE_BEDSHEET_AFTER: dict = {
    "manufacturer_name": "南通悦瑟家居用品有限公司",
    "manufacturer_address": "江苏省南通市海门区（示例地址）",
    "product_name": "印花床单（示例）",
    "size": "230cm×250cm",
    "fibre_content": "棉 60% 莱赛尔纤维 40%",
    "care_instructions": "最高水温30℃ 手洗；不可漂白；悬挂晾干；熨斗底板最高温度110℃；不可干洗",
    "standard_number": "GB/T 22796-2021",
    "safety_category": "GB 18401-2010 B类",
    "quality_grade": "合格品",
    "conformity": "检验合格",
    "for_infants": False,
}

#: A 螺蛳粉 label as 善元食品 might print it (柳州). Demo values: the licence number is SC and fourteen zeros, the
#: enterprise standard code is made up for the demo (it is not in the catalogue, so the checker warns).
SHANYUAN_LUOSIFEN_TEXT = """品名：螺蛳粉（示例）
配料：米粉（大米、水）、酸笋、腐竹、花生、木耳、食用植物油、食用盐、辣椒
净含量：300克
生产商：善元食品有限公司
地址：广西柳州市柳南区（示例地址）
电话：0772-0000000（示例）
生产日期：见包装封口处
保质期：6个月
贮存条件：置于阴凉干燥处，避免阳光直射
食品生产许可证编号：SC00000000000000
产品标准代号：Q/SYSP 0001S
营养成分表
项目 每100克 营养素参考值%
能量 1480千焦 18%
蛋白质 7.2克 12%
脂肪 10.5克 18%
碳水化合物 55.0克 18%
钠 1350毫克 68%
"""


def seed_demo(today) -> None:
    """Idempotent: the labels app stores nothing, so there is nothing to seed."""
    return None
