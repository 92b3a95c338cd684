"""``extract_fields(category, text)``: read a pasted label into the category's field keys.

Real labels are pasted from packages, e-commerce pages (产品参数 blocks where every item is run together on
one line), OCR output and regulators' notices, so the reader is tolerant:

* captions come from the rule pack (each field's ``extract`` list, most specific first; ``extract_other``
  lists captions of things a label prints that are not checked — 品牌, 食品添加剂, 包装方式 … — so that a
  value glued to the next caption ends where that caption starts);
* full-width forms are folded (NFKC) and Traditional characters converted to Simplified (OpenCC ``t2s``);
* inner spaces in captions (``名　　称``, ``保 质 期``), ASCII or full-width colons, a bracketed note after the
  caption (``生产日期（年/月/日）：``), 【商品配料】-style brackets, bullets (· △ ○) and HTML line breaks;
* several fields on one line; a caption on one line with its value on the next;
* lines with no caption: the product-name line at the top, a company line followed by its address line,
  bare fibre compositions (``羊毛71.5% 羊绒28.5%``) and fibre parts (``里料：…``, ``下摆罗纹：…``), a safety
  category written with its standard (``符合GB18401-2010B类``);
* nutrition tables pasted as text (pipes, tabs, spaces, one row per line or all on one line).

When a field is printed under several captions (``厂址`` and ``产地``), the most specific caption wins, not
the first one. Values are returned as printed (folded and converted); ``check_label`` judges them. Never
raises on any text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .packs import fibre_names, nutrients, pack

_MAX_TEXT = 20_000
_CJK = "\u4e00-\u9fff"

# --- normalisation --------------------------------------------------------------------------------------


@cache
def _t2s():
    try:
        import opencc
    except ImportError:  # pragma: no cover - the dependency is declared; keep reading without it
        return None
    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → Simplified characters (OpenCC ``t2s``); the text unchanged without OpenCC."""
    converter = _t2s()
    return converter.convert(text) if converter is not None else text


_TAG = re.compile(r"<\s*br\s*/?\s*>|</\s*(?:p|li|div|tr|td)\s*>", re.I)
_ANY_TAG = re.compile(r"<[^>]{0,200}>")
_BULLET_LINE = re.compile(r"^[\s\-—–·•●○◎△▲▪■□❣✓√*>]+")
_BULLET_SEP = re.compile(r"[·•●○◎△▲▪■❣]")


def fold(text: str) -> str:
    """NFKC character by character where it keeps the length (full-width letters, digits, colons and spaces
    become ASCII; ``℃`` stays), so positions in the folded text are positions in the original."""
    out = []
    for ch in text:
        f = unicodedata.normalize("NFKC", ch)
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def _simplify_same_length(text: str) -> str:
    converted = simplify(text)
    if len(converted) == len(text):
        return converted
    return "".join(simplify(ch) if len(simplify(ch)) == 1 else ch for ch in text)


def prepare(text: str) -> tuple[list[str], list[str]]:
    """The label as clean lines, twice: as printed (Simplified characters) and folded for matching.

    HTML breaks become new lines, tags and entities are dropped, bullets (· △ ○) separate items."""
    text = text[:_MAX_TEXT]
    text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    text = _TAG.sub("\n", text)
    text = _ANY_TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = _simplify_same_length(text)
    text = _BULLET_SEP.sub("\n", text)
    printed, folded = [], []
    for line in text.split("\n"):
        line = _BULLET_LINE.sub("", line).strip()
        line = re.sub(r"[ \t]+", " ", line)
        printed.append(line)
        folded.append(fold(line))
    return printed, folded


def tidy(value: str) -> str:
    return value.strip(" ;,。|/\t；，｜／\u3000").rstrip("-—").strip()


# --- captions -------------------------------------------------------------------------------------------

