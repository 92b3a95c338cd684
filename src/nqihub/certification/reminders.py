"""The daily reminder sweep: ``sweep(today=None) -> dict``. ``manage.py send_reminders`` and the Celery task
``certification.send_reminders`` both call it.

What it does, per certificate, each in its own transaction:

- marks active (valid or suspended) certificates whose expiry date has passed as expired, with a status
  change record (by: the system);
- expiry reminders for every certificate type at 90 days (``expiry_90``) and 30 days (``expiry_30``) before
  the expiry date and on/after it (``expiry_0``); for CCC certificates the 90-day reminder is the renewal
  window (apply to renew within 90 days before expiry, DOMAIN.md C.3). Only the most urgent band due is
  sent, so a certificate registered 20 days before expiry gets the 30-day reminder, not both;
- surveillance reminders 30 days before a planned audit not yet done (``surveillance_30``) and on/after its
  date (``surveillance_0``).

Idempotent: a ``CertificateReminder(certificate, kind, due_date)`` row (unique) is written in the same
transaction that queues the notification (``notify`` sends on commit), so a second run on the same day — or
a run after a restart mid-sweep — skips what was already sent and does the rest. A certificate that fails
is rolled back alone and retried on the next run.
"""

import logging
from collections import Counter
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.models import Membership
from nqihub.notifications.services import notify

from . import services
from .models import (
    ACTIVE_STATUSES,
    Certificate,
    CertificateReminder,
    CertificateType,
    SurveillanceAudit,
)

logger = logging.getLogger(__name__)

EVENT = "certification.reminder"
Kind = CertificateReminder.Kind
EXPIRY_LEAD_DAYS = ((Kind.EXPIRY_30, 30), (Kind.EXPIRY_90, 90))
SURVEILLANCE_LEAD_DAYS = 30
CHUNK = 500


def expiry_kind(expiry_date: date, today: date) -> str | None:
    days = (expiry_date - today).days
    if days <= 0:
        return Kind.EXPIRY_0
    for kind, lead in EXPIRY_LEAD_DAYS:
        if days <= lead:
            return kind
    return None


def surveillance_kind(due_date: date, today: date) -> str | None:
    days = (due_date - today).days
    if days <= 0:
        return Kind.SURVEILLANCE_0
    if days <= SURVEILLANCE_LEAD_DAYS:
        return Kind.SURVEILLANCE_30
    return None


def _recipients(certificate: Certificate) -> list[int]:
    return list(
        Membership.objects.filter(organisation_id=certificate.enterprise.organisation_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _expiry_message(certificate: Certificate, kind: str, today: date) -> tuple[str, str]:
    label = certificate.get_type_display()
    values = {
        "type": label,
        "number": certificate.number,
        "date": certificate.expiry_date.isoformat(),
        "enterprise": certificate.enterprise.name,
    }
    if kind == Kind.EXPIRY_0:
        if certificate.expiry_date < today:
            title = _("%(type)s证书 %(number)s 已于 %(date)s 过期") % values
        else:
            title = _("%(type)s证书 %(number)s 今日（%(date)s）到期") % values
        body = (
            _("%(enterprise)s 的证书已到期，不能再以该证书证明产品/体系符合要求。如需继续，请重新申请认证。")
            % values
        )
        return title, body
    values["days"] = (certificate.expiry_date - today).days
    title = _("%(type)s证书 %(number)s 将于 %(date)s 到期（还有 %(days)d 天）") % values
    if certificate.type == CertificateType.CCC:
        body = _("CCC证书有效期5年，应在到期前90天内向认证机构申请延续；上次监督检查合格的可直接换发新证。")
    else:
        body = _("请及时联系认证机构安排再认证（换证）审核，以免证书过期。")
    return title, body


def _surveillance_message(item: SurveillanceAudit, kind: str, today: date) -> tuple[str, str]:
    c = item.certificate
    values = {"type": c.get_type_display(), "number": c.number, "date": item.due_date.isoformat()}
    if kind == Kind.SURVEILLANCE_0:
        title = _("%(type)s证书 %(number)s 的监督审核已到计划日期（%(date)s）") % values
    else:
        title = _("%(type)s证书 %(number)s 的监督审核计划于 %(date)s 进行") % values
    body = _("请与认证机构确认监督审核安排；未按期接受监督审核的证书可能被暂停。审核完成后请在平台登记结果。")
    return title, body


def _remind(
    certificate: Certificate, kind: str, due_date: date, today: date, message: tuple[str, str]
) -> bool:
    """Write the reminder row and queue the notification, in the caller's transaction. False when this
    reminder was sent before."""
    if CertificateReminder.objects.filter(certificate=certificate, kind=kind, due_date=due_date).exists():
        return False
    users = _recipients(certificate)
    try:
        with transaction.atomic():
            CertificateReminder.objects.create(
                certificate=certificate, kind=kind, due_date=due_date, sent_on=today, recipients=len(users)
            )
    except IntegrityError:  # another sweep got there first
        return False
    title, body = message
    if users:
        notify(
            users=users,
            event=EVENT,
            title=title,
            body=body,
            url=reverse("certification:certificate-detail", args=[certificate.pk]),
            obj=certificate,
        )
    return True


def _process_expiry(pk: int, today: date, stats: Counter) -> None:
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enterprise")
            .filter(pk=pk)
            .first()
        )
        if certificate is None or certificate.status not in ACTIVE_STATUSES:
            return
        kind = expiry_kind(certificate.expiry_date, today)
        if kind is None:
            return
        if services.certificate_expire(certificate=certificate, today=today) is not None:
            stats["expired"] += 1
        if _remind(
            certificate, kind, certificate.expiry_date, today, _expiry_message(certificate, kind, today)
        ):
            stats[kind] += 1
            stats["sent"] += 1


def _process_surveillance(pk: int, today: date, stats: Counter) -> None:
    with transaction.atomic():
        item = SurveillanceAudit.objects.select_related("certificate__enterprise").filter(pk=pk).first()
        if item is None or item.done_date is not None:
            return
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enterprise")
            .get(pk=item.certificate_id)
        )
        item.certificate = certificate
        if certificate.status not in ACTIVE_STATUSES:
            return
        kind = surveillance_kind(item.due_date, today)
        if kind is None:
            return
        if _remind(certificate, kind, item.due_date, today, _surveillance_message(item, kind, today)):
            stats[kind] += 1
            stats["sent"] += 1


