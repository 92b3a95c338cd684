"""标识标签: the label checker (SPEC §10).

``check_label(category, fields, *, standard_status=None, complete=True, on=None) -> list[dict]`` lists every
problem of a label (``complete=False``: an excerpt — only what is present is judged, nothing is reported
missing; the rule pack in force on the label's production date, or ``on``, or today, applies);
``extract_fields(category, text) -> dict`` reads a pasted label into fields. Both are pure apart from the
default standard lookup (the standards catalogue). Each finding is a plain, JSON-ready dict::

    {"field": "fibre_content", "severity": "error" | "warning", "code": "fibre_trade_name",
     "message": "…（中文）", "source": "GB/T 29862-2013", "fix": "…"}

Categories and field keys (rule packs in ``data/rules/<category>.json``; a key not listed is a warning):

``textile`` (纺织品、服装和家纺; GB 5296.4, GB 18401, GB 31701, GB/T 29862)
    ``manufacturer_name``, ``manufacturer_address``, ``product_name``, ``size``, ``fibre_content`` (text such as
    ``棉 60% 聚酯纤维 40%`` or a list of ``{"fibre", "percent"}``), ``care_instructions``, ``standard_number``,
    ``safety_category`` (``B类``, ``GB 18401-2010 A类 婴幼儿用品``), ``quality_grade``, ``conformity`` (text or
    true/false), ``for_infants`` (true/false).

``prepackaged_food`` (预包装食品; GB 7718-2011 / GB 28050-2011, and GB 7718-2025 / GB 28050-2025 from
2027-03-16)
    ``food_name``, ``ingredients``, ``net_content``, ``producer_name``, ``producer_address``,
    ``producer_contact``, ``production_date``, ``shelf_life``, ``expiry_date``, ``storage_conditions``,
    ``licence_number``, ``workshop_registration``, ``standard_code``, ``origin_country``,
    ``registration_number``, ``alcohol_content``, ``allergen_statement``, ``nutrition`` (a list of
    ``{"item", "per_100", "unit", "nrv_percent"}``); the reader also fills ``ingredients_lead`` (a lead word
    other than 配料/配料表) and ``nutrition_statement``.

An unknown category raises :class:`UnknownCategory` (a ``ValueError`` whose message lists the categories).
"""

from .checker import check_label
from .extract import extract_fields
from .packs import UnknownCategory, categories, field_keys

__all__ = ["UnknownCategory", "categories", "check_label", "extract_fields", "field_keys"]
