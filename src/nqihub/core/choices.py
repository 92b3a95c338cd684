"""The allowed values of a choice field, as descriptions, error messages and the API's filters state them."""

from django.utils.translation import gettext as _

from .codes import choices_text
from .errors import ValidationFailed

__all__ = ["choice_param", "choices_text"]


def choice_param(value: str | None, choices, field: str) -> str | None:
    """An optional choice filter: None when blank, else the value stripped; a value not among ``choices``
    is a 422 naming ``field`` and the allowed values."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value not in dict(choices):
        raise ValidationFailed(
            {
                field: _("“%(value)s”无效，应为：%(allowed)s。")
                % {"value": value, "allowed": choices_text(choices)}
            }
        )
    return value
