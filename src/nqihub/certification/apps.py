from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "nqihub.certification"
    label = "certification"
    verbose_name = _("认证认可")
