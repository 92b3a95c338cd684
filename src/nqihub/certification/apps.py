from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "nqihub.certification"
    label = "certification"
    verbose_name = _("认证认可")

    def ready(self) -> None:
        from nqihub.core import navigation

        from . import navigation as menus

        navigation.register("certification", menus.nav_items)
