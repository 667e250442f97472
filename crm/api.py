"""REST endpoints of CRM records: CRUD with filters, stage moves, and bulk upserts."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm.imports.bulk import BulkError, bulk_upsert
from crm.imports.mapping import MappingError, parse_mapping
from crm.imports.reading import FileError, open_table
from crm.models import Activity, Campaign, Channel, Company, Deal, ImportJob, Lead
from crm.serializers import (
    ActivitySerializer,
    BulkResultSerializer,
    CampaignSerializer,
    ChannelSerializer,
    CompanySerializer,
    DealSerializer,
    ImportJobSerializer,
    ImportStartSerializer,
    LeadSerializer,
    MergeSerializer,
    StageChangeSerializer,
    StageMoveSerializer,
)
from crm.services.deals import deal_create, deal_update
from crm.services.import_jobs import import_job_start, import_job_upload
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.merge import leads_merge
from crm.services.records import record_create, record_update
from orgs.api_base import OrgScopedViewSet
from orgs.api_parsers import BoundedJSONParser
from orgs.models import Organization, User
from orgs.permissions import Action


def _moment(name: str, raw: str) -> datetime:
    """A filter's date (YYYY-MM-DD, the day's start) or date-time (ISO 8601)."""
    moment = parse_datetime(raw)
    if moment is None:
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            raise exceptions.ValidationError(
                {name: [f"Enter a date (YYYY-MM-DD) or an ISO 8601 date-time, not {raw!r}."]}
            )
        moment = datetime.combine(day, time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """CRUD over one kind of record of the caller's organisation.

    Filters: `?q=` (search), `?created_after=` and `?created_before=` (a date or date-time;
    after is inclusive, before exclusive), and the filters each endpoint lists."""

    filters: dict[str, str] = {}
    search: tuple[str, ...] = ()
    date_field = "created_at"
    related: tuple[str, ...] = ()

    def org(self) -> Organization:
        return self.request.organization  # type: ignore[attr-defined]

    def actor(self) -> User:
        return cast(User, self.request.user)  # RolePermission let only members through

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset().select_related(*self.related)
        params = self.request.query_params
        for name, lookup in self.filters.items():
            if params.get(name):
                queryset = queryset.filter(**{lookup: params[name]})
        if params.get("created_after"):
            queryset = queryset.filter(
                **{f"{self.date_field}__gte": _moment("created_after", params["created_after"])}
            )
        if params.get("created_before"):
            queryset = queryset.filter(
                **{f"{self.date_field}__lt": _moment("created_before", params["created_before"])}
            )
        if params.get("q") and self.search:
            term = Q()
            for field in self.search:
                term |= Q(**{f"{field}__icontains": params["q"]})
            queryset = queryset.filter(term)
        return queryset.order_by(*(self.model._meta.ordering or []), "-pk")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = record_create(
            self.model, organization=self.org(), **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = record_update(serializer.instance, **serializer.validated_data)

    def _bulk(self, request: Request, kind: str) -> Response:
        try:
            result = bulk_upsert(
                organization=self.org(), kind=kind, rows=cast(list[dict[str, Any]], request.data)
            )
        except BulkError as error:
            raise exceptions.ValidationError({"non_field_errors": [str(error)]}) from error
        return Response(result, status=status.HTTP_200_OK)


DATE_FILTERS = [
    OpenApiParameter(
        "created_after", OpenApiTypes.STR, description="YYYY-MM-DD or ISO 8601; inclusive"
    ),
    OpenApiParameter(
        "created_before", OpenApiTypes.STR, description="YYYY-MM-DD or ISO 8601; exclusive"
    ),
    OpenApiParameter("q", OpenApiTypes.STR, description="search"),
]
BULK = extend_schema(
    request=OpenApiTypes.OBJECT,
    responses=BulkResultSerializer,
    description=(
        "Create or update up to 1000 records, matched by external_id. The same batch sent twice "
        "creates nothing new. Rejected records are listed with their index, field and reason."
    ),
)


class ChannelViewSet(RecordViewSet):
    model = Channel
    serializer_class = ChannelSerializer
    write_action = Action.EDIT_CAMPAIGNS
    search = ("code", "name")
    date_field = "id"


@extend_schema(
    parameters=[
        OpenApiParameter("channel", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR),
        *DATE_FILTERS,
    ]
)
class CampaignViewSet(RecordViewSet):
    model = Campaign
    serializer_class = CampaignSerializer
    write_action = Action.EDIT_CAMPAIGNS
    filters = {"channel": "channel__code", "status": "status"}
    search = ("name", "external_id")
    date_field = "start_date"
    related = ("channel",)

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "campaigns")


class CompanyViewSet(RecordViewSet):
    model = Company
    serializer_class = CompanySerializer
    write_action = Action.EDIT_LEADS
    filters = {"industry": "industry", "country": "country"}
    search = ("name", "external_id")
    date_field = "id"

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "companies")


@extend_schema(
    parameters=[
        OpenApiParameter("channel", OpenApiTypes.STR),
        OpenApiParameter("stage", OpenApiTypes.STR),
        *DATE_FILTERS,
    ]
)
class LeadViewSet(RecordViewSet):
    model = Lead
    serializer_class = LeadSerializer
    write_action = Action.EDIT_LEADS
    filters = {
        "channel": "channel__code",
        "stage": "stage",
        "company": "company_id",
        "campaign": "campaign_id",
        "owner": "owner_id",
    }
    search = ("name", "email", "external_id")
    related = ("channel",)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.setdefault("stage", "lead")
        serializer.instance = lead_create(
            organization=self.org(), by=self.actor(), source="api", **data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = lead_update(
            lead=serializer.instance,
            by=self.actor(),
            source="api",
            **serializer.validated_data,
        )

    @extend_schema(request=StageMoveSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: str | None = None) -> Response:
        """Move the lead to another stage; the move is recorded in its history."""
        lead = self.get_object()
        move = StageMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        lead_change_stage(
            lead=lead,
            to_stage=move.validated_data["stage"],
            by=self.actor(),
            source="api",
            at=move.validated_data.get("at"),
        )
        lead.refresh_from_db()
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="stage-changes")
    def stage_changes(self, request: Request, pk: str | None = None) -> Response:
        """Every stage the lead has been in: from, to, when, by whom, how."""
        return Response(
            StageChangeSerializer(self.get_object().stage_changes.all(), many=True).data
        )

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "leads")

    @extend_schema(request=MergeSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge another lead into this one: its stage history, activities and deals move here."""
        survivor = self.get_object()
        body = MergeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        merged = leads_merge(
            survivor=survivor, duplicate=body.validated_data["duplicate"], by=self.actor()
        )
        return Response(LeadSerializer(merged, context=self.get_serializer_context()).data)