#: Captions of things labels and shop pages print that no rule pack checks; they end the value before them.
_OTHER = (
    "品牌名称 品牌 系列 口味 食品口味 包装方式 包装种类 包装 商品条形码 条形码 条码 是否含糖 是否为有机食品 "
    "省份 城市 价格 价格区间 参考价 糕点种类 膨化食品种类 肉类产品 食品工艺 同城服务 售卖方式 套餐份量 套餐周期 "
    "配送频次 特产品类 水果种类 热卖时间 生鲜储存温度 储存温度 单果重量 商品毛重 商品产地 产品参数 商品编号 销售码 "
    "适用对象 适用人群 大小 成分原料 零食种类 枣类产品 级别 颜色分类 产品 食品添加剂 原麦汁浓度 香型 使用方法 "
    "食用方法 致敏物质提示 致敏物提示 致敏原提示 过敏原信息 警示信息 邮政编码 邮编 生产批号 产品批号 批号 "
    "注册号 产品类型 类别 素食可否食用 配件 质量等级 产品货号 货号 款号 检验员 检验 价格 统一零售价 PRICE "
    "商品货号 根数 件数 工艺 印染工艺 颜色 配色 产地 原产地 重量 克重 填充物重量 填充克重 含绒量 面料参数 "
    "温馨提示 适用床尺寸 适用人数 商品重量 框架材质 是否组装 搭扣 拉带规格 颈圈规格 厚度 服务时段 "
    "相关认证 茶类 茶树品种 生产时间 口感 传真 网址 传真号码 贮藏要求 采摘时间 生长季节 原产国 在华注册编号 "
    "产品名称 商品名称"
).split()


def _caption_re(caption: str) -> str:
    """A caption with optional spaces between its characters (``名　　称``)."""
    return r"\s*".join(re.escape(ch) for ch in caption)


@cache
def _table(category: str) -> tuple[re.Pattern, re.Pattern, dict[str, tuple[str | None, int]]]:
    """(caption-with-colon pattern, caption-without-colon pattern, caption → (field key or None, rank))."""
    p = pack(category)
    owner: dict[str, tuple[str | None, int]] = {}
    for f in p["fields"]:
        for rank, caption in enumerate(f.get("extract", [])):
            owner.setdefault(caption, (f["key"], rank))
    for caption in [*p.get("extract_other", []), *_OTHER]:
        owner.setdefault(caption, (None, 0))
    alternatives = "|".join(_caption_re(c) for c in sorted(owner, key=len, reverse=True))
    # caption, an optional bracketed note ("（年/月/日）"), then a colon
    colon = re.compile(
        rf"【?\s*({alternatives})\s*(?:\([^()\n]{{0,14}}\))?(?:/[{_CJK}]{{1,4}})?\s*】?\s*[:]", re.I
    )
    # a food caption alone on its line ("配料", then the list below); on textile labels such a line is a
    # heading ("洗涤说明") read with its part
    eol = "" if category == "textile" else r"|\s*$"
    # 【商品配料】 without a colon, or a caption at the start of a line / after a space followed by a space
    # … or glued to a value that can only be one ("净含量500克", "生产日期见包装底部", "执行标准GB/T 20977")
    bare = re.compile(
        rf"(?:【\s*({alternatives})\s*】|(?:(?<=\s)|^)({alternatives})"
        rf"(?=\s+[^\s:]{eol}|(?:\d|详见|见|GB|Q/|DBS?\d|DBS?\s|SC\d|QS\d)))",
        re.I | re.M,
    )
    return colon, bare, owner


def _key(raw: str) -> str:
    return re.sub(r"\s+", "", raw)


# --- the reader -----------------------------------------------------------------------------------------


class _Hit:
    __slots__ = ("line", "start", "end", "caption", "key", "rank", "label")

    def __init__(self, line, start, end, caption, key, rank):
        self.line, self.start, self.end, self.caption, self.key, self.rank = (
            line,
            start,
            end,
            caption,
            key,
            rank,
        )
        self.label = (
            caption  # the caption as printed, with a prefix (主面料, 填充成分, OCR junk) when there is one
        )


#: Words regulators' notices and shop pages put before a caption: "标称生产企业名称", "标示生产日期".
_QUALIFIERS = ("标称", "标示", "标注")
_PREFIX = re.compile(rf"(?:^|(?<=[\s:;]))([{_CJK}]{{1,6}})$")


def _prefixed(hit: _Hit, line: str, fibre_captions: frozenset[str]) -> None:
    """``主面料：`` / ``填充成分：`` (a part of a fibre label) or ``品执行标准：`` at the start of a line: the
    known caption is the end of a longer one; the longer one is the part label, the key stays the known one."""
    before = line[: hit.start]
    for q in _QUALIFIERS:  # "标称生产企业名称" in a spot-check notice
        if before.endswith(q):
            hit.label = q + hit.caption
            hit.start -= len(q)
            return
    m = _PREFIX.search(before)
    if not m:
        return
    at_line_start = m.start(1) == 0
    if hit.caption in fibre_captions or at_line_start:
        hit.label = m.group(1) + hit.caption
        hit.start = m.start(1)


