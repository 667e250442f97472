from django.urls import URLPattern, path, re_path

from reviews.views.decisions import (
    decision_add,
    decision_delete_view,
    decision_done_view,
    decision_edit_view,
)
from reviews.views.pack import review_latest, review_pack_export, review_pack_page

MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = []

# The monthly review pack, its workbook, and the decisions the managers keep on it.
urlpatterns += [
    path("reviews/", review_latest, name="review-latest"),
    re_path(rf"^reviews/{MONTH}/$", review_pack_page, name="review-pack"),
    re_path(rf"^reviews/{MONTH}/export\.xlsx$", review_pack_export, name="review-pack-export"),
    re_path(rf"^reviews/{MONTH}/decisions/$", decision_add, name="review-decision-add"),
    path("reviews/decisions/<int:pk>/edit/", decision_edit_view, name="review-decision-edit"),
    path("reviews/decisions/<int:pk>/done/", decision_done_view, name="review-decision-done"),
    path("reviews/decisions/<int:pk>/delete/", decision_delete_view, name="review-decision-delete"),
]
