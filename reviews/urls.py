from django.urls import URLPattern, path

from reviews.views import drift

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = [
    path("reviews/drift/", drift.drift_page, name="drift"),
]
