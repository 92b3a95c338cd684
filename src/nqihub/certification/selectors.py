"""Scoped reads of the certificate registry: every function takes the acting user first."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from nqihub.core.scoping import visible
from nqihub.core.selectors import filter_given
from nqihub.directory.models import Enterprise

from .models import ACTIVE_STATUSES, CccCatalogueVersion, CccProduct, Certificate, SurveillanceAudit


def certificate_list(
    *,
    fetched_by,
    enterprise: Enterprise | int | None = None,
    type: str | None = None,
    status: str | None = None,
    expiring_within_days: int | None = None,
    q: str = "",
    today: date | None = None,
) -> QuerySet:
    """``expiring_within_days=N``: active (valid or suspended) certificates whose expiry date falls between
    today and today + N days, inclusive."""
    qs = Certificate.objects.filter(visible(fetched_by, Certificate)).select_related("enterprise", "body")
    if enterprise is not None:
        qs = qs.filter(enterprise_id=getattr(enterprise, "pk", enterprise))
    qs = filter_given(qs, type=type, status=status)
    if expiring_within_days is not None:
        today = today or timezone.localdate()
        qs = qs.filter(
            status__in=ACTIVE_STATUSES,
            expiry_date__gte=today,
            expiry_date__lte=today + timedelta(days=expiring_within_days),
        )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(body_name__icontains=q)
            | Q(product__icontains=q)
        )
    return qs


def certificate_get(*, fetched_by, pk) -> Certificate:
    """Raises Certificate.DoesNotExist outside the user's scope (the caller answers 404)."""
    return (
        Certificate.objects.filter(visible(fetched_by, Certificate))
        .select_related("enterprise", "body", "region")
        .get(pk=pk)
    )


def surveillance_get(*, fetched_by, certificate: Certificate, pk) -> SurveillanceAudit:
    return SurveillanceAudit.objects.select_related("certificate__enterprise", "certificate__body").get(
        pk=pk, certificate=certificate
    )


def enterprise_get(*, fetched_by, pk) -> Enterprise:
    """The enterprise whose certificate page the user opens (the directory's scoping rule)."""
    return (
        Enterprise.objects.filter(visible(fetched_by, Enterprise))
        .select_related("region", "industry")
        .get(pk=pk)
    )


# --- the CCC catalogue (reference data: every signed-in user reads it) ---------------------------------


def current_version() -> CccCatalogueVersion | None:
    return CccCatalogueVersion.objects.filter(is_current=True).first()


def catalogue_versions() -> QuerySet:
    return CccCatalogueVersion.objects.all()


def catalogue_products(*, version: CccCatalogueVersion, q: str = "", category: str = "") -> QuerySet:
    qs = CccProduct.objects.filter(version=version)
    if category:
        qs = qs.filter(category=category)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(category__icontains=q) | Q(code__icontains=q))
    return qs


def catalogue_categories(*, version: CccCatalogueVersion) -> list[str]:
    seen: dict[str, None] = {}
    for name in (
        CccProduct.objects.filter(version=version).order_by("seq", "id").values_list("category", flat=True)
    ):
        seen.setdefault(name, None)
    return list(seen)
