from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class MetrologyConfig(navigation.MenuAppConfig):
    name = "nqihub.metrology"
    label = "metrology"
    verbose_name = _("计量")

    menu_function = "nav_items"
