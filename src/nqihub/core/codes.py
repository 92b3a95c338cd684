"""Lists of codes kept in one text column, comma-delimited (",metrology,testing,"), so that one code is
found with ``field__contains=",testing,"`` on SQLite and PostgreSQL alike. Pure helpers."""


def split_codes(text: str | None) -> list[str]:
    """The codes in ``text``, in order, blanks dropped."""
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def code_labels(codes, choices) -> list[str]:
    """Display labels of ``codes`` from a ``TextChoices.choices`` list; unknown codes are shown as they are."""
    labels = dict(choices)
    return [str(labels.get(c, c)) for c in codes]


def choices_text(choices) -> str:
    """The choices of a field for a person: their labels, each with its code as a hint for API clients
    (``检验检测（testing）、计量（metrology）``) — the label first, as a Chinese message names things."""
    return "、".join(f"{label}（{value}）" for value, label in choices)