@extend_schema(
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("kind", OpenApiTypes.STR),
        *DATE_FILTERS,
    ]
)
class DealViewSet(RecordViewSet):
    model = Deal
    serializer_class = DealSerializer
    write_action = Action.EDIT_DEALS
    filters = {
        "status": "status",
        "kind": "kind",
        "company": "company_id",
        "lead": "lead_id",
        "owner": "owner_id",
        "channel": "lead__channel__code",
    }
    search = ("name", "external_id", "product")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = deal_create(
            organization=self.org(),
            by=self.actor(),
            **serializer.validated_data,
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = deal_update(
            deal=serializer.instance, by=self.actor(), **serializer.validated_data
        )

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "deals")


@extend_schema(parameters=[OpenApiParameter("kind", OpenApiTypes.STR), *DATE_FILTERS])
class ActivityViewSet(RecordViewSet):
    model = Activity
    serializer_class = ActivitySerializer
    write_action = Action.EDIT_LEADS
    filters = {"kind": "kind", "lead": "lead_id", "deal": "deal_id", "by": "by_id"}
    search = ("outcome", "notes")
    date_field = "at"

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "activities")


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """File imports: POST a file with its mapping (multipart), then follow the job."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    read_action = Action.IMPORT_RECORDS
    write_action = Action.IMPORT_RECORDS
    parser_classes = [MultiPartParser, BoundedJSONParser]

    @extend_schema(
        request={"multipart/form-data": ImportStartSerializer}, responses={202: ImportJobSerializer}
    )
    def create(self, request: Request) -> Response:
        start = ImportStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        try:
            mapping = parse_mapping(start.validated_data["mapping"])
        except MappingError as error:
            raise exceptions.ValidationError({"mapping": error.problems}) from error
        organization = self.request.organization  # type: ignore[attr-defined]
        try:
            job = import_job_upload(
                organization=organization,
                by=cast(User, request.user),
                upload=start.validated_data["file"],
            )
            table = open_table(Path(job.file_path), max_bytes=settings.IMPORT_MAX_BYTES)
        except FileError as error:
            raise exceptions.ValidationError({"file": [str(error)]}) from error
        missing = [c for c in mapping.columns.values() if c not in table.header]
        if missing:
            raise exceptions.ValidationError(
                {"mapping": [f"The file has no column {', '.join(missing)}."]}
            )
        import_job_start(job=job, mapping=mapping)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def rejected(self, request: Request, pk: str | None = None) -> FileResponse:
        """The rejected rows as CSV: line, column, value, reason."""
        job = self.get_object()
        if not job.error_report or not Path(job.error_report).exists():
            raise exceptions.NotFound("This import rejected no rows.")
        return FileResponse(
            Path(job.error_report).open("rb"), as_attachment=True, filename=f"rejected-{job.pk}.csv"
        )
