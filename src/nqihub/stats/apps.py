from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class StatsConfig(navigation.MenuAppConfig):
    name = "nqihub.stats"
    label = "stats"
    verbose_name = _("统计与报表")
