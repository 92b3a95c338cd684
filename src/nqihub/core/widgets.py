"""Form widgets shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. ``<input type="date">`` takes only ISO dates (2026-12-07), whatever the
    language; the locale's input format (2026/12/07 in Chinese) would leave a pre-filled field empty."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format)
