from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "nqihub.notifications"
    label = "notifications"
    verbose_name = _("通知")
    #: Settings checks run by core.preflight (``manage.py preflight``, start-up with DEBUG=false).
    preflight_checks = ("nqihub.notifications.sms.configuration_problems",)