def _run(pks, process, today: date, stats: Counter) -> None:
    for pk in pks:
        try:
            process(pk, today, stats)
        except Exception:  # one bad certificate must not stop the sweep; it is retried next run
            logger.exception("certificate reminder failed for %s", pk)
            stats["failed"] += 1


def sweep(today: date | None = None) -> dict:
    """Run the daily sweep for ``today`` (default: the local date). Returns counts: ``expired``, ``sent``,
    one per reminder kind sent, ``failed``."""
    today = today or timezone.localdate()
    stats: Counter = Counter()
    horizon = today + timedelta(days=max(lead for _kind, lead in EXPIRY_LEAD_DAYS))
    already = CertificateReminder.objects.filter(certificate=OuterRef("pk"), due_date=OuterRef("expiry_date"))
    # Past or due today: always looked at (they may still need marking expired); the others only while
    # their band's reminder is not yet written.
    due_now = Certificate.objects.filter(status__in=ACTIVE_STATUSES, expiry_date__lte=today)
    upcoming = Certificate.objects.filter(
        status__in=ACTIVE_STATUSES, expiry_date__gt=today, expiry_date__lte=horizon
    )
    lower = today
    for kind, lead in EXPIRY_LEAD_DAYS:
        band = upcoming.filter(expiry_date__gt=lower, expiry_date__lte=today + timedelta(days=lead)).exclude(
            Exists(already.filter(kind=kind))
        )
        _run(list(band.values_list("pk", flat=True)), _process_expiry, today, stats)
        lower = today + timedelta(days=lead)
    _run(list(due_now.values_list("pk", flat=True)), _process_expiry, today, stats)

    audits = SurveillanceAudit.objects.filter(
        done_date__isnull=True,
        certificate__status__in=ACTIVE_STATUSES,
        due_date__lte=today + timedelta(days=SURVEILLANCE_LEAD_DAYS),
    )
    audit_reminder = CertificateReminder.objects.filter(
        certificate=OuterRef("certificate_id"), due_date=OuterRef("due_date")
    )
    pending = audits.filter(due_date__gt=today).exclude(
        Exists(audit_reminder.filter(kind=Kind.SURVEILLANCE_30))
    )
    overdue = audits.filter(due_date__lte=today).exclude(
        Exists(audit_reminder.filter(kind=Kind.SURVEILLANCE_0))
    )
    for qs in (pending, overdue):
        _run(list(qs.values_list("pk", flat=True)), _process_surveillance, today, stats)
    result = {"date": today.isoformat(), "expired": 0, "sent": 0, "failed": 0}
    result.update({str(k): v for k, v in stats.items()})
    return result
