from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "nqihub.testing"
    label = "testing"
    verbose_name = _("检验检测")
