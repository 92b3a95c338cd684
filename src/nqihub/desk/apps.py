from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "nqihub.desk"
    label = "desk"
    verbose_name = _("一站式服务台")
