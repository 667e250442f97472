from django.urls import path

from dashboards import views

urlpatterns = [
    path("metrics/", views.metric_dictionary, name="metric-dictionary"),
    path("<slug:name>/", views.dashboard, name="dashboard"),
]
