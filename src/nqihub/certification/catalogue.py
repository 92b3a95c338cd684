"""The CCC catalogue (强制性产品认证目录): loading the seeded editions, and the guidance "which compulsory
certifications may this product need".

Two editions are seeded from ``data/`` (copies of ``shared/data``; provenance in ``shared/data/SOURCES.md``):

- ``ccc-pre2018``: the old flat catalogue (20 categories, 157 products; pre-2018; source repository
  unknown). Complete for its time, superseded.
- ``ccc-2023``: the SAMR announcement 2023 No. 36 of 2023-08-10 (16 categories, 96 products), complete; the
  current edition. It replaces the earlier partial seed ``ccc-2023-partial`` (32 products), which is no longer
  loaded; a database that has it keeps it as a non-current edition.

Admins maintain the catalogue in the Django admin (add entries, add an edition, set the current one).
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core.search import segment, terms

from .models import CccCatalogueVersion, CccProduct

DATA = Path(__file__).parent / "data"

EDITIONS = [
    {
        "key": "ccc-pre2018",
        "file": "ccc_catalogue.csv",
        "name": gettext_lazy("强制性产品认证目录（旧版，2018年以前，20大类）"),
        "year": None,
        "is_complete": True,
        "source": "shared/data/ccc_catalogue.csv — unidentified GitHub Python file (code-search file id 16792968988; "
        'tuple ccc_tuple "3c 产品编码"); category names cross-checked against file id 29542436915. Repository, '
        "commit and licence unknown.",
        "notes": gettext_lazy(
            "2018年以前的旧版目录（20大类，如电信终端设备、农机产品、装饰装修产品），已被现行目录取代；无实施规则代码。"
            "原始列表缺少“信息技术设备”“机动车辆轮胎”“安全玻璃”三个大类的标题行，这些产品的大类按说明修正。仅供参考。"
        ),
    },
    {
        "key": "ccc-2023",
        "file": "ccc_catalogue_2023.csv",
        "name": gettext_lazy("强制性产品认证目录（2023年修订，16大类96种）"),
        "year": 2023,
        "is_complete": True,
        "source": "shared/data/ccc_catalogue_2023.csv — 市场监管总局公告2023年第36号 附件1, transcribed from the CNCA page "
        "https://www.cnca.gov.cn/zwxx/gg/zjgg/art/2023/art_31ce43f5837d408cb2023ec693615ada.html (saved copy: "
        "Saiyam-19/india-import-preflight-agent@24def273cbf0940124b4cec98fd1c826c04c8d4b "
        "evidence/official/cnca-ccc-scope-2023.html).",
        "notes": gettext_lazy(
            "市场监管总局2023年第36号公告（2023年8月10日）的完整目录：16大类96种产品。"
            "“*”为自我声明程序A（自选实验室型式试验+自我声明），“**”为自我声明程序B（指定实验室型式试验+自我声明）。"
            "不含描述与界定表（附件2）与实施规则代码；2023年8月以后的调整未核对。"
        ),
    },
]

#: Seeded editions replaced by a later seed: no longer loaded, never left current by the loader.
RETIRED_SEEDS = {"ccc-2023-partial": "ccc-2023"}

#: The category a note names, where the old list lacks the category's header row.
_NOTE_CATEGORY = re.compile(r'category "([^"]+)"')


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _pre2018_products(rows: list[dict]) -> list[dict]:
    """Product rows; a category without product rows (小功率电动机) is its own product; the category named in
    a note wins over the positional one."""
    with_products = {r["category_by_position"] for r in rows if r["is_category"] != "Y"}
    products = []
    for r in rows:
        if r["is_category"] == "Y" and r["name"] in with_products:
            continue
        match = _NOTE_CATEGORY.search(r.get("note") or "")
        category = match.group(1) if match else r["category_by_position"]
        products.append(
            {
                "seq": int(r["seq"]),
                "code": "",
                "category": category,
                "name": r["name"],
                "marker": "",
                "notes": "",
            }
        )
    return products


_ROUTES = {"*": gettext_lazy("自我声明程序A"), "**": gettext_lazy("自我声明程序B")}


def _2023_products(rows: list[dict]) -> list[dict]:
    return [
        {
            "seq": int(r["seq"]),
            "code": r["product_codes"].replace(";", "、"),
            "category": f"{int(r['category_no']):02d} {r['category']}" if r["category_no"] else r["category"],
            "name": r["product"],
            "marker": r["marker"],
            "notes": r.get("self_declaration_route") or str(_ROUTES.get(r["marker"], "")),
        }
        for r in rows
    ]


@transaction.atomic
def load_seed_editions() -> dict:
    """Create or refresh the seeded editions (idempotent). Entries an admin added to a seeded edition stay;
    the current edition is set only when none is (an admin's choice is kept)."""
    counts = {}
    for edition in EDITIONS:
        version, _created = CccCatalogueVersion.objects.update_or_create(
            key=edition["key"],
            defaults={
                "name": str(edition["name"]),
                "year": edition["year"],
                "source": edition["source"],
                "notes": str(edition["notes"]),
                "is_complete": edition["is_complete"],
            },
        )
        rows = _rows(DATA / edition["file"])
        products = _pre2018_products(rows) if edition["key"] == "ccc-pre2018" else _2023_products(rows)
        for p in products:
            CccProduct.objects.update_or_create(
                version=version,
                category=p["category"],
                name=p["name"],
                defaults={
                    "seq": p["seq"],
                    "code": p["code"],
                    "marker": p["marker"],
                    "notes": p["notes"],
                    "search_text": segment(p["name"], p["category"]),
                },
            )
        counts[edition["key"]] = len(products)
    # The partial 2023 seed is superseded by the complete one: it stops being current (if the loader made it so),
    # and the complete edition becomes current unless an admin chose another edition.
    for retired, successor in RETIRED_SEEDS.items():
        if CccCatalogueVersion.objects.filter(key=retired, is_current=True).exists():
            CccCatalogueVersion.objects.filter(key=retired).update(is_current=False)
            CccCatalogueVersion.objects.filter(key=successor).update(is_current=True)
    if not CccCatalogueVersion.objects.filter(is_current=True).exists():
        CccCatalogueVersion.objects.filter(key="ccc-2023").update(is_current=True)
    return counts


def refresh_search_text(product: CccProduct) -> None:
    product.search_text = segment(product.name, product.category)


# --- guidance ---------------------------------------------------------------------------------------------

#: Everyday words → words of the catalogue (both directions are not needed: only the query is expanded).
SYNONYMS = {
    "电线": ["电线电缆"],
    "电缆": ["电线电缆"],
    "插座": ["插头插座"],
    "插头": ["插头插座"],
    "开关": ["开关"],
    "冰箱": ["电冰箱"],
    "冰柜": ["食品冷冻箱"],
    "风扇": ["电风扇"],
    "空调": ["空调器"],
    "洗衣机": ["洗衣机"],
    "热水器": ["电热水器", "家用燃气快速热水器"],
    "燃气灶": ["家用燃气灶具"],
    "煤气灶": ["家用燃气灶具"],
    "壁挂炉": ["燃气采暖热水炉"],
    "电饭煲": ["电饭锅"],
    "烤箱": ["电烤箱"],
    "充电宝": ["移动电源"],
    "电动车": ["电动自行车"],
    "电瓶车": ["电动自行车"],
    "取暖器": ["室内加热器"],
    "吸尘器": ["真空吸尘器"],
    "吹风机": ["皮肤和毛发护理器具"],
    "电吹风": ["皮肤和毛发护理器具"],
    "电磁炉": ["电磁灶"],
    "榨汁机": ["电动食品加工器具"],
    "料理机": ["电动食品加工器具"],
    "豆浆机": ["电动食品加工器具"],
    "饮水机": ["冷热饮水机"],
    "电水壶": ["液体加热器"],
    "烟机": ["吸油烟机"],
    "油烟机": ["吸油烟机"],
    "电脑": ["微型计算机", "便携式计算机"],
    "笔记本": ["便携式计算机"],
    "打印机": ["打印设备"],
    "显示器": ["显示设备", "监视器"],
    "电视": ["电视接收机"],
    "音箱": ["有源音箱"],
    "功放": ["音频功率放大器"],
    "充电器": ["电源适配器充电器", "电源适配器", "电源"],
    "适配器": ["电源适配器", "电源"],
    "手机": ["移动用户终端"],
    "电话": ["电话机", "电话终端"],
    "路由器": ["无线局域网产品"],
    "灯": ["灯具"],
    "台灯": ["灯具"],
    "led": ["灯具"],
    "玩具": ["玩具类产品"],
    "童车": ["童车类产品"],
    "婴儿车": ["童车类产品"],
    "安全座椅": ["机动车儿童乘员用约束系统"],
    "轮胎": ["轮胎"],
    "玻璃": ["安全玻璃"],
    "涂料": ["溶剂型木器涂料"],
    "油漆": ["溶剂型木器涂料"],
    "瓷砖": ["瓷质砖"],
    "电机": ["小功率电动机"],
    "电动机": ["小功率电动机"],
    "焊机": ["电焊机"],
    "电焊": ["电焊机"],
    "汽车": ["汽车"],
    "摩托车": ["摩托车"],
    "灭火器": ["灭火器"],
    "保险柜": ["防盗保险柜"],
}

#: Words too general to identify a product on their own.
STOP_TERMS = {
    "产品",
    "设备",
    "用品",
    "家用",
    "类似",
    "用途",
    "器具",
    "装置",
    "系统",
    "其他",
    "及",
    "和",
    "用",
    "类",
    "的",
    "以下",
    "额定",
}

#: GB/T 4754-2017 divisions whose products are often in the CCC catalogue → categories to check. A hint, not
#: a rule: many products of these industries are outside the catalogue.
INDUSTRY_HINTS = {
    # Category names of the 2023 edition first, then those of the old one (an admin may make it current);
    # a name the edition lacks is skipped.
    "24": ["儿童用品"],  # 文教、工美、体育和娱乐用品制造业 (toys)
    "30": ["建材产品", "安全玻璃", "装饰装修产品"],  # 非金属矿物制品业
    "36": ["车辆及安全附件", "机动车辆及安全附件", "机动车辆轮胎"],  # 汽车制造业
    "38": [
        "电线电缆",
        "电路开关及保护或连接用电器装置",
        "低压电器",
        "小功率电动机",
        "电动工具",
        "电焊机",
        "家用和类似用途设备",
        "照明电器",
        "防爆电气",
    ],  # 电气机械和器材制造业
    "39": [
        "电子产品及安全附件",
        "音视频设备",
        "信息技术设备",
        "电信终端设备",
        "无线局域网产品",
        "安全防范产品",
    ],  # 计算机、通信和其他电子设备
}


@dataclass
class Match:
    """One catalogue entry (``kind="product"``) or category (``kind="category"``, from the industry) that
    may make a product subject to CCC. ``is_current`` False: found only in an older edition."""

    kind: str
    name: str
    category: str
    code: str
    version_name: str
    version_id: int
    is_current: bool
    matched_terms: list[str] = field(default_factory=list)
    score: float = 0.0


def _query_terms(product: str) -> list[str]:
    words = [w for w in terms(product) if w not in STOP_TERMS and (len(w) > 1 or w.isascii() and len(w) > 2)]
    expanded: dict[str, None] = {}
    for w in words:
        expanded.setdefault(w, None)
        for syn in SYNONYMS.get(w, []):
            expanded.setdefault(syn, None)
    # A product written as one word the catalogue spells the same way ("电风扇") also matches whole.
    whole = "".join((product or "").split()).lower()
    if 1 < len(whole) <= 30:
        expanded.setdefault(whole, None)
        for syn in SYNONYMS.get(whole, []):  # jieba may split the everyday word ("充电宝" → 充电 + 宝)
            expanded.setdefault(syn, None)
    return list(expanded)


def _category_base(category: str) -> str:
    return re.sub(r"^\d+\s+", "", category)


def ccc_guidance(product: str, industry_code: str | None = None, *, limit: int = 10) -> list[Match]:
    """Catalogue entries whose names share words with ``product`` (jieba terms plus a few everyday
    synonyms), best first, from the current edition — and, while that edition is incomplete, from the others
    (flagged ``is_current=False``); then the categories the industry's GB/T 4754 division hints at. An empty
    list means "nothing matched", not "no CCC needed"."""
    current = CccCatalogueVersion.objects.filter(is_current=True).first()
    versions = list(CccCatalogueVersion.objects.all())
    if current is None and not versions:
        return []
    if current is not None and current.is_complete:
        versions = [current]
    versions.sort(key=lambda v: (v.pk != getattr(current, "pk", None), -(v.year or 0)))
    query_terms = _query_terms(product)
    matches: list[Match] = []
    seen_names: set[str] = set()
    if query_terms:
        for version in versions:
            candidates = CccProduct.objects.filter(version=version)
            cond = None
            for term in query_terms:
                term_q = Q(name__icontains=term) | Q(search_text__icontains=term)
                cond = term_q if cond is None else cond | term_q
            found = []
            for p in candidates.filter(cond)[:200]:
                hay = f"{p.name} {p.search_text}".lower()
                hit = [t for t in query_terms if t in hay]
                score = sum(len(t) for t in hit) + (5 if p.name.lower() in (product or "").lower() else 0)
                found.append((score, p, hit))
            found.sort(key=lambda x: (-x[0], x[1].seq))
            for score, p, hit in found:
                key = re.sub(r"[（(].*?[)）]", "", p.name).replace("－", "-")
                if key in seen_names:
                    continue
                seen_names.add(key)
                matches.append(
                    Match(
                        kind="product",
                        name=p.name,
                        category=_category_base(p.category),
                        code=p.code,
                        version_name=version.name,
                        version_id=version.pk,
                        is_current=current is not None and version.pk == current.pk,
                        matched_terms=hit,
                        score=float(score),
                    )
                )
    matches.sort(key=lambda m: (not m.is_current, -m.score))
    matches = matches[:limit]
    division = (industry_code or "").strip()[:2]
    hinted = INDUSTRY_HINTS.get(division, []) if division.isdigit() else []
    if hinted:
        named = {m.category for m in matches}
        for version in versions:
            categories = {
                _category_base(c)
                for c in CccProduct.objects.filter(version=version).values_list("category", flat=True)
            }
            for category in hinted:
                if category in categories and category not in named:
                    named.add(category)
                    matches.append(
                        Match(
                            kind="category",
                            name=category,
                            category=category,
                            code="",
                            version_name=version.name,
                            version_id=version.pk,
                            is_current=current is not None and version.pk == current.pk,
                            matched_terms=[_("行业 %(code)s") % {"code": division}],
                        )
                    )
    return matches
