from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "nqihub.directory"
    label = "directory"
    verbose_name = _("服务资源库")
