"""The /api/v1/ router: every app registers its endpoints here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from orgs.api import MemberViewSet, MeView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("members", MemberViewSet, basename="member")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
