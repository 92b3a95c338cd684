"""What the page and the API share: run a check from fields and/or pasted text, and the per-client limit on
anonymous use. Checking a label writes nothing (no audit entry: there is no record to audit).

Who may check: anyone, signed in or not — the rules are public standards and the only data read is the
public standards catalogue. Anonymous callers (page POSTs and ``POST /api/v1/labels/check`` without a
valid token) are limited to ``LABELS_ANONYMOUS_RATE`` checks per minute per IP address (default 30).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from nqihub.core import ratelimit
from nqihub.core.errors import DomainError, ValidationFailed

from .checker import check_label, select_pack
from .extract import extract_fields
from .packs import UnknownCategory, pack

MAX_TEXT = 20_000
MAX_FIELDS = 50
WINDOW_SECONDS = 60


class TooManyChecks(DomainError):
    status = 429


@dataclass
class Result:
    category: str
    version: str
    findings: list[dict]
    fields: dict
    extracted: dict | None = None
    edition: str = ""
    complete: bool = True
    errors: int = field(init=False)
    warnings: int = field(init=False)

    def __post_init__(self):
        self.errors = sum(1 for f in self.findings if f["severity"] == "error")
        self.warnings = len(self.findings) - self.errors


def run_check(
    *, category: object, fields: object = None, text: object = None, complete: object = True
) -> Result:
    """Check ``fields``, or the fields extracted from ``text`` (``fields`` given too override them).

    ``complete=False``: the text or fields are part of a label; only what is present is judged. The pack in
    force on the label's production date (or today) applies; the result names its edition.
    ``ValidationFailed`` (field ``category``, ``fields``, ``text`` or ``complete``) for input that cannot be
    checked."""
    try:
        pack(category)
    except UnknownCategory as exc:
        raise ValidationFailed({"category": str(exc)}) from exc
    has_text = isinstance(text, str) and text.strip() != ""
    has_fields = fields is not None and fields != {}
    if not has_text and not has_fields:
        raise ValidationFailed({"fields": _("请提供逐项填写的字段（fields）或粘贴的标签文字（text）。")})
    if text is not None and not isinstance(text, str):
        raise ValidationFailed({"text": _("标签文字应为字符串。")})
    if has_text and len(text) > MAX_TEXT:
        raise ValidationFailed({"text": _("标签文字不能超过 %(n)s 个字符。") % {"n": MAX_TEXT}})
    if has_fields and not isinstance(fields, dict):
        raise ValidationFailed({"fields": _("fields 应为“字段: 值”的对象。")})
    if has_fields and len(fields) > MAX_FIELDS:
        raise ValidationFailed({"fields": _("字段不能超过 %(n)s 个。") % {"n": MAX_FIELDS}})
    if not isinstance(complete, bool):
        raise ValidationFailed({"complete": _("complete 应为 true 或 false。")})
    extracted = extract_fields(category, text) if has_text else None
    merged = {**(extracted or {}), **(fields or {})}
    used = select_pack(category, merged)
    findings = check_label(category, merged, complete=complete)
    return Result(category, used["version"], findings, merged, extracted, used.get("edition", ""), complete)


def throttle(request) -> None:
    """Count one anonymous check for the client's address; ``TooManyChecks`` over the limit."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return
    limit = int(getattr(settings, "LABELS_ANONYMOUS_RATE", 30))
    if not ratelimit.hit(request, "labels.check", limit=limit, window=WINDOW_SECONDS):
        raise TooManyChecks(
            _("检查过于频繁，请一分钟后再试（未登录用户每分钟最多 %(n)s 次）。") % {"n": limit}
        )
