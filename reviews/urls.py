from django.urls import URLPattern, path  # noqa: F401

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = []
