from django.urls import URLPattern

# The personas' own pages (personas.views.pages).
pages_urls: list[URLPattern] = []

# Discovery from the sales history (personas.views.discovery).
discovery_urls: list[URLPattern] = []

urlpatterns = [*pages_urls, *discovery_urls]
