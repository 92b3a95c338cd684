"""Demo data: the seed article's three stories as published cases, and a handful of guidance articles.

Facts come from the seed article (/work/shared/seed) and DOMAIN.md; what is invented (technical details,
dates, the wording of the measures) is flagged 示例. Idempotent: re-running updates the same rows.
Called by ``load_demo`` after the directory's demo world exists.
"""

from decimal import Decimal

from django.utils import timezone

from nqihub.accounts.models import User
from nqihub.directory.models import Enterprise, Station

from .models import Article, ArticleCategory, ArticleVersion, Case
from .services import article_search_text, index_case

DEMO_NOTE = "（示例：依据公开报道整理，技术细节为示例补充。）"
ARTICLE_NOTE = "\n\n（示例文章：依据公开资料整理，具体要求以主管部门正式发布的文件为准。）"

CASES = [
    {
        "title": "预包装柳州螺蛳粉保质期由10天延长到6个月",
        "enterprise": "善元食品有限公司",
        "station": "广西柳州螺蛳粉质量检测服务站",
        "region": "450204",
        "industry": "1431",
        "elements": ["testing", "quality", "standards"],
        "standards": "柳州螺蛳粉地方标准\n预包装柳州螺蛳粉地方标准",
        "problem": "企业研发的预包装柳州螺蛳粉保质期只有10天，难以打开全国市场；生产流程和质保期限等技术难题亟待解决。",
        "solution": (
            "依托广西柳州螺蛳粉产业质量服务“一站式”平台，广西柳州螺蛳粉质量检测服务站组织专家服务队开展产品技术攻关，"
            "围绕杀菌工艺、微生物控制和预包装生产流程逐项改进，并对菌落总数、霉菌和酵母等项目开展检验验证（示例细节）；"
            "同时按照《柳州螺蛳粉地方标准》《预包装柳州螺蛳粉地方标准》组织生产。"
        ),
        "result": (
            "保质期由10天提高到6个月，奠定了柳州螺蛳粉走向全国市场的基础。企业估算，“一站式”平台建成以来提供的各项质量服务"
            "为企业直接节约费用超过100万元。"
        ),
        "cost_saved": Decimal("1000000"),
        "consent": Case.Consent.GRANTED,
        "publisher": "reg_lz",
    },
    {
        "title": "家纺质量合作社帮助小微企业规范标识标签，入社成员产品合格率稳定在95%以上",
        "enterprise": "南通悦瑟家居用品有限公司",
        "station": None,
        "region": "320614",
        "industry": "1771",
        "elements": ["quality", "testing"],
        "standards": "GB 18401-2010",
        "problem": "企业以代工为主、没有自有品牌，质量管理流程不规范，家纺产品标识标注合格率不高，自身检验检测能力不足，常因此错失商机。",
        "solution": (
            "企业加入南通海门家纺质量合作社后，合作社帮助建立质量管理体系、设立质量专员，开展原材料进货验收、生产过程质量控制、"
            "成品出货检验，规范缝制、整烫等关键工序；牵头设计规范的标识标签；每年免费开展原辅材料和成品检验检测（如甲醛含量、"
            "色牢度、纤维含量，示例项目），进行质量分析和质量攻关。"
        ),
        "result": "入社成员产品质量合格率稳定在95%以上；企业有了自有商标“朵芮雅”，产品由中低档提升到中高档，年产值由约200万元增长到近千万元。",
        "cost_saved": None,
        "consent": Case.Consent.GRANTED,
        "publisher": None,
    },
    {
        "title": "导热石墨烯膜企业制定企业标准并完成质量认证，产品良品率和一致性提升",
        "enterprise": "武汉汉烯科技有限公司",
        "station": "武汉江岸岱家山科创城质量服务站",
        "region": "420102",
        "industry": "3985",
        "elements": ["standards", "certification"],
        "standards": "",
        "problem": "初创企业生产导热石墨烯膜，产品是全新材料，缺乏标准指导，生产工艺不稳定，良品率偏低，很难打开市场。",
        "solution": "岱家山科创城质量服务站在企业走访中了解到困难，邀请武汉市标准化研究院专家帮助企业制订详细的企业标准（内控标准），并完成质量认证。",
        "result": "按标准流程生产实现了产品均一、稳定，不同批次满足同一性能指标，产品性能得到手机等智能设备生产企业的认可。",
        "cost_saved": None,
        "consent": Case.Consent.GRANTED,
        "publisher": None,
    },
]

