"""The enterprise standard as a document laid out per GB/T 1.1-2020, built from a draft's content.

``build_document(content, ...)`` returns a :class:`Document` — cover, 前言, clauses 1–7 numbered 1, 1.1, 1.1.1,
annexes — that both renderers (``docx_render`` with python-docx, ``pdf_render`` with WeasyPrint) lay out, and
whose clause numbers the expert's comments and the version differences refer to. Pure: plain data in and
out (``content`` is a draft's snapshot, see ``services.snapshot``). The document is always Chinese.

Standard numbers are printed in the platform's canonical form (``GB/T 22588-2008``, ASCII hyphen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

#: The chapters every document has, in GB/T 1.1-2020 order (key = clause number).
CHAPTERS = [
    ("1", N_("范围")),
    ("2", N_("规范性引用文件")),
    ("3", N_("术语和定义")),
    ("4", N_("技术要求")),
    ("5", N_("试验方法")),
    ("6", N_("检验规则")),
    ("7", N_("标志、包装、运输和贮存")),
]

#: When a type test (型式检验) is due — the usual list of Chinese product standards.
TYPE_TEST_OCCASIONS = [
    N_("新产品投产或老产品转厂生产时；"),
    N_("原材料、工艺有较大改变，可能影响产品性能时；"),
    N_("正常生产时，每年至少进行一次；"),
    N_("停产6个月以上恢复生产时；"),
    N_("出厂检验结果与上次型式检验结果有较大差异时。"),
]

DEFAULTS = {
    "batch_rule": N_("以同一原料、同一工艺、同一生产周期内连续生产的同一规格产品为一批。"),
    "sampling": N_("从每批产品中随机抽取样品，样品数量应满足全部检验项目的需要；抽样情况应记录并保存。"),
    "marking": N_(
        "产品或其包装上应标明产品名称、规格型号、执行标准编号、生产日期或批号、生产企业名称和地址。"
    ),
    "packaging": N_("产品包装应能防止运输和贮存过程中的损坏、污染和受潮，包装内应附产品合格证。"),
    "transport": N_("运输时应防止雨淋、暴晒、挤压和碰撞，不得与有腐蚀性、有污染的物品混运。"),
    "storage": N_("产品应贮存在清洁、干燥、通风的库房内，远离热源和腐蚀性物品。"),
}


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Clause:
    number: str
    title: str
    #: 1 for a chapter (``4``), 2 for ``4.1``, 3 for ``4.1.1``.
    level: int
    paragraphs: list[str] = field(default_factory=list)
    #: Lettered list items (a), b) …) after the paragraphs.
    items: list[str] = field(default_factory=list)
    #: Items printed as they are (the list of normative references), not lettered.
    plain_items: bool = False
    table: Table | None = None
    #: A term entry (3.x): its English equivalent, printed under the term.
    english: str = ""

    @property
    def heading(self) -> str:
        return f"{self.number}　{self.title}" if self.title else self.number


@dataclass
class Annex:
    letter: str
    normative: bool
    title: str
    paragraphs: list[str]

    @property
    def kind(self) -> str:
        return _("规范性") if self.normative else _("资料性")

    @property
    def heading(self) -> str:
        return _("附录%(letter)s") % {"letter": self.letter}


@dataclass
class Cover:
    enterprise: str
    mark: str  # Q/HXKJ
    number: str
    title: str
    product: str
    publish: str  # 2026-05-01 or blank line
    implement: str
    is_demo: bool


@dataclass
class Document:
    cover: Cover
    foreword: list[str]
    clauses: list[Clause]
    annexes: list[Annex]

    def outline(self) -> list[tuple[str, str]]:
        """(key, label) of every part a comment may name, in document order."""
        out = [("cover", _("封面")), ("foreword", _("前言"))]
        out += [(c.number, c.heading) for c in self.clauses]
        out += [(a.letter, f"{a.heading}　{a.title}") for a in self.annexes]
        return out

    def chapter_headings(self) -> list[str]:
        return [c.heading for c in self.clauses if c.level == 1]


def _date(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _quantity(ind: dict) -> str:
    return f"{ind.get('requirement', '')}{(' ' + ind['unit']) if ind.get('unit') else ''}"


def _items_text(names: list[str]) -> str:
    return "、".join(names) if names else _("（无）")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def reference_sort_key(code: str) -> tuple:
    """GB/T 1.1-2020 8.3.2: national, industry, local, group, enterprise documents, each by number."""
    order = 5
    if code.startswith(("GB ", "GB/T", "GB/Z")):
        order = 0
    elif code.startswith("DB"):
        order = 2
    elif code.startswith("T/"):
        order = 3
    elif code.startswith("Q/"):
        order = 4
    elif code[:1].isalpha():
        order = 1
    head, _sep, rest = code.partition(" ")
    numbers = tuple(int(p) if p.isdigit() else 0 for p in rest.split("-")[0].split("."))
    return (order, head, numbers, code)


def build_document(
    content: dict,
    *,
    enterprise: str,
    titles: dict[str, str] | None = None,
    weaker: list[str] | None = None,
    is_demo: bool = False,
) -> Document:
    """``titles``: catalogue titles by canonical number (a number without one is printed alone);
    ``weaker``: the sentences naming indicators below a recommended standard (disclosed in 前言)."""
    titles = titles or {}
    number = content.get("number", "")
    mark = number.split(" ", 1)[0] if number.startswith("Q/") else "Q/"
    product = content.get("product", "")
    indicators = list(content.get("indicators") or [])
    cover = Cover(
        enterprise=enterprise,
        mark=mark,
        number=number,
        title=content.get("title", ""),
        product=product,
        publish=_date(content.get("publish_date")),
        implement=_date(content.get("implement_date")),
        is_demo=is_demo,
    )

    foreword = [
        _("本文件按照GB/T 1.1-2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。"),
        _("请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。"),
        _("本文件由%(e)s提出并起草。") % {"e": enterprise},
    ]
    if content.get("drafters"):
        foreword.append(_("本文件主要起草人：%(d)s。") % {"d": content["drafters"]})
    if weaker:
        foreword.append(
            _("本文件下列指标低于所引用推荐性标准的要求，特此声明：%(w)s。") % {"w": "；".join(weaker)}
        )
        if content.get("weaker_statement"):
            foreword.append(_("说明：%(s)s") % {"s": content["weaker_statement"]})
    if is_demo:
        foreword.append(
            _("（示例：本文件为平台演示数据，编号与技术指标均为示例值，不得作为生产和检验依据。）")
        )

    clauses: list[Clause] = []
    # 1 范围
    scope = Clause("1", _("范围"), 1)
    scope.paragraphs.append(
        _("本文件规定了%(p)s的技术要求、试验方法、检验规则以及标志、包装、运输和贮存。") % {"p": product}
    )
    scope.paragraphs += _paragraphs(content.get("scope", "")) or [
        _("本文件适用于%(p)s的生产、检验和销售。") % {"p": product}
    ]
    clauses.append(scope)

    # 2 规范性引用文件: the references plus every method standard, in GB/T 1.1 order.
    refs = list(
        dict.fromkeys(
            [*(content.get("references") or []), *[i["method"] for i in indicators if i.get("method")]]
        )
    )
    refs = [r for r in refs if r and r != number]
    normative = Clause("2", _("规范性引用文件"), 1)
    if refs:
        normative.paragraphs.append(
            _(
                "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。其中，注日期的引用文件，"
                "仅该日期对应的版本适用于本文件；不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。"
            )
        )
        normative.plain_items = True
        normative.items = [
            f"{code}　{titles.get(code, '')}".rstrip("　") for code in sorted(refs, key=reference_sort_key)
        ]
    else:
        normative.paragraphs.append(_("本文件没有规范性引用文件。"))
    clauses.append(normative)

    # 3 术语和定义
    terms = [t for t in (content.get("terms") or []) if (t.get("term") or "").strip()]
    chapter3 = Clause("3", _("术语和定义"), 1)
    chapter3.paragraphs.append(
        _("下列术语和定义适用于本文件。") if terms else _("本文件没有需要界定的术语和定义。")
    )
    clauses.append(chapter3)
    for n, t in enumerate(terms, start=1):
        clauses.append(
            Clause(
                f"3.{n}",
                t["term"].strip(),
                2,
                paragraphs=_paragraphs(t.get("definition", "")),
                english=(t.get("english") or "").strip(),
            )
        )

    # 4 技术要求
    def grade_of(ind: dict) -> str:
        return ((ind.get("grade") or "").strip() or (content.get("grade") or "").strip()).upper()

    graded = any(grade_of(i) for i in indicators)
    chapter4 = Clause("4", _("技术要求"), 1)
    clauses.append(chapter4)
    header = [_("序号"), _("项目")] + ([_("等级")] if graded else []) + [_("单位"), _("指标"), _("试验方法")]
    rows = []
    for n, ind in enumerate(indicators, start=1):
        row = [str(n), ind.get("item", "")]
        if graded:
            row.append(grade_of(ind) or "—")
        row += [ind.get("unit") or "—", ind.get("requirement", ""), ind.get("method") or "—"]
        rows.append(row)
    clauses.append(
        Clause(
            "4.1",
            _("技术指标"),
            2,
            paragraphs=[_("%(p)s的技术指标应符合表1的规定。") % {"p": product}],
            table=Table(_("表1　技术指标"), header, rows),
        )
    )

    # 5 试验方法
    clauses.append(Clause("5", _("试验方法"), 1))
    for n, ind in enumerate(indicators, start=1):
        text = (
            _("按 %(m)s 的规定进行。") % {"m": ind["method"]}
            if ind.get("method")
            else _("试验方法待定（起草中：请填写方法标准）。")
        )
        clauses.append(Clause(f"5.{n}", ind.get("item", ""), 2, paragraphs=[text]))

    # 6 检验规则, derived from the indicators.
    names = list(dict.fromkeys(i.get("item", "") for i in indicators))
    factory = list(dict.fromkeys(i.get("item", "") for i in indicators if i.get("factory", True)))
    clauses.append(Clause("6", _("检验规则"), 1))
    clauses.append(
        Clause(
            "6.1",
            _("组批"),
            2,
            paragraphs=_paragraphs(content.get("batch_rule")) or [_(DEFAULTS["batch_rule"])],
        )
    )
    clauses.append(
        Clause(
            "6.2", _("抽样"), 2, paragraphs=_paragraphs(content.get("sampling")) or [_(DEFAULTS["sampling"])]
        )
    )
    clauses.append(Clause("6.3", _("出厂检验"), 2))
    clauses.append(
        Clause("6.3.1", "", 3, paragraphs=[_("每批产品出厂前应经企业质量检验部门检验合格，并附产品合格证。")])
    )
    clauses.append(
        Clause("6.3.2", "", 3, paragraphs=[_("出厂检验项目为：%(i)s。") % {"i": _items_text(factory)}])
    )
    clauses.append(Clause("6.4", _("型式检验"), 2))
    clauses.append(
        Clause(
            "6.4.1",
            "",
            3,
            paragraphs=[_("型式检验项目为第4章规定的全部项目：%(i)s。") % {"i": _items_text(names)}],
        )
    )
    clauses.append(
        Clause(
            "6.4.2",
            "",
            3,
            paragraphs=[_("有下列情况之一时，应进行型式检验：")],
            items=[_(o) for o in TYPE_TEST_OCCASIONS],
        )
    )
    clauses.append(
        Clause(
            "6.5",
            _("判定规则"),
            2,
            paragraphs=[
                _("检验项目全部符合本文件规定时，判该批产品合格。"),
                _(
                    "检验项目有不符合本文件规定时，可从同批产品中加倍抽样对不符合项目复检；复检全部符合时判该批产品合格，"
                    "否则判该批产品不合格。"
                ),
            ],
        )
    )

    # 7 标志、包装、运输和贮存
    clauses.append(Clause("7", _("标志、包装、运输和贮存"), 1))
    for n, (key, title) in enumerate(
        [
            ("marking", N_("标志")),
            ("packaging", N_("包装")),
            ("transport", N_("运输")),
            ("storage", N_("贮存")),
        ],
        start=1,
    ):
        clauses.append(
            Clause(f"7.{n}", _(title), 2, paragraphs=_paragraphs(content.get(key)) or [_(DEFAULTS[key])])
        )

    annexes = [
        Annex(
            chr(ord("A") + n),
            bool(a.get("normative")),
            (a.get("title") or "").strip(),
            _paragraphs(a.get("content", "")),
        )
        for n, a in enumerate(x for x in (content.get("annexes") or []) if (x.get("title") or "").strip())
    ][:26]
    return Document(cover, foreword, clauses, annexes)