_GENERIC_CAPTION = re.compile(rf"(?:^|(?<=[\s,;|]))([{_CJK}A-Za-z]{{2,8}})\s*[:]")


def _hits(lines: list[str], category: str) -> list[_Hit]:
    colon, bare, owner = _table(category)
    fibre_captions = frozenset(c for c, (k, _r) in owner.items() if k == "fibre_content")
    out: list[_Hit] = []
    for n, line in enumerate(lines):
        found: list[_Hit] = []
        taken: list[tuple[int, int]] = []
        for m in colon.finditer(line):
            cap = _key(m.group(1))
            key, rank = owner.get(cap, owner.get(cap.upper(), (None, 0)))
            hit = _Hit(n, m.start(), m.end(), cap, key, rank)
            if key is not None:
                _prefixed(hit, line, fibre_captions)
            found.append(hit)
            taken.append((hit.start, m.end()))
        for m in bare.finditer(line):
            if any(a <= m.start() < b for a, b in taken):
                continue
            cap = _key(m.group(1) or m.group(2))
            key, rank = owner.get(cap, (None, 0))
            if key is None and not m.group(1):
                continue
            found.append(_Hit(n, m.start(), m.end(), cap, key, rank))
            taken.append((m.start(), m.end()))
        for m in _GENERIC_CAPTION.finditer(line):  # unknown "xx：" captions end values too
            if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
                continue
            found.append(_Hit(n, m.start(), m.end(), _key(m.group(1)), None, 0))
        found.sort(key=lambda h: h.start)
        out.extend(found)
    return out


def _values(
    printed: list[str], lines: list[str], hits: list[_Hit], consumed: set[int]
) -> list[tuple[_Hit, str]]:
    """Each caption with the text up to the next caption on its line (or the next line when empty).

    Lines read as a value (the line after an empty caption, continuation lines of an ingredient list) are
    added to ``consumed``."""
    by_line: dict[int, list[_Hit]] = {}
    for h in hits:
        by_line.setdefault(h.line, []).append(h)
    known = {h.line for h in hits if h.key is not None or h.caption in _OTHER_SET}
    out = []
    for h in hits:
        same = by_line[h.line]
        i = same.index(h)
        end = same[i + 1].start if i + 1 < len(same) else len(lines[h.line])
        value = tidy(printed[h.line][h.end : end])
        last = h.line  # the last line read into the value
        if not value and i + 1 == len(same):
            nxt = h.line + 1
            while nxt < len(lines) and not lines[nxt]:
                nxt += 1
            # the next line, when it has no caption of its own — or, for an ingredient list, only captions
            # of its parts ("配料" alone, then "面饼：小麦粉、…", "调味包：…")
            if nxt < len(lines) and (nxt not in by_line or (h.key == "ingredients" and nxt not in known)):
                value = tidy(printed[nxt])
                consumed.add(nxt)
                last = nxt
        if h.key == "ingredients" and value and i + 1 == len(same):
            # an ingredient list wraps onto the following lines until the next known caption
            nxt = last + 1
            while (
                nxt < len(lines)
                and re.search(r"[、,;]", lines[nxt])  # a list goes on; a company or address line does not
                and nxt not in known
                and not _NUTRITION_LINE.match(lines[nxt])
            ):
                value = f"{value} {printed[nxt]}"
                consumed.add(nxt)
                nxt += 1
        out.append((h, value))
    return out


_NUTRITION_LINE = re.compile(r"^(?:营养成分|能量|项目\s)")
_OTHER_SET = frozenset(_OTHER)
_SAFETY = re.compile(r"(?:GB\s*/?T?\s*(?:18401|31701)[^\n]{0,30}?)?(?<![A-Z])([ABC])\s*类", re.I)
_SAFETY_STD = re.compile(r"GB\s*(?:18401|31701)", re.I)
_PERCENT_NAME = re.compile(rf"\d+(?:\.\d+)?\s*%\s*[{_CJK}A-Za-z]|[{_CJK}A-Za-z]\s*\d+(?:\.\d+)?\s*%")
_COMPANY = re.compile(r"(?:公司|厂|合作社|商行|工厂|株式会社|Co\.?,?\s*Ltd\.?)$", re.I)
_ADDRESS = re.compile(r"[省市区县镇乡村路街道号栋幢楼]")
_HEADINGS = re.compile(r"^(?:营养成分表|产品参数|商品参数|商品详情|产品信息|食品安全信息|成分|洗涤说明|参数)")
_DOWN = re.compile(r"^(?:白|灰)?(?:鸭|鹅)?(?:绒|毛)片?$|^羽(?:绒|毛)片?$")
_DESCRIPTORS = ("双宫茧", "美利奴", "长绒", "精梳", "有机", "新疆", "澳洲", "埃及", "丝光", "超细", "天然")
_FIBRE_MAIN = (
    "纤维成分及含量",
    "纤维成分",
    "纤维含量",
    "成分含量",
    "原料成分",
    "成分",
    "成份",
    "材质",
    "产品面料",
)


