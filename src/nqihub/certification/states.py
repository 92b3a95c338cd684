"""The certificate status machine, with no Django in it: which transitions are allowed, and which need a
reason.

- valid → suspended (暂停), revoked (撤销), cancelled (注销)
- suspended → valid (restored: 恢复), revoked, cancelled
- valid / suspended → expired: only the daily sweep, when the expiry date has passed
- revoked, cancelled and expired are final; a renewal is a new certificate.
"""

VALID = "valid"
SUSPENDED = "suspended"
REVOKED = "revoked"
CANCELLED = "cancelled"
EXPIRED = "expired"

#: from → allowed targets for a person (the sweep alone sets ``expired``).
TRANSITIONS: dict[str, frozenset[str]] = {
    VALID: frozenset({SUSPENDED, REVOKED, CANCELLED}),
    SUSPENDED: frozenset({VALID, REVOKED, CANCELLED}),
    REVOKED: frozenset(),
    CANCELLED: frozenset(),
    EXPIRED: frozenset(),
}

SYSTEM_TRANSITIONS: dict[str, frozenset[str]] = {VALID: frozenset({EXPIRED}), SUSPENDED: frozenset({EXPIRED})}

#: Every change a person makes needs a reason (suspend, revoke, cancel, restore).
REASON_REQUIRED = frozenset({SUSPENDED, REVOKED, CANCELLED, VALID})


def allowed(from_status: str, to_status: str, *, system: bool = False) -> bool:
    table = SYSTEM_TRANSITIONS if system else TRANSITIONS
    return to_status in table.get(from_status, frozenset())


def targets(from_status: str) -> list[str]:
    order = [VALID, SUSPENDED, REVOKED, CANCELLED]
    return [s for s in order if s in TRANSITIONS.get(from_status, frozenset())]


def needs_reason(to_status: str) -> bool:
    return to_status in REASON_REQUIRED
