from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import views_account as account_views
from accounts.forms import LoginForm
from core import health
from core.api_schema import SchemaView, api_index
from declarations import views as declaration_views


def favicon(request):
    """Browsers ask for /favicon.ico on every page (the admin's too): the app's icon, not a 404."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", declaration_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # Operations (docs/operations.md): liveness for anyone; readiness and metrics for the
    # monitoring network or the metrics token only (core/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch: Django's, and a signed-in person's choice kept for their e-mails.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("declarations/", include("declarations.urls")),
    path("anpr/", include("anpr.urls")),
    path("scans/", include("scans.urls")),
    path("reports/", include("reports.urls")),
    path("casework/", include("casework.urls")),
    path("exports/", include("core.urls")),
    path("api/", api_index, name="api-index"),  # before the declarations' API, whose router has no root
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # Swagger UI from the sidecar; its init script is a separate file (CSP), its own CSS needs inline styles.
    path(
        "api/docs/",
        csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("api/anpr/", include("anpr.api_urls")),
    path("api/scans/", include("scans.api_urls")),
    path("api/reports/", include("reports.api_urls")),
    path("api/casework/", include("casework.api_urls")),
    path("api/", include("declarations.api_urls")),
]

# Error pages in the app's layout (and the API's error body under /api/): core/error_pages.py.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
