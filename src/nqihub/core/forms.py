"""Form helpers shared by the HTML views: Bootstrap classes, errors from domain services, pickers for
GB/T 2260 regions and GB/T 4754 industries (a text input for the code with a datalist that htmx fills
as the user types a name)."""

import re

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .selectors import industry_label_for, region_label_for


class BootstrapMixin:
    """Adds Bootstrap 5 classes to every widget, and ``is-invalid`` to fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self):
        """``is-invalid`` for the eye; ``aria-invalid`` and ``aria-describedby`` (the error's id, as
        ``web/_partials/field.html`` renders it) so that a screen reader announces the error with the field."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
                widget.attrs["aria-invalid"] = "true"
                if self.auto_id and "%s" in str(self.auto_id):
                    widget.attrs["aria-describedby"] = (self.auto_id % self.add_prefix(name)) + "_error"

    def add_service_errors(self, errors: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        """Show a service's ``ValidationFailed.errors`` field by field; unknown keys as form errors."""
        aliases = aliases or {}
        for key, message in errors.items():
            name = aliases.get(key, key)
            self.add_error(name if name in self.fields else None, message)
        self._mark_invalid()


def text_area(*, rows: int, **kwargs) -> forms.CharField:
    """A text field typed in a box ``rows`` lines high (``kwargs`` as for ``forms.CharField``)."""
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ListFilterMixin:
    """A list's filter form. ``filters()``: a valid bound form's criteria as the list selector's keywords
    ({} otherwise) — the keywords ``q`` as text, "" when blank; any other field its value, None when blank
    (any). A form whose field needs another conversion overrides ``filter_value``."""

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: self.filter_value(name, value) for name, value in self.cleaned_data.items()}

    def filter_value(self, name: str, value):
        if name == "q":
            return value or ""
        return None if value in (None, "") else value


class CodePickerInput(forms.TextInput):
    """A code input with a ``<datalist>`` that htmx refreshes from ``options_url?q=…`` as the user
    types a name; the browser then offers ``code — name`` suggestions."""

    template_name = "web/widgets/code_picker.html"

    def __init__(self, options_url, attrs=None, extra_params: str = "", label_for=None):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.options_url = options_url
        self.extra_params = extra_params
        self.label_for = label_for

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["options_url"] = str(self.options_url)
        widget["extra_params"] = self.extra_params
        widget["list_id"] = f"{widget['attrs'].get('id', name)}-options"
        label = self.label_for(str(value)) if (self.label_for and value) else ""
        widget["current_label"] = label
        widget["current_options"] = [(value, label)] if label else []
        return context


class CodeListPickerInput(CodePickerInput):
    """Several codes (``"450202, 450203"``, as ``split_codes`` reads them): each picked code is a chip that
    shows its name with the code as a hint, and a type-ahead box adds one more (``app.js``,
    ``data-code-list``). The codes travel in a hidden input named after the field."""

    template_name = "web/widgets/code_list_picker.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        widget["options_url"] = str(self.options_url)
        widget["extra_params"] = self.extra_params
        widget["list_id"] = f"{widget['attrs'].get('id', name)}-options"
        codes = split_codes(str(value or ""))
        widget["value"] = ", ".join(codes)
        widget["chips"] = [(code, self.label_for(code) or code) for code in codes]
        return context


def _picker(many: bool, options_url, attrs, **kwargs) -> CodePickerInput:
    """A picker of one code, or of several (``many``) — the same type-ahead either way."""
    if many:
        attrs = {k: v for k, v in attrs.items() if k != "maxlength"}
        return CodeListPickerInput(options_url, attrs=attrs, **kwargs)
    return CodePickerInput(options_url, attrs=attrs, **kwargs)


def region_input(level: str = "", many: bool = False, **attrs) -> CodePickerInput:
    return _picker(
        many,
        reverse_lazy("web:region-options"),
        {"placeholder": _("输入地区名称或6位代码"), "maxlength": 6, **attrs},
        extra_params=f"level={level}" if level else "",
        label_for=region_label_for,
    )


def industry_input(many: bool = False, **attrs) -> CodePickerInput:
    return _picker(
        many,
        reverse_lazy("web:industry-options"),
        {"placeholder": _("输入行业名称或代码"), "maxlength": 4, **attrs},
        label_for=industry_label_for,
    )


def split_codes(text: str) -> list[str]:
    """``"450202, 450203 450204"`` → ``["450202", "450203", "450204"]`` (any separator)."""
    return [c for c in re.split(r"[\s,，;；、]+", (text or "").strip()) if c]
