from django.urls import URLPattern, path

from reviews import notification_views

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
]  # fmt: skip
