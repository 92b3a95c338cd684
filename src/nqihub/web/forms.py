"""Moved to ``nqihub.core.forms`` (issue 15: apps import no web module). Kept only for the callers not yet
updated; import from ``nqihub.core.forms``."""

from nqihub.core.forms import BootstrapMixin, CodePickerInput, industry_input, region_input, split_codes  # noqa: F401
