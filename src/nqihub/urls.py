from django.contrib import admin
from django.urls import include, path, re_path

from .api import api, not_found
from .core import health
from .core.views_imports import import_status

# Uploaded files have no route here, in DEBUG or not: they are private and served only by the scoped view of
# the record they belong to (core.files).
urlpatterns = [
    # Answered by core.health.HealthCheckMiddleware before any other middleware; named here for reverse().
    path("healthz", health.healthz_view, name="healthz"),
    path("readyz", health.readyz_view, name="readyz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("imports/<str:job_id>/", import_status, name="import-status"),
    path("accounts/", include("nqihub.accounts.urls")),
    path("directory/", include("nqihub.directory.urls")),
    path("standards/", include("nqihub.standards.urls")),
    path("desk/", include("nqihub.desk.urls")),
    path("notifications/", include("nqihub.notifications.urls")),
    path("metrology/", include("nqihub.metrology.urls")),
    path("certification/", include("nqihub.certification.urls")),
    path("cases/", include("nqihub.cases.urls")),
    path("testing/", include("nqihub.testing.urls")),
    path("cooperatives/", include("nqihub.cooperatives.urls")),
    path("labels/", include("nqihub.labels.urls")),
    path("stats/", include("nqihub.stats.urls")),
    path("drafting/", include("nqihub.drafting.urls")),
    path("", include("nqihub.web.urls")),
]
