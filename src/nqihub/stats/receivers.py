"""Keeps the rollups current: every save or delete of a service request applies the difference of its
contribution (``rollups.apply_request``) in the same transaction, so a figure never counts a change that
was rolled back. Bulk ``QuerySet.update``/``bulk_create`` bypass signals: code that writes requests in bulk
(the demo, the bench) calls ``rollups.rebuild`` or ``apply_request`` itself."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from nqihub.desk.models import ServiceRequest

from . import rollups


@receiver(post_save, sender=ServiceRequest, dispatch_uid="stats.request_saved")
def request_saved(sender, instance, raw=False, **kwargs):
    rollups.apply_request(instance)


@receiver(post_delete, sender=ServiceRequest, dispatch_uid="stats.request_deleted")
def request_deleted(sender, instance, **kwargs):
    rollups.remove_request(instance.pk)
