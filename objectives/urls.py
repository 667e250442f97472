from django.urls import URLPattern, path

from objectives import views

urlpatterns: list[URLPattern] = [
    path("", views.objective_list, name="objective-list"),
]
