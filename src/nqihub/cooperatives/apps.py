from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    name = "nqihub.cooperatives"
    label = "cooperatives"
    verbose_name = _("质量合作社")
