from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data orchestration: ``manage.py load_demo`` and ``manage.py demo_logins``.

    The top layer beside ``web``: it may import every app (it calls each app's ``demo.seed_demo``); no app
    imports it. Never run ``load_demo`` in production.
    """

    name = "nqihub.demo"
    label = "demo"
    verbose_name = _("示例数据")
