"""The /api/v1/ router: every app registers its endpoints here."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from crm.api import (
    ActivityViewSet,
    CampaignViewSet,
    ChannelViewSet,
    CompanyViewSet,
    DealViewSet,
    ImportJobViewSet,
    LeadViewSet,
)
from funnel.api import AssumptionsView, FunnelCalculateView, PlanViewSet
from kpis.api import KpiView
from objectives.api import ObjectiveViewSet
from orgs.api import MemberViewSet, MeView
from personas.api import DiscoveryView, PersonaSettingsView, PersonaViewSet
from reviews.api.drift import DriftListView, DriftSettingsView
from reviews.api.notifications import (
    NotificationListView,
    NotificationReadAllView,
    NotificationReadView,
    PreferencesView,
)
from reviews.api.pack import ReviewDecisionViewSet, ReviewPackView
from reviews.api.pulse import (
    PulseAnswerView,
    PulseCadenceView,
    PulseDetailView,
    PulseOpenView,
    PulseView,
)
from reviews.api.webhooks import WebhookEndpointViewSet
from sla.api import (
    AgreementViewSet,
    BreachListView,
    CalendarView,
    ComplianceView,
    LeadAcceptView,
    LeadRejectView,
    LeadSlaView,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("members", MemberViewSet, basename="member")
router.register("channels", ChannelViewSet, basename="channel")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("companies", CompanyViewSet, basename="company")
router.register("leads", LeadViewSet, basename="lead")
router.register("deals", DealViewSet, basename="deal")
router.register("activities", ActivityViewSet, basename="activity")
router.register("imports", ImportJobViewSet, basename="import")
router.register("plans", PlanViewSet, basename="plan")
router.register("personas", PersonaViewSet, basename="persona")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("sla/agreements", AgreementViewSet, basename="sla-agreement")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("reviews/decisions", ReviewDecisionViewSet, basename="review-decision")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("funnel/calculate/", FunnelCalculateView.as_view(), name="api-funnel-calculate"),
    path("funnel/assumptions/", AssumptionsView.as_view(), name="api-funnel-assumptions"),
    path("kpis/", KpiView.as_view(), name="api-kpis"),
    # Before the router's personas/{id}/, which would take "discovery" for an id.
    path("personas/discovery/", DiscoveryView.as_view(), name="api-personas-discovery"),
    path("personas/settings/", PersonaSettingsView.as_view(), name="api-personas-settings"),
    path("sla/calendar/", CalendarView.as_view(), name="api-sla-calendar"),
    path("sla/compliance/", ComplianceView.as_view(), name="api-sla-compliance"),
    path("sla/breaches/", BreachListView.as_view(), name="api-sla-breaches"),
    # A lead's SLA clock and sales' decision on it (the sla app's, on the CRM's leads).
    path("leads/<int:pk>/accept/", LeadAcceptView.as_view(), name="api-lead-accept"),
    path("leads/<int:pk>/reject/", LeadRejectView.as_view(), name="api-lead-reject"),
    path("leads/<int:pk>/sla/", LeadSlaView.as_view(), name="api-lead-sla"),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read-all/", NotificationReadAllView.as_view(),
         name="api-notifications-read-all"),
    path("notifications/preferences/", PreferencesView.as_view(),
         name="api-notifications-preferences"),
    path("notifications/<int:pk>/read/", NotificationReadView.as_view(),
         name="api-notification-read"),
    path("pulse/", PulseView.as_view(), name="api-pulse"),
    path("pulse/<int:pk>/", PulseDetailView.as_view(), name="api-pulse-detail"),
    path("pulse/answers/", PulseAnswerView.as_view(), name="api-pulse-answers"),
    path("pulse/open/", PulseOpenView.as_view(), name="api-pulse-open"),
    path("pulse/cadence/", PulseCadenceView.as_view(), name="api-pulse-cadence"),
    # A month's review pack: YYYY-MM, never taken for the decisions' prefix.
    re_path(
        r"^reviews/(?P<month>[0-9]{4}-[0-9]{2})/$", ReviewPackView.as_view(), name="api-review-pack"
    ),
    path("drift/", DriftListView.as_view(), name="api-drift"),
    path("drift/settings/", DriftSettingsView.as_view(), name="api-drift-settings"),
    *router.urls,
]  # fmt: skip
