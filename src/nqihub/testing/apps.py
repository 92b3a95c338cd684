from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class TestingConfig(navigation.MenuAppConfig):
    name = "nqihub.testing"
    label = "testing"
    verbose_name = _("检验检测")
