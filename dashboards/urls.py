from django.urls import path

from dashboards import views

urlpatterns = [
    path("<slug:name>/", views.dashboard, name="dashboard"),
]
