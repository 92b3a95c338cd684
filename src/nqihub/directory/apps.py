from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "nqihub.directory"
    label = "directory"
    verbose_name = _("服务资源库")

    def ready(self) -> None:
        from nqihub.accounts import registration

        from .registration import HOOKS

        registration.connect_directory(HOOKS)