def _known_fibre(name: str) -> bool:
    names = fibre_names()
    name = name.strip()
    if not name:
        return False
    for word in (name, name.lstrip("纯全")):
        for d in ("", *_DESCRIPTORS):
            w = word[len(d) :] if d and word.startswith(d) else word
            if (
                w in names.generic
                or f"{w}纤维" in names.generic
                or w.upper() in names.wrong
                or _DOWN.match(w)
            ):
                return True
    return False


def looks_like_fibres(value: str) -> bool:
    """A fibre composition: ``60%棉 40%聚酯纤维``, ``纯棉``, ``白鹅绒`` — not ``聚氨酯`` or ``1480g``."""
    v = re.sub(r"\([^()]*\)", "", value).strip()
    if not v:
        return False
    if _PERCENT_NAME.search(v) and not re.search(r"\d\s*(?:g|kg|cm|mm|m|G|KG)\b", v):
        return True
    words = [w for w in re.split(r"[\s,;、/+和]+", v) if w]
    return bool(words) and all(_known_fibre(w) for w in words)


_COMPOSITION_TOKEN = re.compile(
    rf"\d+(?:\.\d+)?\s*%\s*[{_CJK}A-Za-z]+|[{_CJK}A-Za-z]+\s*\d+(?:\.\d+)?\s*%|[{_CJK}]{{1,8}}\s*:"
)


def _trim_prose(value: str) -> str:
    """``77.8%聚酯纤维+22.2%粘纤 秋冬简约修身…`` → the composition without the sales prose after it."""
    if "%" not in value:
        return value
    ends = [m.end() for m in _COMPOSITION_TOKEN.finditer(value)]
    return value[: max(ends)].strip() if ends else value


def _strip_notes(value: str) -> str:
    """Bracketed remarks without numbers (``（装饰部分除外）``) are not part of a composition."""
    return re.sub(r"\((?![^()]*\d)[^()]*\)", "", value).strip()


def extract_fields(category: str, text: object) -> dict:
    """The fields that ``text`` states, as ``check_label`` takes them. Unknown category → ``UnknownCategory``."""
    p = pack(category)
    if not isinstance(text, str) or not text.strip():
        return {}
    printed, lines = prepare(text)
    hits = _hits(lines, category)
    consumed: set[int] = set()
    values = _values(printed, lines, hits, consumed)
    types = {f["key"]: f["type"] for f in p["fields"]}
    best: dict[str, tuple[int, int, str, str]] = {}  # key → (rank, order, value, caption)
    for order, (h, value) in enumerate(values):
        if h.key is None or h.key == "nutrition" or not value:
            continue
        if types.get(h.key) == "fibres":
            continue  # read below, with the fibre parts
        current = best.get(h.key)
        if current is None or h.rank < current[0]:
            best[h.key] = (h.rank, order, value, h.caption)
    out: dict[str, object] = {k: v[2] for k, v in sorted(best.items(), key=lambda kv: kv[1][1])}
    _joint_captions(category, lines, values, types, out)
    captioned = {h.line for h in hits} | consumed
    if category == "textile":
        _textile(p, lines, [(h, fold(v)) for h, v in values], captioned, out)
    else:
        _food(p, printed, lines, values, captioned, out, best)
    for f in p["fields"]:
        if f["key"] not in out and any(flag in "\n".join(lines) for flag in f.get("extract_flags", [])):
            out[f["key"]] = next(flag for flag in f["extract_flags"] if flag in "\n".join(lines))
    if "for_infants" in types and "婴幼儿用品" in "\n".join(lines):
        out["for_infants"] = True
    if "nutrition" in types:
        rows = _nutrition_rows(lines, p.get("nutrition_edition", "GB 28050-2011"))
        if rows:
            out["nutrition"] = rows
    return out


