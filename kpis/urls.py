from django.urls import path

from kpis import views

urlpatterns = [
    path("metrics/", views.metric_dictionary, name="metric-dictionary"),
]
