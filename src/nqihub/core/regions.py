"""GB/T 2260 codes as a tree: pure helpers, no Django.

A province is ``450000`` (prefix ``45``), a city ``450200`` (``4502``), a county ``450202`` (``450202``).
Municipalities follow the same rule: ``110000`` → ``110100`` → ``110101``.
"""

import re

_CODE = re.compile(r"^\d{6}$")

#: The root of the tree: the whole country (not a GB/T 2260 code; used for national-level organisations).
NATIONAL = "000000"


def is_code(code: str) -> bool:
    return bool(_CODE.match(code or ""))


def level(code: str) -> str:
    if not is_code(code):
        raise ValueError(f"行政区划代码应为6位数字：{code!r}")
    if code == NATIONAL:
        return "national"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def prefix(code: str) -> str:
    """The prefix every code in the subtree of ``code`` starts with."""
    lv = level(code)
    return {"national": "", "province": code[:2], "city": code[:4], "county": code}[lv]


def parent(code: str) -> str | None:
    lv = level(code)
    if lv in ("national", "province"):
        return None
    if lv == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


def closeness(a: str, b: str) -> int:
    """How near two codes are in the tree: 3 same county, 2 same city, 1 same province, 0 otherwise."""
    if not (is_code(a) and is_code(b)):
        return 0
    if a == b and level(a) == "county":
        return 3
    if a[:4] == b[:4] and a[2:4] != "00":
        return 2
    if a[:2] == b[:2]:
        return 1
    return 0
