from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation


class CooperativesConfig(navigation.MenuAppConfig):
    name = "nqihub.cooperatives"
    label = "cooperatives"
    verbose_name = _("质量合作社")

    def ready(self) -> None:
        super().ready()
        from nqihub.testing import cooperation

        from .selectors import active_member_enterprise_ids

        cooperation.register_active_members(active_member_enterprise_ids)