CATEGORIES = [("guide", "办事指南", 1), ("policy", "政策文件", 2)]

ARTICLES = [
    (
        "guide",
        "如何自我声明公开企业标准",
        "企业在企业标准信息公共服务平台公开所执行标准的编号和名称；执行企业标准的，还要公开产品的功能指标和性能指标。",
        "依据《标准化法》第二十七条，企业应当公开其执行的国家标准、行业标准、团体标准或企业标准的编号和名称；"
        "执行自行制定的企业标准的，还应当公开产品、服务的功能指标和产品的性能指标。\n\n"
        "办理步骤：\n1. 选择省、市后，以统一社会信用代码账户登录企业标准信息公共服务平台。\n"
        "2. 声明执行国家标准：按标准号主体数字检索（如 GB/T 1234-2019 输入 1234），再添加产品；必填产品名称、产品型号、产品分类，"
        "可选产品规格、产品条码、产品通用名；国家标准不能手工录入，也无需上传文本。公开后列表显示“现行有效”。\n"
        "3. 对声明可以查看、关联产品、修订、修改、删除、查询。\n\n"
        "注意：2024 年起施行的《企业标准化促进办法》对企业标准编号作出规定，企业标准的技术要求低于推荐性标准的须明确说明；"
        "此前以较低要求声明的，应重新声明。自我声明公开是参加企业标准“领跑者”的前提。",
    ),
    (
        "guide",
        "哪些产品需要CCC认证",
        "列入《强制性产品认证目录》的产品须取得CCC认证证书并加施CCC标志后，方可出厂、销售、进口或在经营性活动中使用。",
        "强制性产品认证（CCC）适用于列入《强制性产品认证目录》的产品。可在本平台“认证”栏目按产品名称查询是否在目录内。\n\n"
        "证书要点：\n- CCC 证书有效期 5 年，依靠获证后监督保持有效；应在有效期届满前 90 天内申请延续，最近一次监督合格的可直接换发。\n"
        "- 暂停：证书在暂停期间视为无效，相关产品不得出厂、进口；因季节性原因自愿暂停的最长 12 个月。\n"
        "- 注销：认证规则变化、停产、证书到期未延续或持证人申请。\n"
        "- 撤销：暂停期间未整改、产品存在严重缺陷或发生重大事故。\n\n"
        "产品认证证书应载明委托人、产品名称型号规格、商标、制造商和生产厂、认证依据的标准和技术要求、认证模式、证书编号、"
        "发证机构、发证日期和有效期。",
    ),
    (
        "guide",
        "如何预约计量器具检定或校准",
        "强检计量器具须按规程定点定期检定；非强检器具可以校准。检定出具合格/不合格结论，校准只给出数据和不确定度。",
        "哪些需要强制检定：社会公用计量标准，部门和企业、事业单位使用的最高等级计量标准，以及列入强检目录、"
        "用于贸易结算、安全防护、医疗卫生、环境监测的工作计量器具。\n\n"
        "在哪里检定：由县级以上人民政府计量行政部门指定的计量检定机构定点定期检定；本级不能检定的，送上一级指定机构。"
        "检定周期由执行检定的机构按检定规程（JJG）确定，而非使用单位自定。\n\n"
        "检定与校准的区别：检定给出合格/不合格结论和有效期，不合格的出具检定结果通知书；校准（按 JJF 等方法）给出测量数据和"
        "不确定度，仅建议下次校准日期，由使用单位判断是否满足要求。\n\n"
        "预约方式：在本平台“计量”栏目选择器具和机构提交预约，或通过所在地质量服务站代为预约。",
    ),
    (
        "guide",
        "CMA检验检测报告应包含哪些内容",
        "报告须有 CMA 标志及编号、唯一报告编号、方法和判定依据、样品信息、结果和结论、三级签字和检验检测专用章。",
        "一份合规的检验检测报告通常包括：\n- 标题（检测报告/检验报告）和报告编号，CMA（或 CNAS）标志及编号；\n"
        "- 机构名称和地址，检测地点不同的注明检测地点；\n- 每页都有唯一的报告标识，并有明确的报告结束标识；\n"
        "- 委托方/受检方名称和地址；\n- 检测方法和判定依据（标准编号和名称）；\n- 样品描述、状态和编号，确认的生产单位；\n"
        "- 收样日期和检测日期，涉及抽样的写明抽样计划；\n- 带单位的检测结果和结论；\n"
        "- 封面：标志、标题、报告编号、样品名称（须与产品标准或标签名称一致，不得简写）、委托单位、检验检测类别（监督检验/委托检验）、"
        "机构名称、生产单位；\n- 检测、校核、批准三级签字和检验检测专用章。\n\n"
        "CMA 资质认定证书有效期 6 年，机构应在届满前至少 3 个月申请复查换证。",
    ),
    (
        "policy",
        "《关于大力开展质量基础设施“一站式”服务的意见》要点",
        "市场监管总局印发意见，推动计量、标准、认证认可、检验检测等要素集成，为中小微企业提供“一站式”质量服务。",
        "市场监管总局印发《关于大力开展质量基础设施“一站式”服务的意见》，31个省（区、市）均出台了专门工作方案，"
        "超过210个城市开展试点。质量基础设施主要包括计量、标准、认证认可、检验检测等要素。\n\n"
        "市场监管总局等6部门联合印发《关于进一步发挥质量基础设施支撑引领民营企业提质增效升级作用的意见》，要求提供高效便捷的"
        "质量技术服务，严把质量安全关，推进标准化、品牌化。",
    ),
]


