"""Bounded integers for every number a client sends: ids, page numbers, counts. A value the database cannot
hold (``?page=10**30``, ``?station=…``, an id in a path) is a 422 naming the input (API) or a 400 with a
Chinese message (pages), never a server error. The limits also appear in the OpenAPI document.

The API uses the types (``Id``, ``PageNumber``, ``Count``); HTML views call ``page_number`` and
``int_param``. ``core.middleware.BadInputMiddleware`` and the API's handlers turn anything missed into the
same 4xx.
"""

import datetime as dt
import re
from typing import Annotated

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

#: Largest value of a PostgreSQL bigint / SQLite integer (primary keys, BigAutoField).
BIGINT_MAX = 2**63 - 1
#: Largest value of a PostgreSQL integer column (IntegerField, PositiveIntegerField).
INT_MAX = 2**31 - 1
#: Largest amount of money (yuan) a form or the API takes: DecimalField(max_digits=14, decimal_places=2).
MONEY_MAX = 10**12 - 1
#: Highest page number anyone is served (25 × 1,000,000 rows deep is past any list in the spec).
MAX_PAGE = 1_000_000

#: A record id (path or query).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
#: A page number, from 1.
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="页码，从 1 开始")]
#: A count or quantity stored in an integer column.
Count = Annotated[int, Field(ge=0, le=INT_MAX)]


def int_param(request, name: str, *, minimum: int = 1, maximum: int = BIGINT_MAX) -> int | None:
    """``?name=`` as an int in [minimum, maximum], None when absent or empty; ``BadRequest`` (400 with the
    message) otherwise."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(
            _("参数 %(name)s 应为整数，收到“%(value)s”。") % {"name": name, "value": raw[:20]}
        ) from None
    if not minimum <= value <= maximum:
        raise BadRequest(
            _("参数 %(name)s 应在 %(min)s 到 %(max)s 之间。") % {"name": name, "min": minimum, "max": maximum}
        )
    return value


def page_number(request, name: str = "page") -> int:
    """The page a list page shows: ``?page=`` from 1 to ``MAX_PAGE`` (1 when absent)."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return 1
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(_("页码应为整数，收到“%(value)s”。") % {"value": raw[:20]}) from None
    if not 1 <= value <= MAX_PAGE:
        raise BadRequest(_("页码应在 1 到 %(max)s 之间。") % {"max": MAX_PAGE})
    return value


#: A short code sent in a list (a category, a status).
Code = Annotated[str, Field(max_length=64)]
#: A standard's number as typed ("GB 18401-2010").
StandardCode = Annotated[str, Field(max_length=120)]
#: A short label (an indicator's name).
Label = Annotated[str, Field(max_length=100)]
#: A number of days (intervals, look-ahead windows): at most 100 years.
Days = Annotated[int, Field(ge=0, le=36_500)]
#: A calendar year the platform deals with.
Year = Annotated[int, Field(ge=1900, le=2200)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value):
    """Dates as ``YYYY-MM-DD`` only: pydantic would otherwise read ``0`` or ``1700000000`` as a Unix time."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()
    raise PydanticCustomError("date_format", "date must be YYYY-MM-DD")


#: A calendar date a client sends, as YYYY-MM-DD.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
