from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class DraftingConfig(navigation.MenuAppConfig):
    name = "nqihub.drafting"
    label = "drafting"
    verbose_name = _("企业标准起草")

    menu_function = "nav_item"
