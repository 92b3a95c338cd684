"""PostgreSQL refuses FOR UPDATE on the nullable side of an outer join, which SQLite never notices.

A locked query that also joins relations must lock only its own row: ``select_for_update(of=("self",))``.
This scans the source so the mistake is caught on SQLite runs too.
"""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
LOCK_THEN_JOIN = re.compile(r"select_for_update\(\)\s*\.\s*select_related\(", re.S)


def test_locked_queries_that_join_lock_only_their_own_row():
    offenders = [
        f"{path.relative_to(SRC)}"
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and LOCK_THEN_JOIN.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use select_for_update(of=('self',)) with select_related in: " + ", ".join(
        offenders
    )
