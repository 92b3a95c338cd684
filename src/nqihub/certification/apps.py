from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class CertificationConfig(navigation.MenuAppConfig):
    name = "nqihub.certification"
    label = "certification"
    verbose_name = _("认证认可")

    menu_function = "nav_items"