def _user(username: str | None):
    return User.objects.filter(username=username).first() if username else None


def seed_demo(today=None) -> dict:
    now = timezone.now()
    made = {"cases": 0, "articles": 0}
    for spec in CASES:
        enterprise = Enterprise.objects.filter(name=spec["enterprise"]).first()
        station = Station.objects.filter(name=spec["station"]).first() if spec["station"] else None
        case, _ = Case.objects.update_or_create(
            title=spec["title"],
            is_demo=True,
            defaults={
                "enterprise": enterprise,
                "station": station,
                "region_id": spec["region"],
                "industry_id": spec["industry"],
                "nqi_elements": "," + ",".join(spec["elements"]) + ",",
                "standards": spec["standards"],
                "problem": spec["problem"],
                "solution": spec["solution"],
                "result": spec["result"] + DEMO_NOTE,
                "cost_saved": spec["cost_saved"],
                "status": Case.Status.PUBLISHED,
                "enterprise_consent": spec["consent"],
                "published_by": _user(spec["publisher"]),
                "published_at": now,
            },
        )
        index_case(case)
        made["cases"] += 1
    cats = {}
    for slug, name, order in CATEGORIES:
        cats[slug], _ = ArticleCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
    for slug, title, summary, body in ARTICLES:
        article, created = Article.objects.update_or_create(
            title=title,
            is_demo=True,
            defaults={
                "category": cats[slug],
                "kind": Article.Kind.POLICY if slug == "policy" else Article.Kind.GUIDANCE,
                "summary": summary,
                "body": body + ARTICLE_NOTE,
                "source": "DOMAIN.md / 公开资料（示例）",
                "is_published": True,
                "published_at": now,
            },
        )
        article.search_text = article_search_text(article)
        article.save(update_fields=["search_text"])
        if created:
            ArticleVersion.objects.create(
                article=article, version=1, title=article.title, summary=article.summary, body=article.body
            )
        made["articles"] += 1
    return made
