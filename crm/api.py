"""REST endpoints of CRM records: CRUD with filters, stage moves, and bulk upserts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm.imports.bulk import BulkError, bulk_upsert
from crm.imports.mapping import MappingError, parse_mapping
from crm.imports.reading import FileError
from crm.models import Activity, Campaign, Channel, Company, Deal, ImportJob, Lead
from crm.selectors import records_filtered
from crm.serializers import (
    ActivityQuerySerializer,
    ActivitySerializer,
    BulkResultSerializer,
    CampaignQuerySerializer,
    CampaignSerializer,
    ChannelSerializer,
    CompanyQuerySerializer,
    CompanySerializer,
    DealQuerySerializer,
    DealSerializer,
    ImportJobSerializer,
    ImportStartSerializer,
    LeadQuerySerializer,
    LeadSerializer,
    MergeSerializer,
    RecordQuerySerializer,
    StageChangeSerializer,
    StageMoveSerializer,
)
from crm.services.deals import deal_create, deal_update
from crm.services.deletes import record_delete
from crm.services.import_jobs import import_job_start, import_job_upload
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.merge import leads_merge
from crm.services.records import record_create, record_update
from orgs.api_base import OrgScopedViewSet
from orgs.models import Organization, User
from orgs.permissions import Action, can_import, import_refusal
from smarketing.lib import extensions
from smarketing.lib.api_parsers import BoundedJSONParser

V = TypeVar("V", bound="RecordViewSet")


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
    after is inclusive, before exclusive), and the filters each endpoint lists; each is
    validated by the endpoint's `query_serializer` (see `filtered_by`)."""

    filters: dict[str, str] = {}  # query parameter -> lookup
    kind = ""  # what apps above register extensions for (smarketing/lib/extensions.py)
    query_serializer: type[serializers.Serializer] = RecordQuerySerializer
    search: tuple[str, ...] = ()
    date_field = "created_at"
    related: tuple[str, ...] = ()

    def org(self) -> Organization:
        return self.request.organization  # type: ignore[attr-defined]

    def actor(self) -> User:
        return cast(User, self.request.user)  # RolePermission let only members through

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.related:  # select_related() with no names would follow every non-null link
            queryset = queryset.select_related(*self.related)
        if self.action == "list":  # a detail route ignores the list's filters
            queryset = records_filtered(
                queryset,
                self._query(),
                filters=self.filters,
                search=self.search,
                date_field=self.date_field,
            )
            queryset = extensions.filtered(
                self.kind, self.org(), queryset, self.request.query_params
            )
        return queryset.order_by(*(self.model._meta.ordering or []), "-pk")

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # Records read (a page, or one) carry what extensions add to them, read at once.
        if args and self.kind and extensions.extensions(self.kind):
            records = args[0] if kwargs.get("many") else [args[0]]
            ids = [r.pk for r in records if r is not None]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["extended"] = extensions.extended_values(self.kind, self.org(), ids)
        return super().get_serializer(*args, **kwargs)

    def _query(self) -> dict[str, Any]:
        # An empty parameter (?company=) is no filter, as a form sends it.
        given = {k: v for k, v in self.request.query_params.items() if v != ""}
        query = self.query_serializer(data=given)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = record_create(
            self.model, organization=self.org(), **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = record_update(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Any) -> None:
        record_delete(instance)

    def _bulk(self, request: Request, kind: str) -> Response:
        try:
            result = bulk_upsert(
                organization=self.org(), kind=kind, rows=cast(list[dict[str, Any]], request.data)
            )
        except BulkError as error:
            raise exceptions.ValidationError(
                error.fields or {"non_field_errors": [str(error)]}
            ) from error
        return Response(result, status=status.HTTP_200_OK)


def filtered_by(query: type[serializers.Serializer]) -> Callable[[type[V]], type[V]]:
    """The list's query parameters: validated by `query`, and so documented in the schema."""

    def decorate(viewset: type[V]) -> type[V]:
        viewset.query_serializer = query
        return extend_schema_view(list=extend_schema(parameters=[query]))(viewset)

    return decorate


BULK = extend_schema(
    request=OpenApiTypes.OBJECT,
    responses=BulkResultSerializer,
    description=(
        "Create or update up to 1000 records, matched by external_id. The same batch sent twice "
        "creates nothing new. Rejected records are listed with their index, field and reason."
    ),
)


@filtered_by(RecordQuerySerializer)
class ChannelViewSet(RecordViewSet):
    model = Channel
    serializer_class = ChannelSerializer
    write_action = Action.EDIT_CAMPAIGNS
    search = ("code", "name")
    date_field = "id"


@filtered_by(CampaignQuerySerializer)
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


@filtered_by(CompanyQuerySerializer)
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


@filtered_by(LeadQuerySerializer)
class LeadViewSet(RecordViewSet):
    """Leads, each with its best `fit` to the approved buyer personas (null until measured):
    filter with `?persona=<id>&fit_min=<0-100>`."""

    kind = "leads"
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
        """Every stage the lead has been in, oldest first: from, to, when, by whom, how.
        Paginated like every list."""
        changes = self.get_object().stage_changes.order_by("at", "pk")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(StageChangeSerializer(page, many=True).data)

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


@filtered_by(DealQuerySerializer)
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

    def get_queryset(self) -> QuerySet[Any]:
        deals = super().get_queryset()
        if self.action in ("update", "partial_update"):
            # Found (or 404) as deal_update reads it: locked, with its lead, in the update's
            # transaction (below), which takes it as read instead of reading it again.
            return deals.select_for_update(of=("self",)).select_related("lead")
        return deals

    @transaction.atomic
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = deal_create(
            organization=self.org(),
            by=self.actor(),
            **serializer.validated_data,
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = deal_update(
            deal=serializer.instance, by=self.actor(), read_locked=True, **serializer.validated_data
        )

    @BULK
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return self._bulk(request, "deals")


@filtered_by(ActivityQuerySerializer)
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
        role = request.membership.role  # type: ignore[attr-defined]
        if not can_import(role, mapping.kind):
            raise exceptions.PermissionDenied(import_refusal(mapping.kind))
        try:
            job = import_job_upload(
                organization=self.request.organization,  # type: ignore[attr-defined]
                by=cast(User, request.user),
                upload=start.validated_data["file"],
                mapping=mapping,
            )
        except FileError as error:
            raise exceptions.ValidationError({"file": [str(error)]}) from error
        except MappingError as error:
            raise exceptions.ValidationError({"mapping": error.problems}) from error
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
