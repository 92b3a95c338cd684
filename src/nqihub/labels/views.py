"""The label checker page (``/labels/``) and the rule-pack page (``/labels/rules/``). Open to everyone: an
enterprise can check a label on its phone without signing in (anonymous checks are rate-limited, see
``services.throttle``).

``GET /labels/?category=textile&product_name=…`` pre-fills the form with any field key (``nutrition`` as JSON)
and checks it at once, so other pages (cooperative label templates) can link here; ``?text=…`` does the
same with label text. POST runs the form (``mode=fields``) or the pasted text (``mode=text``).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core.errors import ValidationFailed

from . import demo, services
from .packs import categories, editions, pack, packs

#: Labels and hints of the form, by field key (the rule pack's Chinese ``label`` is what findings use).
FIELD_UI = {
    "manufacturer_name": (gettext_lazy("制造者名称"), "南通某某家居用品有限公司"),
    "manufacturer_address": (gettext_lazy("制造者地址"), gettext_lazy("依法登记注册的地址")),
    "product_name": (gettext_lazy("产品名称"), gettext_lazy("如：床单、男式衬衫")),
    "size": (gettext_lazy("号型或规格"), "170/88A、230cm×250cm"),
    "fibre_content": (gettext_lazy("纤维成分及含量"), "棉 60% 聚酯纤维 40%"),
    "care_instructions": (
        gettext_lazy("维护方法"),
        gettext_lazy("水洗、漂白、干燥、熨烫、专业维护，按此顺序"),
    ),
    "standard_number": (gettext_lazy("执行的产品标准"), "GB/T 22796-2021"),
    "safety_category": (gettext_lazy("安全类别"), "GB 18401-2010 B类"),
    "quality_grade": (gettext_lazy("质量等级"), gettext_lazy("优等品、一等品、合格品")),
    "conformity": (gettext_lazy("合格证明"), gettext_lazy("检验合格")),
    "for_infants": (gettext_lazy("婴幼儿用品（36个月及以下）"), ""),
    "food_name": (gettext_lazy("食品名称"), gettext_lazy("如：螺蛳粉")),
    "ingredients": (gettext_lazy("配料表"), gettext_lazy("按加入量递减顺序")),
    "net_content": (gettext_lazy("净含量"), "300克、500mL"),
    "producer_name": (gettext_lazy("生产者名称"), ""),
    "producer_address": (gettext_lazy("生产者地址"), ""),
    "producer_contact": (gettext_lazy("联系方式"), gettext_lazy("电话、传真或网址")),
    "production_date": (gettext_lazy("生产日期"), gettext_lazy("2026-10-12，或“见包装封口处”")),
    "shelf_life": (gettext_lazy("保质期"), gettext_lazy("6个月")),
    "storage_conditions": (gettext_lazy("贮存条件"), gettext_lazy("置于阴凉干燥处")),
    "licence_number": (gettext_lazy("食品生产许可证编号"), gettext_lazy("SC 加 14 位数字")),
    "standard_code": (gettext_lazy("产品标准代号"), ""),
    "nutrition": (gettext_lazy("营养成分表"), ""),
    "expiry_date": (gettext_lazy("保质期到期日"), gettext_lazy("2027-12-09，或“见包装封口处”")),
    "workshop_registration": (
        gettext_lazy("食品小作坊登记证编号"),
        gettext_lazy("小作坊以登记证代替 SC 编号"),
    ),
    "origin_country": (gettext_lazy("原产国（地区）"), gettext_lazy("进口食品填写，如“越南”")),
    "registration_number": (gettext_lazy("境外生产企业在华注册编号"), gettext_lazy("进口食品填写")),
    "alcohol_content": (gettext_lazy("酒精度"), "53%vol"),
    "allergen_statement": (gettext_lazy("致敏物质提示"), gettext_lazy("如：含有小麦、乳制品")),
}
NUTRITION_ROWS = 8
CORE_NUTRIENTS = [("能量", "kJ"), ("蛋白质", "g"), ("脂肪", "g"), ("碳水化合物", "g"), ("钠", "mg")]


def _field_rows(category: str, values: dict) -> list[dict]:
    rows = []
    for f in pack(category)["fields"]:
        if f.get("hidden"):
            continue
        label, hint = FIELD_UI.get(f["key"], (f["label"], ""))
        value = values.get(f["key"])
        rows.append(
            {
                "key": f["key"],
                "type": f["type"],
                "label": label,
                "hint": hint,
                "required": not f.get("optional"),
                "value": value
                if isinstance(value, str)
                else ("" if value in (None, True, False) else json.dumps(value, ensure_ascii=False)),
                "checked": value is True,
                "wide": f["key"] in ("care_instructions", "ingredients", "fibre_content"),
            }
        )
    return rows


def _nutrition_rows(values: dict) -> list[dict]:
    given = values.get("nutrition")
    rows = [r for r in given if isinstance(r, dict)] if isinstance(given, list) else []
    if not rows and not isinstance(given, list):
        rows = [{"item": item, "unit": unit} for item, unit in CORE_NUTRIENTS]
    rows = rows[:NUTRITION_ROWS] + [{} for _ in range(NUTRITION_ROWS - min(len(rows), NUTRITION_ROWS))]
    out = []
    for i, r in enumerate(rows):
        out.append(
            {
                k: ("" if r.get(k) is None else str(r.get(k)))
                for k in ("item", "per_100", "unit", "nrv_percent")
            }
            | {"i": i}
        )
    return out


def _fields_from(data, category: str, *, from_get: bool) -> dict:
    """Field values typed in the form (POST) or given in the query string (GET prefill)."""
    fields: dict = {}
    for f in pack(category)["fields"]:
        key = f["key"]
        if f["type"] == "bool":
            raw = data.get(key)
            if raw is not None:
                fields[key] = raw.strip().lower() in ("1", "true", "on", "yes", "是")
            elif not from_get and data.get("mode") == "fields":
                fields[key] = False
        elif f["type"] == "nutrition":
            rows = _nutrition_from(data)
            if rows is not None:
                fields[key] = rows
        else:
            raw = data.get(key)
            if raw is not None and raw.strip():
                fields[key] = raw.strip()
    return fields


def _nutrition_from(data) -> list | None:
    raw = data.get("nutrition")
    if raw:
        try:
            rows = json.loads(raw)
        except ValueError:
            return raw  # the checker reports it as the wrong type
        return rows
    rows = []
    seen_any = False
    for i in range(NUTRITION_ROWS):
        cells = {
            k: (data.get(f"nutrition-{i}-{k}") or "").strip()
            for k in ("item", "per_100", "unit", "nrv_percent")
        }
        if any(f"nutrition-{i}-{k}" in data for k in cells):
            seen_any = True
        if cells["per_100"] or cells["nrv_percent"]:
            rows.append(cells)
    return rows if seen_any else None


def label_check(request):
    data = request.POST if request.method == "POST" else request.GET
    category = data.get("category") or "textile"
    context = {
        "categories": categories(),
        "category": category,
        "mode": data.get("mode") or "fields",
        "label_text": "",
        "result": None,
        "error": None,
        "excerpt": bool(data.get("excerpt")),
    }
    status = 200
    if category not in packs():
        context["error"] = _("未知的标签类别“%(category)s”。可用类别：%(known)s") % {
            "category": category,
            "known": "、".join(f"{t}（{k}）" for k, t in categories()),
        }
        context["category"] = category = "textile"
        status = 400
    values: dict = {}
    run = None
    if status == 200:
        fields = _fields_from(data, category, from_get=request.method == "GET")
        text = (data.get("text") or data.get("label_text") or "").strip()
        values = dict(fields)
        if text and (request.method == "GET" or context["mode"] == "text"):
            context["mode"] = "text"
            context["label_text"] = text
            run = {"text": text}
        elif any(v not in (False, [], "") for v in fields.values()):
            run = {"fields": fields}
        elif request.method == "POST":
            context["error"] = _("请填写标签内容或粘贴标签文字后再检查。")
            status = 422
    if run is not None:
        try:
            services.throttle(request)
            result = services.run_check(category=category, complete=not context["excerpt"], **run)
        except services.TooManyChecks as exc:
            context["error"] = exc.message
            status = 429
        except ValidationFailed as exc:
            context["error"] = next(iter(exc.errors.values()))
            status = 422
        else:
            context["result"] = result
            values = result.fields
            context["errors_list"] = [f for f in result.findings if f["severity"] == "error"]
            context["warnings_list"] = [f for f in result.findings if f["severity"] == "warning"]
            labels = {f["key"]: FIELD_UI.get(f["key"], (f["label"], ""))[0] for f in pack(category)["fields"]}
            for f in result.findings:
                f["field_label"] = labels.get(f["field"], f["field"])
            if result.extracted is not None:
                context["extracted"] = [
                    (labels.get(k, k), v if isinstance(v, str) else _describe(v))
                    for k, v in result.extracted.items()
                ]
    context["field_rows"] = _field_rows(category, values)
    context["nutrition_rows"] = _nutrition_rows(values) if category == "prepackaged_food" else []
    context["pack"] = pack(category)
    context["field_labels"] = {
        f["key"]: str(FIELD_UI.get(f["key"], (f["label"], ""))[0]) for f in pack(category)["fields"]
    }
    context["examples"] = _examples(category)
    return render(request, "labels/check.html", context, status=status)


def _describe(value) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, list):
        return "；".join(
            f"{r.get('item', '')} {r.get('per_100', '')}{r.get('unit', '')} {r.get('nrv_percent', '')}".strip()
            for r in value
            if isinstance(r, dict)
        )
    return str(value)


def _examples(category: str) -> list[tuple[str, str]]:
    base = reverse("labels:check")
    if category == "textile":
        return [
            (
                _("示例：有问题的床单标签"),
                f"{base}?{urlencode({'category': 'textile', **_flat(demo.YUESE_BEDSHEET_BEFORE)})}",
            ),
            (
                _("示例：改正后的床单标签"),
                f"{base}?{urlencode({'category': 'textile', **_flat(demo.YUESE_BEDSHEET_AFTER)})}",
            ),
        ]
    return [
        (
            _("示例：螺蛳粉标签文字"),
            f"{base}?{urlencode({'category': 'prepackaged_food', 'text': demo.SHANYUAN_LUOSIFEN_TEXT})}",
        )
    ]


def _flat(fields: dict) -> dict:
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in fields.items()}


#: What each kind of check of a rule pack looks at, in words (the kinds are the engine's keys).
CHECK_NAMES = {
    "min_length": gettext_lazy("必须标注"),
    "forbidden_pattern": gettext_lazy("禁用写法"),
    "one_of": gettext_lazy("取值范围"),
    "contact": gettext_lazy("联系方式格式"),
    "date": gettext_lazy("日期格式"),
    "duration": gettext_lazy("保质期写法"),
    "conformity": gettext_lazy("合格证明"),
    "standard": gettext_lazy("标准号及其现行状态"),
    "safety_category": gettext_lazy("安全类别"),
    "care": gettext_lazy("维护方法图形符号"),
    "fibre_content": gettext_lazy("纤维名称与含量"),
    "net_content": gettext_lazy("净含量写法"),
    "licence": gettext_lazy("许可证编号格式"),
    "nutrition": gettext_lazy("营养成分表"),
    "lead_word": gettext_lazy("引导词"),
    "alcohol": gettext_lazy("酒精度写法"),
}


def rules(request):
    items = []
    for key, p in ((k, p) for k, eds in editions().items() for p in reversed(eds)):
        items.append(
            {
                "key": key,
                "pack": p,
                "rows": [
                    {
                        "key": f["key"],
                        "label": FIELD_UI.get(f["key"], (f["label"], ""))[0],
                        "required": not f.get("optional"),
                        "source": f.get("missing", {}).get("source", ""),
                        "checks": [
                            str(CHECK_NAMES.get(c.get("kind"), c.get("kind"))) for c in f.get("checks", [])
                        ],
                    }
                    for f in p["fields"]
                ],
            }
        )
    return render(request, "labels/rules.html", {"items": items})
