"""Numbers and codes: the order number per year, the lab's report prefix, the report's check code."""

from __future__ import annotations

import secrets

from nqihub.core import numbering
from nqihub.directory.models import Institution

from ..models import LabProfile
from .base import CHECK_ALPHABET, CHECK_LENGTH


def _order_number(year: int) -> str:
    return numbering.yearly_number("JC", year, key=f"order:{year}")


def report_prefix(lab: Institution) -> str:
    profile = LabProfile.objects.filter(institution=lab).first()
    if profile and profile.report_prefix:
        return profile.report_prefix
    return f"L{lab.pk}"


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def normalise_check_code(code: str) -> str:
    return "".join((code or "").split()).upper()
