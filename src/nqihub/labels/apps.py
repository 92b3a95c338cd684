from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "nqihub.labels"
    label = "labels"
    verbose_name = _("标识标签")

    def ready(self) -> None:
        from . import checker, selectors

        checker.use_catalogue(selectors.standard_status)
