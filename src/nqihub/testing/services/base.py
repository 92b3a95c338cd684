"""What every module of the testing services shares: the limits of the inputs, the sign-off levels and
the error of a change that comes too late."""

from __future__ import annotations

import logging

from nqihub.core.errors import DomainError

from ..models import LabRole, SignLevel

log = logging.getLogger(__name__)

PRODUCT_MAX = 200
PARAMETER_MAX = 100
METHOD_MAX = 200
REQUIREMENT_MAX = 100
UNIT_MAX = 32
RESULT_MAX = 100
TEXT_MAX = 255
REMARKS_MAX = 2000
REASON_MAX = 500
MAX_ITEMS = 200
MAX_SAMPLES = 20
PHOTO_TYPES = {"png", "jpg", "jpeg"}
#: Check codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_LENGTH = 8

#: The sign-off levels in order, the lab role each needs, and the name printed on the report.
SIGN_ROLE = {
    SignLevel.TEST: LabRole.Role.TESTER,
    SignLevel.REVIEW: LabRole.Role.REVIEWER,
    SignLevel.APPROVE: LabRole.Role.APPROVER,
}
SIGN_PRINTED = {SignLevel.TEST: "检测", SignLevel.REVIEW: "审核", SignLevel.APPROVE: "批准"}


class Immutable(DomainError):
    """The order is past the point where this may change (an issued report above all)."""

    status = 409
