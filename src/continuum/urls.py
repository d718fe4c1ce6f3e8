from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from continuum.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", login_not_required(core_views.LoginView.as_view()), name="login"),
    path("logout/", core_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("continuum.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("access/", include("continuum.access.urls")),
    path("audit/", include("continuum.audit.urls")),
    path("", include("continuum.core.urls")),
]
