from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_triggers(sender, using="default", **kwargs):
    from django.db import connections

    from .search import ensure_fts_triggers

    ensure_fts_triggers(connections[using])


class StandardsConfig(AppConfig):
    name = "nqihub.standards"
    label = "standards"
    verbose_name = _("标准")

    def ready(self):
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="standards_fts_triggers")
