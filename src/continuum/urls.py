from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from continuum.core import openapi, routes, signin
from continuum.core import views as core_views

# Importing the module registers the API's authentication schemes with drf-spectacular.
__all__ = ["openapi", "urlpatterns"]

# The Swagger UI page starts itself with an inline script and style; they carry the nonce of
# the request (see templates/drf_spectacular/swagger_ui.html), on this page only.
api_docs = csp_update({"script-src": [NONCE], "style-src": [NONCE]})(
    SpectacularSwaggerView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", login_not_required(signin.LoginView.as_view()), name="login"),
    path("login/verify/", signin.verify, name="signin-verify"),
    path("login/enrol/", signin.enrol, name="signin-enrol"),
    path("logout/", signin.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The admin site signs in and out through the pages above (second factor, audit log).
    path("admin/login/", signin.admin_login, name="admin-login"),
    path("admin/logout/", signin.LogoutView.as_view(), name="admin-logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("continuum.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("access/", include("continuum.access.urls")),
    path("audit/", include("continuum.audit.urls")),
    # Each installed stage's pages, as it registered them (see continuum.core.routes).
    *routes.page_patterns(),
    path("", include("continuum.core.urls")),
]
