from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nqihub.accounts"
    label = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from . import receivers  # noqa: F401  (lock-out signals)
