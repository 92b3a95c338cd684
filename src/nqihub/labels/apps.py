from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class LabelsConfig(navigation.MenuAppConfig):
    name = "nqihub.labels"
    label = "labels"
    verbose_name = _("标识标签")

    def ready(self) -> None:
        super().ready()
        from . import checker, selectors

        checker.use_catalogue(selectors.standard_status)
