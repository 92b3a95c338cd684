from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "nqihub.desk"
    label = "desk"
    verbose_name = _("一站式服务台")

    def ready(self) -> None:
        from nqihub.directory.selectors import register_rating_source

        from .selectors import assignee_rating

        register_rating_source(assignee_rating)
