from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "nqihub.cases"
    label = "cases"
    verbose_name = _("案例与知识库")