@cache
def _joint_re(category: str) -> re.Pattern:
    _colon, _bare, owner = _table(category)
    alternatives = "|".join(_caption_re(c) for c in sorted(owner, key=len, reverse=True))
    return re.compile(rf"({alternatives})\s*[/、及和与]\s*$")


def _joint_captions(category: str, lines: list[str], values, types: dict, out: dict) -> None:
    """Two captions sharing one value: "生产日期/保质期到期日：见包装喷码", "生产日期及批号：见瓶底" — the
    first caption (without a colon of its own) gets the value too, unless the label states it elsewhere."""
    _colon, _bare, owner = _table(category)
    joint = _joint_re(category)
    for h, value in values:
        if h.key is None or not value:
            continue
        m = joint.search(lines[h.line][: h.start])
        if not m:
            continue
        key, _rank = owner.get(_key(m.group(1)), (None, 0))
        if key and key != h.key and key not in out and types.get(key) not in ("fibres", None):
            out[key] = value


def _textile(p: dict, lines: list[str], values, captioned: set[int], out: dict) -> None:
    fibre_captions = set()
    for f in p["fields"]:
        if f["type"] == "fibres":
            fibre_captions.update(f.get("extract", []))
    parts: list[list[str]] = []  # [part label, composition]
    last_fibre_line = -2
    for h, value in values:
        if not value:
            continue
        is_main = h.caption in fibre_captions and h.label == h.caption
        is_part = (h.key is None or h.caption in fibre_captions) and not is_main and looks_like_fibres(value)
        if is_main or is_part:
            value = _trim_prose(value)
            label = "" if (is_main and h.caption in _FIBRE_MAIN) else h.label
            if is_main and h.caption in ("面料", "面料成分", "面料成份"):
                label = "面料"
            if is_main and not label and not parts:
                parts.append(["", _strip_notes(value)])
            else:
                parts.append([label, _strip_notes(value)])
            last_fibre_line = h.line
    # bare composition lines continue the part above them, or start one
    for n, line in enumerate(lines):
        if n in captioned or not line:
            continue
        if looks_like_fibres(line) and "%" in line:
            if parts and n - last_fibre_line <= 2:
                parts[-1][1] = f"{parts[-1][1]} {_strip_notes(line)}".strip()
            else:
                parts.append(["", _strip_notes(line)])
            last_fibre_line = n
        elif parts and n == last_fibre_line + 1 and line.startswith("("):
            last_fibre_line = n  # a remark under a fibre line: skip it, keep the part open
    if parts:
        main = [c for label, c in parts if not label]
        named = [f"{label}:{c}" for label, c in parts if label]
        if len(parts) == 1 and not named:
            out["fibre_content"] = main[0]
        else:
            out["fibre_content"] = ";".join([*main, *named])
    conformity = out.get("conformity")
    if isinstance(conformity, str) and "合格" not in conformity:
        del out["conformity"]  # "检验：01" is the inspector's number, not a statement of conformity
    # the safety category written with its standard, under any caption or on a line of its own
    std = out.get("standard_number")
    if (
        isinstance(std, str)
        and _SAFETY_STD.search(std)
        and re.search(r"[ABC]\s*类", std)
        and "safety_category" not in out
    ):
        # "执行标准：GB18401-2010 B类" states the safety category; a product standard may follow it
        out["safety_category"] = std
        rest = re.sub(r"GB\s*/?T?\s*(?:18401|31701)\S*(?:\s*[ABC]\s*类\S*)?", "", std, flags=re.I)
        if re.search(r"[A-Z]{1,3}\s*/?\s*[A-Z]?\s*\d", rest, re.I):
            out["standard_number"] = tidy(rest)
        else:
            del out["standard_number"]
    safety = out.get("safety_category")
    if isinstance(safety, str) and not re.search(r"[ABC]\s*类|[ABC]$|^[ABC]\b", safety):
        # "安全类别：GB18401-2010" with "C类（…）" on the next line
        for h, _value in values:
            if h.key == "safety_category":
                nxt = h.line + 1
                if nxt < len(lines) and nxt not in captioned and re.match(r"^[ABC]\s*类", lines[nxt]):
                    out["safety_category"] = f"{safety} {lines[nxt]}"
                break
    if "safety_category" not in out:
        for _h, value in values:
            if value and _SAFETY_STD.search(value) and _SAFETY.search(value):
                out["safety_category"] = value
                break
        else:
            for n, line in enumerate(lines):
                if n not in captioned and _SAFETY_STD.search(line) and _SAFETY.search(line):
                    nxt = lines[n + 1] if n + 1 < len(lines) and (n + 1) not in captioned else ""
                    out["safety_category"] = f"{line} {nxt}".strip() if nxt.startswith("(") else line
                    break


