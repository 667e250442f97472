from django.urls import URLPattern, path

from objectives import views

urlpatterns: list[URLPattern] = [
    path("", views.objective_list, name="objective-list"),
    path("export.<str:fmt>", views.objective_export, name="objective-export"),
    path("new/", views.objective_edit, name="objective-new"),
    path("check/", views.objective_check_view, name="objective-check"),
    path("from-plan/", views.objective_from_plan, name="objective-from-plan"),
    path("<int:pk>/", views.objective_detail, name="objective-detail"),
    path("<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("<int:pk>/split/", views.objective_split_view, name="objective-split"),
    path("<int:pk>/delete/", views.objective_delete_view, name="objective-delete"),
]
