from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from .api import api, not_found

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
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
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
