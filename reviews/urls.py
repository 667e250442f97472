from django.urls import URLPattern, path

from reviews import pulse_views

# The app's pages, each under its own prefix: notifications/, webhooks/, reviews/...
urlpatterns: list[URLPattern] = [
    path("reviews/pulse/", pulse_views.pulse_page, name="pulse-page"),
    path("reviews/pulse/open/", pulse_views.pulse_open_view, name="pulse-open"),
    path("reviews/pulse/cadence/", pulse_views.pulse_cadence_view, name="pulse-cadence"),
    path("reviews/pulse/<int:pk>/", pulse_views.pulse_detail, name="pulse-detail"),
    path("reviews/pulse/<int:pk>/answer/", pulse_views.pulse_answer_view, name="pulse-answer"),
]
