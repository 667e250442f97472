from django.urls import URLPattern, path

from personas.views import discovery, pages

# The personas' own pages (personas.views.pages).
pages_urls: list[URLPattern] = [
    path("", pages.persona_list, name="persona-list"),
    path("new/", pages.persona_edit, name="persona-new"),
    path("<int:pk>/", pages.persona_detail, name="persona-detail"),
    path("<int:pk>/edit/", pages.persona_edit, name="persona-edit"),
    path("<int:pk>/versions/<int:number>/", pages.persona_version, name="persona-version"),
    path("<int:pk>/approve/", pages.persona_approve_side, name="persona-approve"),
    path("<int:pk>/archive/", pages.persona_archive_view, name="persona-archive"),
    path("settings/", pages.persona_settings_change, name="persona-settings"),
]

# Discovery from the sales history (personas.views.discovery).
discovery_urls: list[URLPattern] = [
    path("discovery/", discovery.discovery, name="persona-discovery"),
    path("discovery/propose/", discovery.discovery_propose, name="persona-propose"),
]

urlpatterns = [*pages_urls, *discovery_urls]
