from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import include, path
from django.utils.translation import gettext as _
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


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What Django refuses before a view runs (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, over
    DATA_UPLOAD_MAX_NUMBER_FIELDS parameters, a host not allowed): on the API, in its one
    error shape."""
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("The request body is larger than the %(size)s this API takes.") % {
            "size": filesizeformat(limit)
        }
        return JsonResponse(error_body(413, "too_large", message), status=413)
    if isinstance(exception, TooManyFieldsSent):
        message = _("The request has more than %(n)s parameters.") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return JsonResponse(error_body(400, "too_many_fields", message), status=400)
    return JsonResponse(error_body(400, "bad_request", _("Bad request.")), status=400)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(404, "not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(500, "server_error", "Server error."), status=500)
    return defaults.server_error(request)
