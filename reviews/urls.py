from django.urls import URLPattern, path, re_path

from reviews.views import drift, notifications, pulse, webhooks
from reviews.views.decisions import (
    decision_add,
    decision_delete_view,
    decision_done_view,
    decision_edit_view,
)
from reviews.views.pack import review_latest, review_pack_export, review_pack_page

MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = [
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/badge/", notifications.notification_badge, name="notification-badge"),
    path("notifications/read-all/", notifications.notification_read_all,
         name="notification-read-all"),
    path("notifications/preferences/", notifications.preferences_page,
         name="notification-preferences"),
    path("notifications/digest/", notifications.digest_preview, name="digest-preview"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", notifications.notification_mark_read,
         name="notification-read"),
    path("reviews/pulse/", pulse.pulse_page, name="pulse-page"),
    path("reviews/pulse/open/", pulse.pulse_open_view, name="pulse-open"),
    path("reviews/pulse/cadence/", pulse.pulse_cadence_view, name="pulse-cadence"),
    path("reviews/pulse/<int:pk>/", pulse.pulse_detail, name="pulse-detail"),
    path("reviews/pulse/<int:pk>/answer/", pulse.pulse_answer_view, name="pulse-answer"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_endpoint, name="webhook-endpoint"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/enable/", webhooks.webhook_enable, name="webhook-enable"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/", webhooks.webhook_resend,
         name="webhook-resend"),
    path("reviews/drift/", drift.drift_page, name="drift"),
    # The monthly review pack, its workbook, and the decisions the managers keep on it.
    path("reviews/", review_latest, name="review-latest"),
    re_path(rf"^reviews/{MONTH}/$", review_pack_page, name="review-pack"),
    re_path(rf"^reviews/{MONTH}/export\.xlsx$", review_pack_export, name="review-pack-export"),
    re_path(rf"^reviews/{MONTH}/decisions/$", decision_add, name="review-decision-add"),
    path("reviews/decisions/<int:pk>/edit/", decision_edit_view, name="review-decision-edit"),
    path("reviews/decisions/<int:pk>/done/", decision_done_view, name="review-decision-done"),
    path("reviews/decisions/<int:pk>/delete/", decision_delete_view,
         name="review-decision-delete"),
]  # fmt: skip
