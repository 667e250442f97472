from django.urls import URLPattern, path

from reviews import webhook_views

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = [
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.webhook_endpoint, name="webhook-endpoint"),
    path("webhooks/<int:pk>/test/", webhook_views.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/enable/", webhook_views.webhook_enable, name="webhook-enable"),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook-delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        webhook_views.webhook_resend,
        name="webhook-resend",
    ),
]
