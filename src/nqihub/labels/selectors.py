"""Reads of the labels app: the status of a standard number in the standards catalogue (public reference
data, the same for every user, so nothing here is scoped)."""

from __future__ import annotations

from nqihub.standards.models import Standard
from nqihub.standards.numbers import parse_standard_number
from nqihub.standards.search import order_versions


def standard_status(number: str) -> dict | None:
    """``{"status": "current"|"upcoming"|"abolished", "replaced_by": "…", "title": "…"}`` for a standard number,
    or None when the catalogue has no version of it.

    A number with a year names that version; one without a year names the newest version. A year the
    catalogue does not hold is *superseded* (abolished) when the catalogue has a newer current version of the
    same number or a standard that lists it under ``replaces``; otherwise unknown.
    """
    try:
        parsed = parse_standard_number(number)
    except ValueError:
        return None
    versions = order_versions(Standard.objects.filter(code_without_year=parsed.code_without_year))
    if parsed.year is None:
        found = versions[0] if versions else None
    else:
        found = next((s for s in versions if s.canonical == parsed.canonical), None)
    if found is not None:
        replaced_by = ""
        if found.status == Standard.Status.ABOLISHED:
            replaced_by = ", ".join(found.replaced_by_list()) or _newer_current(versions, found.year)
            if not replaced_by:
                replaced_by = _replacing(found.canonical)
        return {
            "status": found.status,
            "replaced_by": replaced_by,
            "title": found.title,
            "canonical": found.canonical,
        }
    replacement = _replacing(parsed.canonical) or _newer_current(versions, parsed.year)
    if replacement:
        return {
            "status": Standard.Status.ABOLISHED,
            "replaced_by": replacement,
            "title": "",
            "canonical": parsed.canonical,
        }
    return None


def _newer_current(versions, year: int | None) -> str:
    newer = [s for s in versions if s.status == Standard.Status.CURRENT and (s.year or 0) > (year or 0)]
    return newer[0].canonical if newer else ""


def _replacing(canonical: str) -> str:
    for std in Standard.objects.filter(replaces__contains=canonical).order_by("-year")[:5]:
        if canonical in std.replaces_list():
            return std.canonical
    return ""
