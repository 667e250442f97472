from django.urls import path

from orgs import views

urlpatterns = [
    path("welcome/", views.no_organization, name="no-organization"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/switch/", views.organization_switch, name="organization-switch"),
    path("organizations/<slug:slug>/go/", views.organization_go, name="organization-go"),
    path("organization/", views.organization_settings, name="organization-settings"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_role, name="member-role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("invitations/", views.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
