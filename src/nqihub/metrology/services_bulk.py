"""Booking several due instruments with one calibration body in one go (批量预约送检/校准).

Each booking is made by ``services.booking_create`` (the same capability/range check, lock, audit and
notification as a single booking), all in one transaction: when the body cannot take any one instrument, the
caller is told which and why (``ValidationFailed`` with a field ``instruments.<position>`` per refused
instrument) and nothing is booked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.directory.models import Institution

from . import services
from .models import Booking, Instrument


def check_count(instruments) -> None:
    if not instruments:
        raise ValidationFailed({"instruments": _("请至少选择一件器具。")})
    if len(instruments) > services.MAX_BULK_BOOKING:
        raise ValidationFailed(
            {"instruments": _("一次最多预约%(n)d件器具。") % {"n": services.MAX_BULK_BOOKING}}
        )


@dataclass
class BodyChoice:
    """The calibration bodies for a set of instruments: those covering every one (``common``, nearest to the
    first instrument's enterprise first), and each instrument with the bodies covering it."""

    common: list = field(default_factory=list)
    per_instrument: list[tuple[Instrument, list]] = field(default_factory=list)

    @property
    def uncovered(self) -> list[Instrument]:
        """Instruments no body covers at all (booking them needs their 被测量 filled in first)."""
        return [instrument for instrument, bodies in self.per_instrument if not bodies]


def bodies_for(*, instruments: list[Instrument], fetched_by) -> BodyChoice:
    check_count(instruments)
    choice = BodyChoice()
    common_ids = None
    for instrument in instruments:
        bodies = services.suggest_bodies(instrument=instrument, fetched_by=fetched_by, limit=100)
        choice.per_instrument.append((instrument, bodies))
        ids = {b.id for b in bodies}
        common_ids = ids if common_ids is None else common_ids & ids
    first = choice.per_instrument[0][1]
    choice.common = [b for b in first if b.id in (common_ids or set())]
    return choice


@transaction.atomic
def booking_create_bulk(
    *,
    instruments: list[Instrument],
    institution: Institution,
    proposed_date: datetime.date | None,
    note: str = "",
    by,
    today: datetime.date | None = None,
) -> list[Booking]:
    """One booking per instrument with ``institution`` for ``proposed_date``; all or none. Errors common to
    every booking (the date, the note, not a calibration body) are raised as for one booking."""
    check_count(instruments)
    if institution.kind != Institution.Kind.CALIBRATION:
        raise ValidationFailed(
            {"institution": _("“%(name)s”不是计量技术机构。") % {"name": institution.name}}
        )
    refused: dict[str, str] = {}
    seen: set[int] = set()
    for position, instrument in enumerate(instruments):
        if instrument.pk in seen:
            refused[f"instruments.{position}"] = _("%(i)s：重复选择。") % {"i": instrument}
        seen.add(instrument.pk)
    if refused:
        raise ValidationFailed(refused)
    bookings: dict[int, Booking] = {}
    book = partial(
        services.booking_create,
        institution=institution,
        proposed_date=proposed_date,
        note=note,
        by=by,
        today=today,
    )
    # Lock order by id, so two bulk bookings sharing instruments cannot deadlock.
    for position, instrument in sorted(enumerate(instruments), key=lambda pair: pair[1].pk):
        try:
            bookings[position] = book(instrument=instrument)
        except ValidationFailed as exc:
            if set(exc.errors) != {"institution"}:
                raise  # the date or the note: wrong for every instrument alike
            refused[f"instruments.{position}"] = f"{instrument}：{exc.errors['institution']}"
        except DomainError as exc:  # an open booking already, or not this user's ledger
            refused[f"instruments.{position}"] = f"{instrument}：{exc.message}"
    if refused:
        raise ValidationFailed(dict(sorted(refused.items(), key=lambda kv: int(kv[0].split(".")[1]))))
    return [bookings[position] for position in range(len(instruments))]
