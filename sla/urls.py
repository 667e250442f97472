from django.urls import URLPattern, path

from sla import compliance_views, queue_views, views

urlpatterns: list[URLPattern] = [
    path("", views.agreement_list, name="sla-agreements"),
    path("calendar/", views.calendar_page, name="sla-calendar"),
    path("queue/", queue_views.queue_page, name="sla-queue"),
    path("queue/decide/", queue_views.queue_decide, name="sla-queue-decide"),
    path("compliance/", compliance_views.compliance_page, name="sla-compliance"),
    path("breaches/", compliance_views.breach_list, name="sla-breaches"),
    path("<int:pk>/", views.agreement_detail, name="sla-agreement"),
    path("<int:pk>/sign/", views.agreement_sign_view, name="sla-sign"),
    path("<int:pk>/edit/", views.agreement_edit_view, name="sla-edit"),
    path("<int:pk>/amend/", views.agreement_amend_view, name="sla-amend"),
]
