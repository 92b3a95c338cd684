from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    name = "nqihub.drafting"
    label = "drafting"
    verbose_name = _("企业标准起草")
