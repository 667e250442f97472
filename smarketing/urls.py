from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboards.views import home
from orgs.forms import SignInForm
from smarketing.health import healthz
from smarketing.lib.api_conventions import error_body

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("smarketing.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script from its own URL, not inline (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("crm/", include("crm.urls")),
    path("personas/", include("personas.urls")),
    path("plans/", include("funnel.urls")),
    path("objectives/", include("objectives.urls")),
    path("sla/", include("sla.urls")),
    path("", include("reviews.urls")),
    # The metric dictionary sits beside the dashboards it explains; first, as "metrics" would
    # otherwise be taken for a dashboard's name.
    path("dashboards/", include("kpis.urls")),
    path("dashboards/", include("dashboards.urls")),
    # Each role's home is an overview of the plan, composed by the dashboards app (orgs, below
    # every domain app, cannot read plans or facts).
    path("", home, name="home"),
    path("", include("orgs.urls")),
]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(404, "not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(500, "server_error", "Server error."), status=500)
    return defaults.server_error(request)
