"""统一社会信用代码 (GB 32100-2015) checks with python-stdnum, with reasons a person understands."""

import re

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")
_REG_DEPT = set("123456789ABCDEFGNY")


def clean(value: str) -> str:
    import unicodedata

    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def check(value: str) -> tuple[str, str | None]:
    """Return (cleaned code, None) when valid, else (cleaned code, Chinese reason)."""
    code = clean(value)
    if not code:
        return code, "请填写统一社会信用代码。"
    if len(code) != 18:
        return code, f"统一社会信用代码应为18位，当前为{len(code)}位。"
    bad = sorted({c for c in code if c not in _ALPHABET})
    if bad:
        return code, f"统一社会信用代码含不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）。"
    try:
        _uscc.validate(code)
    except InvalidChecksum:
        expected = _uscc.calc_check_digit(code[:17])
        return code, f"统一社会信用代码校验码错误：第18位应为“{expected}”，而不是“{code[17]}”。"
    except InvalidLength:
        return code, "统一社会信用代码应为18位。"
    except (InvalidFormat, InvalidComponent):
        if code[0] not in _REG_DEPT:
            return code, f"统一社会信用代码第1位（登记管理部门代码）“{code[0]}”无效。"
        if not code[2:8].isdigit():
            return code, "统一社会信用代码第3–8位应为登记管理机关行政区划代码（6位数字）。"
        return code, "统一社会信用代码格式不正确。"
    return code, None


def demo_uscc(region_code: str, serial: int, series: int = 0) -> str:
    """A synthetic USCC: 91 + region + series (2 digits) + six zeros + serial digit + the computed check character.

    Series 0 (eight zeros, today's codes) is the story's and the tests'; each app that generates demo enterprises
    uses its own series (stats 1, cooperatives 2), which leads the block, so that generated codes never collide
    with the story's nor with the tests' hand-made ``91<region>000000…`` codes.
    """
    body = f"91{region_code}{series:02d}000000{serial % 10}"
    return body + _uscc.calc_check_digit(body)
