from django.urls import path

from funnel import views

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_edit, name="plan-new"),
    path("preview/", views.plan_preview, name="plan-preview"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/assumptions/", views.plan_assumptions, name="plan-assumptions"),
    path("<int:pk>/targets.<str:fmt>", views.plan_export, name="plan-export"),
    path("<int:pk>/<str:status>/", views.plan_status, name="plan-status"),
]