_QUANTITY_FIRST = re.compile(r"^\d+(?:\.\d+)?\s*(?:g|kg|mg|ml|l|克|千克|公斤|毫升|升|斤|两)(?![a-z])", re.I)


def _food(
    p: dict, printed: list[str], lines: list[str], values, captioned: set[int], out: dict, best: dict
) -> None:
    net = best.get("net_content")
    if net is not None and net[3] == "规格" and not _QUANTITY_FIRST.match(net[2]):
        del out["net_content"]  # "规格：370牛奶花生" names a variant, not the net content
    if "expiry_date" in out and "shelf_life" not in out:
        out["shelf_life"] = out[
            "expiry_date"
        ]  # "保质期至……" states the shelf life as a date (GB 7718-2011 C.4)
    lead = best.get("ingredients")
    if lead is not None and lead[3] in p.get("ingredients_wrong_lead", []):
        out["ingredients_lead"] = lead[3]
    free = [(n, line) for n, line in enumerate(lines) if line and n not in captioned]
    if "food_name" not in out and free and free[0][0] == next(n for n, line in enumerate(lines) if line):
        n, line = free[0][0], printed[free[0][0]]
        if (
            2 <= len(line) <= 40
            and not _HEADINGS.match(line)
            and not re.search(r"\d{4,}", line)
            and re.search(rf"[{_CJK}]", line)
            and not _COMPANY.search(line)
        ):
            out["food_name"] = line
    for i, (n, line) in enumerate(free):
        if "producer_name" not in out and _COMPANY.search(line) and len(line) <= 40:
            out["producer_name"] = printed[n]
            if "producer_address" not in out and i + 1 < len(free):
                m, nxt = free[i + 1]
                if m == n + 1 and _ADDRESS.search(nxt) and not re.search(r"\d{7,}", nxt):
                    out["producer_address"] = printed[m]
    if "nutrition_statement" in {f["key"] for f in p["fields"]}:
        joined = "".join(lines)
        if "儿童青少年应避免过量摄入盐油糖" in joined:
            out["nutrition_statement"] = "儿童青少年应避免过量摄入盐油糖"


# --- nutrition tables -----------------------------------------------------------------------------------

_UNIT = r"(?:kJ|KJ|kj|千焦耳|千焦|kcal|千卡|大卡|mg|毫克|μg|µg|ug|微克|g|克|mL|ml|毫升)"
_ROW = re.compile(
    rf"(?P<item>[—\-－]*\s*[{_CJK}][{_CJK}A-Za-z0-9()]{{0,14}}?)\s*(?:\((?P<item_unit>{_UNIT})\))?\s*[|:]?\s*"
    rf"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT}(?:\s*(?:RE|α-TE|DFE))?)?\s*"
    rf"(?:\(\s*(?:\d+(?:\.\d+)?\s*)?(?:{_UNIT})\s*\))?\s*[|]?\s*(?:(?P<nrv>\d+(?:\.\d+)?)\s*%)?"
)


def _nutrition_rows(lines: list[str], edition: str) -> list[dict]:
    names = nutrients(edition)
    known = set(names) | {
        "热量",
        "卡路里",
        "碳水",
        "糖类",
        "蛋白",
        "脂类",
        "盐",
        "盐分",
        "食盐",
        "糖",
        "饱和脂肪",
    }
    rows: list[dict] = []
    seen: set[str] = set()
    text = "\n".join(lines)
    for m in _ROW.finditer(text):
        item = m.group("item").strip().lstrip("—-－ ").strip()
        item = re.sub(r"\s+", "", item)
        if item not in known or item in seen:
            continue
        unit = m.group("unit") or m.group("item_unit") or ""
        if not unit and not m.group("nrv"):
            continue
        seen.add(item)
        value = m.group("value")
        rows.append(
            {
                "item": item,
                "per_100": float(value) if "." in value else int(value),
                "unit": re.sub(r"\s+", " ", unit),
                "nrv_percent": (m.group("nrv") + "%") if m.group("nrv") else "",
            }
        )
    return rows
