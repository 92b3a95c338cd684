"""Notification routes, mounted at /api/v1/notifications: the caller's own inbox only (another user's
notification is a 404, like one that does not exist)."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, Pages
from nqihub.core.bounds import Id

from . import selectors, services
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    event: str
    event_label: str
    title: str
    body: str
    url: str
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="true：只列未读；false：只列已读；不填：全部")


class ReadAllOut(Schema):
    marked: int = Field(..., description="本次标为已读的条数")
    unread: int


@router.get(
    "", response={200: list[NotificationOut], **READ_ERRORS}, summary="My notifications (newest first)"
)
@paginate(Pages)
def list_notifications(request, filters: Query[NotificationFilter]):
    return selectors.notification_list(fetched_by=request.user, unread=filters.unread)


@router.post("/read-all", response={200: ReadAllOut, **READ_ERRORS}, summary="Mark all my notifications read")
def mark_all_read(request):
    marked = services.notification_mark_all_read(by=request.user)
    return {"marked": marked, "unread": selectors.unread_count(fetched_by=request.user)}


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **DETAIL_ERRORS}, summary="Mark one read"
)
def mark_read(request, notification_id: Id):
    try:
        return services.notification_mark_read(notification_id=notification_id, by=request.user)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
