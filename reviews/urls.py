from django.urls import URLPattern, path

from reviews import notification_views, pulse_views, webhook_views

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = [
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/badge/", notification_views.notification_badge,
         name="notification-badge"),
    path("notifications/read-all/", notification_views.notification_read_all,
         name="notification-read-all"),
    path("notifications/preferences/", notification_views.preferences_page,
         name="notification-preferences"),
    path("notifications/digest/", notification_views.digest_preview, name="digest-preview"),
    path("notifications/<int:pk>/", notification_views.notification_open,
         name="notification-open"),
    path("notifications/<int:pk>/read/", notification_views.notification_mark_read,
         name="notification-read"),
    path("reviews/pulse/", pulse_views.pulse_page, name="pulse-page"),
    path("reviews/pulse/open/", pulse_views.pulse_open_view, name="pulse-open"),
    path("reviews/pulse/cadence/", pulse_views.pulse_cadence_view, name="pulse-cadence"),
    path("reviews/pulse/<int:pk>/", pulse_views.pulse_detail, name="pulse-detail"),
    path("reviews/pulse/<int:pk>/answer/", pulse_views.pulse_answer_view, name="pulse-answer"),
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.webhook_endpoint, name="webhook-endpoint"),
    path("webhooks/<int:pk>/test/", webhook_views.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/enable/", webhook_views.webhook_enable, name="webhook-enable"),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
         webhook_views.webhook_resend, name="webhook-resend"),
]  # fmt: skip
