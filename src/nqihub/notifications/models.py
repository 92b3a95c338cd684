"""In-app notifications (one row per recipient and event) and each user's choice of channels.

A ``Notification`` row is written for every recipient with at least one channel on, even when the inbox is
off: it is also the record that the e-mail / SMS went out (``emailed_at`` / ``texted_at``), which makes the
sending tasks safe to run twice. The inbox shows only rows with ``via_inbox``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core.crypto import EncryptedCharField, mask_phone

from .events import DEFAULT_EVENT, label_of


class EmailStatus(models.TextChoices):
    PENDING = "", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class SmsStatus(models.TextChoices):
    PENDING = "", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    #: The console backend: written to the log, never sent to anyone.
    LOGGED = "logged", _("仅记录日志（未发送）")
    FAILED = "failed", _("发送失败")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("事件"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    #: What the recipient is asked to do about the object ("rate", "signoff" …; ``events.ACTIONS``): the
    #: service that does it marks the notification read (``services.notification_action_done``).
    action = models.CharField(_("待办操作"), max_length=32, blank=True, default="")
    #: Events folded into this inbox row: one unread row per object and recipient (``services.deliver``).
    count = models.PositiveIntegerField(_("事件数"), default=1)
    #: Waiting for the recipient's daily digest e-mail (instead of one e-mail per event), and when it went.
    in_digest = models.BooleanField(_("纳入每日摘要"), default=False)
    digested_at = models.DateTimeField(_("摘要发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    via_inbox = models.BooleanField(_("站内"), default=True)
    via_email = models.BooleanField(_("邮件"), default=False)
    via_sms = models.BooleanField(_("短信"), default=False)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    texted_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    email_status = models.CharField(
        _("邮件状态"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING, blank=True
    )
    email_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)
    email_error = models.TextField(_("邮件错误"), blank=True)
    sms_status = models.CharField(
        _("短信状态"), max_length=8, choices=SmsStatus.choices, default=SmsStatus.PENDING, blank=True
    )
    sms_attempts = models.PositiveSmallIntegerField(_("短信尝试次数"), default=0)
    sms_error = models.TextField(_("短信错误"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "via_inbox", "-created_at"], name="notif_inbox_idx"),
            models.Index(
                fields=["recipient"],
                name="notif_unread_idx",
                condition=Q(read_at__isnull=True, via_inbox=True),
            ),
            models.Index(fields=["object_type", "object_id"], name="notif_object_idx"),
            models.Index(
                fields=["recipient", "created_at"],
                name="notif_digest_idx",
                condition=Q(in_digest=True, digested_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def event_label(self) -> str:
        return label_of(self.event)


class NotificationPreference(models.Model):
    """A user's channels for one event, or for every event without its own row (``event == "*"``).
    Without any row: inbox and e-mail on, SMS off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("事件"), max_length=64, help_text=_("“*” 表示默认设置"))
    inbox = models.BooleanField(_("站内"), default=True)
    email = models.BooleanField(_("邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="uniq_notification_preference")]

    def __str__(self) -> str:
        event = _("默认") if self.event == DEFAULT_EVENT else label_of(self.event)
        return f"{self.user} · {event}"


class DigestSetting(models.Model):
    """A user's choice of one e-mail a day (每日摘要) instead of one e-mail per event. The digest lists the
    day's notifications that would have been e-mailed; ``sent_on`` makes the daily task safe to run twice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_digest",
    )
    daily = models.BooleanField(_("每日摘要"), default=False)
    sent_on = models.DateField(_("最近发送日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("每日摘要设置")
        verbose_name_plural = _("每日摘要设置")

    def __str__(self) -> str:
        return f"{self.user} · {self.daily}"


class MobilePhone(models.Model):
    """A user's mobile number for SMS notifications, encrypted at rest. SMS go only to a verified number:
    a code sent to it and typed back (``services.mobile_set`` / ``mobile_verify``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="mobile_phone",
    )
    number = EncryptedCharField(_("手机号"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(_("验证码发送时间"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("手机号")
        verbose_name_plural = _("手机号")

    def __str__(self) -> str:
        return f"{self.user} · {self.masked}"

    @property
    def masked(self) -> str:
        return mask_phone(self.number)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
