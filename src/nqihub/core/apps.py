from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nqihub.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from . import checks, preflight, receivers, workcalendar, workdays  # noqa: F401  (deploy checks; login / failed-login audit)

        workdays.use_overrides_from(workcalendar.calendar_overrides)
