"""Import pages: upload a file, map its columns (suggested, or a preset), watch the job run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from crm.forms import UploadForm
from crm.imports.mapping import (
    FIELDS,
    KIND_NAMES,
    Mapping,
    MappingError,
    no_column_problem,
    parse_mapping,
)
from crm.imports.reading import FileError, Table, open_table
from crm.imports.suggest import suggest_columns, suggest_kind
from crm.imports.value_choices import ValueField, listed_fields, posted_values, value_fields
from crm.imports.values import column_values
from crm.models import ImportJob, ImportPreset
from crm.selectors import import_value_options
from crm.services.import_jobs import import_job_start, import_job_upload, import_preset_save
from orgs.models import Organization
from orgs.permissions import Action, can, can_import, import_refusal
from orgs.tenancy import MemberRequest, member_required

PREVIEW_ROWS = 5
# The dashboard that counts each kind of record (companies have none).
DASHBOARD_OF = {
    "leads": "marketing",
    "campaigns": "marketing",
    "deals": "sales",
    "activities": "sales",
}


@require_http_methods(["GET", "POST"])
@member_required(Action.IMPORT_RECORDS)
def import_upload(request: MemberRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_upload(
                organization=request.organization, by=request.user, upload=form.cleaned_data["file"]
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("crm-import-map", pk=job.pk)
    jobs = ImportJob.objects.for_org(request.organization).select_related("created_by")[:20]
    return render(request, "crm/import_upload.html", {"form": form, "jobs": jobs})


def _preview(table: Table) -> list[list[str]]:
    first = next(table.chunks(table.header, PREVIEW_ROWS), None)
    return [] if first is None else first[table.header].astype(str).values.tolist()


def _value_tables(
    table: Table, document: dict[str, Any], organization: Organization, role: str
) -> list[ValueField]:
    """Each mapped column's distinct values, to map one by one (one read of the file)."""
    listed = listed_fields(document["kind"], document.get("columns") or {})
    counted = column_values(table, list(listed.values()))
    options = dataclasses.replace(
        import_value_options(organization),
        may_create_channels=can(role, Action.EDIT_CAMPAIGNS),
    )
    return value_fields(document, counted, options)


@require_http_methods(["GET", "POST"])
@member_required(Action.IMPORT_RECORDS)
def import_map(request: MemberRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        ImportJob.objects.for_org(request.organization), pk=pk, status=ImportJob.Status.DRAFT
    )
    try:
        table = open_table(Path(job.file_path), max_bytes=settings.IMPORT_MAX_BYTES)
        header, preview = table.header, _preview(table)
    except FileError as error:
        messages.error(request, str(error))
        return redirect("crm-import")
    presets = ImportPreset.objects.for_org(request.organization)
    suggestion = suggest_kind(header)
    kinds = [kind for kind in FIELDS if can_import(request.membership.role, kind)]
    # The suggested kind, where the member may import it; otherwise the first they may.
    default = suggestion.kind if suggestion.kind in kinds else kinds[0]
    kind = request.POST.get("kind") or request.GET.get("kind") or default
    if kind not in kinds:
        if request.method == "POST" and kind in FIELDS:
            raise PermissionDenied(import_refusal(kind, str(KIND_NAMES.get(kind, kind))))
        kind = default
    document = _document(request, kind, header, presets)
    problems: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "start":
        mapping, problems = _checked_mapping(document, header, kinds)
        if mapping is not None:
            _save_preset(request, mapping)
            import_job_start(job=job, mapping=mapping)
            return redirect("crm-import-job", pk=job.pk)
    try:
        value_tables = _value_tables(table, document, request.organization, request.membership.role)
    except FileError as error:
        value_tables, problems = [], [*problems, str(error)]
    context = {
        "value_tables": value_tables,
        "job": job,
        "header": header,
        "preview": preview,
        "kind": kind,
        "suggestion": suggestion,
        "kind_names": KIND_NAMES,
        "kinds": kinds,
        "fields": FIELDS[kind].values(),
        "document": document,
        "problems": problems,
        "presets": presets,
        "advanced_json": _advanced_json(document),
    }
    return render(request, "crm/import_map.html", context)


def _checked_mapping(
    document: dict[str, Any], header: list[str], kinds: list[str]
) -> tuple[Mapping | None, list[str]]:
    """The mapping to start the import with, or the problems to show; PermissionDenied for
    a kind of records the member may not import (a preset may hold one)."""
    try:
        mapping = parse_mapping(document)
    except MappingError as error:
        return None, error.problems
    if mapping.kind not in kinds:
        raise PermissionDenied(import_refusal(mapping.kind))
    problem = no_column_problem(mapping, header)
    if problem:
        return None, [problem]
    return mapping, []


def _document(request: MemberRequest, kind: str, header: list[str], presets: Any) -> dict[str, Any]:
    """The mapping on screen: what was posted, else a preset, else a suggestion from the header."""
    if request.method == "POST" and request.POST.get("kind_changed") != "1":
        columns = {
            f: request.POST[f"column_{f}"] for f in FIELDS[kind] if request.POST.get(f"column_{f}")
        }
        constants = {
            f: request.POST[f"constant_{f}"].strip()
            for f in FIELDS[kind]
            if request.POST.get(f"constant_{f}", "").strip() and f not in columns
        }
        document: dict[str, Any] = {"kind": kind, "columns": columns, "constants": constants}
        extra = request.POST.get("advanced", "").strip()
        if extra:
            try:
                advanced = json.loads(extra)
            except json.JSONDecodeError:
                advanced = {}
            for key in ("values", "date_formats"):
                if isinstance(advanced.get(key), dict):
                    document[key] = advanced[key]
        # The value tables on the page decide their fields' values, over the JSON box.
        listed, reps = posted_values(kind, columns, request.POST)
        document["values"] = {**(document.get("values") or {}), **listed}
        if reps:
            document["new_sales_reps"] = reps
        return document
    preset = presets.filter(pk=request.GET.get("preset") or 0).first()
    if preset is not None:
        return dict(preset.mapping)
    return {"kind": kind, "columns": suggest_columns(kind, header), "constants": {}}


def _advanced_json(document: dict[str, Any]) -> str:
    """What the JSON box shows: date formats, and the values of fields that have no table
    of values on the page (a product renamed, say)."""
    listed = listed_fields(document["kind"], document.get("columns") or {})
    values = {k: v for k, v in (document.get("values") or {}).items() if k not in listed}
    formats = document.get("date_formats") or {}
    if not values and not formats:
        return ""
    return json.dumps({"values": values, "date_formats": formats}, ensure_ascii=False)


def _save_preset(request: MemberRequest, mapping: Mapping) -> None:
    name = request.POST.get("preset_name", "").strip()[:100]
    if not name:
        return
    try:
        import_preset_save(organization=request.organization, name=name, mapping=mapping)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))


@require_GET
@member_required(Action.IMPORT_RECORDS)
def import_job(request: MemberRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.for_org(request.organization), pk=pk)
    template = "crm/_import_progress.html" if request.htmx else "crm/import_job.html"
    return render(
        request,
        template,
        {"job": job, "dashboard": DASHBOARD_OF.get(job.kind), "kind_names": KIND_NAMES},
    )


@require_GET
@member_required(Action.IMPORT_RECORDS)
def import_report(request: MemberRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ImportJob.objects.for_org(request.organization), pk=pk)
    if not job.error_report or not Path(job.error_report).exists():
        raise Http404
    return FileResponse(
        Path(job.error_report).open("rb"), as_attachment=True, filename=f"rejected-{job.pk}.csv"
    )
