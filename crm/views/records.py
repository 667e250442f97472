"""Lists, details and forms of every kind of record, driven by crm.views.specs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import DecimalField, Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.selectors import lifecycle_stage_names, pipeline_stage_names, records_filtered
from crm.views.specs import SPECS, Column, Spec
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.exports import export_response
from smarketing.lib.extensions import extended_values, extensions
from smarketing.lib.extensions import filtered as extended_filter

PAGE_SIZE = 25
EXPORT_LIMIT = 200_000
SECTION_ROWS = (
    50  # related records shown on a record's page  # rows per file; filter to export more in parts
)


def spec_for(kind: str) -> Spec:
    if kind not in SPECS:
        raise Http404
    return SPECS[kind]


def cell(obj: Model, column: Column) -> Any:
    value: Any = obj
    for part in column.path.split("."):
        if value is None:
            return None
        value = str(value) if part == "__str__" else getattr(value, part)
        if callable(value) and not isinstance(value, Model):
            value = value()
    return value


def filtered(spec: Spec, request: MemberRequest) -> tuple[QuerySet[Any], str, str]:
    """The list's rows as filtered and sorted, the sort, and what was wrong with a filter's
    value in the address ("" if nothing): then no row is shown."""
    rows = spec.model._default_manager.for_org(request.organization).select_related(*spec.related)  # type: ignore[attr-defined]
    rows = records_filtered(rows, request.GET, filters=spec.filters, search=spec.search)
    problem = ""
    try:
        rows = extended_filter(spec.slug, request.organization, rows, request.GET)
    except ValidationError as error:
        problem, rows = " ".join(error.messages), rows.none()
    sortable = {c.sort for c in spec.columns if c.sort}
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in sortable:
        sort = spec.default_sort
    return rows.order_by(sort, "-pk"), sort, problem


@require_GET
@member_required()
def record_list(request: MemberRequest, kind: str) -> HttpResponse:
    spec = spec_for(kind)
    rows, sort, problem = filtered(spec, request)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        header = [str(c.label) for c in spec.columns]
        data = (
            [cell(obj, c) for c in spec.columns]
            for obj in rows[:EXPORT_LIMIT].iterator(chunk_size=2000)
        )
        return export_response(export, spec.slug, header, data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    columns, table = _extended_rows(spec, request, list(page.object_list))
    context = {
        "spec": spec,
        "page": page,
        "sort": sort,
        "can_write": can(request.membership.role, spec.write_action),
        "columns": columns,
        "rows": table,
        "problem": problem,
        "filters": _filter_choices(spec, request)
        + [f for e in extensions(kind) for f in e.choices(request.organization)],
        "query": request.GET,
        "stage_names": lifecycle_stage_names(request.organization),
    }
    template = (
        "crm/_results.html"
        if request.htmx and request.htmx.target == "results"
        else "crm/list.html"
    )
    return render(request, template, context)


def _extended_rows(
    spec: Spec, request: MemberRequest, objects: list[Model]
) -> tuple[list[Column], list[tuple[Model, list[tuple[Column, Any]]]]]:
    """The list's columns and rows, with what apps above add to them (extensions)."""
    added = extensions(spec.slug)
    columns = spec.columns + [Column(e.label, "") for e in added]
    values = extended_values(spec.slug, request.organization, [o.pk for o in objects])
    rows = [
        (
            obj,
            [(c, cell(obj, c)) for c in spec.columns]
            + [
                (c, e.cell(values[e.name].get(obj.pk)))
                for c, e in zip(columns[len(spec.columns) :], added, strict=True)
            ],
        )
        for obj in objects
    ]
    return columns, rows


def _filter_choices(
    spec: Spec, request: MemberRequest
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(parameter, label, [(value, label)]) for each filter of the list."""
    from crm.models import Channel, LifecycleStage

    org = request.organization

    def field_choices(name: str) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in spec.model._meta.get_field(name).choices or []]  # type: ignore[union-attr]

    def industries() -> list[tuple[str, str]]:
        rows = spec.model._default_manager.for_org(org)  # type: ignore[attr-defined]
        values = rows.exclude(industry="").values_list("industry", flat=True)
        return [(i, i) for i in values.distinct().order_by("industry")]

    options = {
        "stage": (
            _("Stage"),
            lambda: [(s.code, _(s.name)) for s in LifecycleStage.objects.for_org(org)],
        ),
        "channel": (_("Channel"), lambda: [(c.code, c.name) for c in Channel.objects.for_org(org)]),
        "status": (_("Status"), lambda: field_choices("status")),
        "kind": (_("Kind"), lambda: field_choices("kind")),
        "industry": (_("Industry"), industries),
    }
    return [(name, str(options[name][0]), options[name][1]()) for name in spec.filters]


@require_GET
@member_required()
def record_detail(request: MemberRequest, kind: str, pk: int) -> HttpResponse:
    spec = spec_for(kind)
    obj = get_object_or_404(spec.model._default_manager.for_org(request.organization), pk=pk)  # type: ignore[attr-defined]
    if kind == "leads":
        from crm.views.leads import lead_detail

        return lead_detail(request, obj)
    form = spec.form(instance=obj, organization=request.organization)
    fields = [(form[name].label, *_shown(obj, name)) for name in form.fields]
    sections = [
        (
            title,
            SPECS[kind_],
            [
                (row, [(c, cell(row, c)) for c in SPECS[kind_].columns])
                for row in rows(obj)[:SECTION_ROWS]
            ],
        )
        for title, kind_, rows in spec.sections
    ]
    context = {
        "spec": spec,
        "obj": obj,
        "fields": fields,
        "sections": sections,
        "stage_names": lifecycle_stage_names(request.organization),
        "can_write": can(request.membership.role, spec.write_action),
    }
    return render(request, "crm/detail.html", context)


def _shown(obj: Model, name: str) -> tuple[Any, str]:
    """A field's value as its page shows it, and how: a choice by its label, an amount as
    money, a pipeline stage by its name."""
    field = obj._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")(), "text"
    if isinstance(field, DecimalField):
        return getattr(obj, name), "money"
    if name == "pipeline_stage" and getattr(obj, name):
        names = pipeline_stage_names(obj.organization)  # type: ignore[attr-defined]
        return names.get(getattr(obj, name), getattr(obj, name)), "text"
    return cell(obj, Column("", name)), "text"


@require_http_methods(["GET", "POST"])
@member_required()
def record_form(request: MemberRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = spec_for(kind)
    if not can(request.membership.role, spec.write_action):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    manager = spec.model._default_manager.for_org(request.organization)  # type: ignore[attr-defined]
    obj = get_object_or_404(manager, pk=pk) if pk else None
    form = spec.form(request.POST or None, instance=obj, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if obj is None:
                obj = spec.create_record(
                    organization=request.organization, by=request.user, data=data
                )
            else:
                obj = spec.update_record(instance=obj, by=request.user, data=data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(thing)s saved.") % {"thing": str(obj)})
            return redirect("crm-detail", kind=kind, pk=obj.pk)
    return render(request, "crm/form.html", {"spec": spec, "form": form, "obj": obj})


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


WRITE_ACTIONS = {spec.slug: spec.write_action for spec in SPECS.values()}
__all__ = ["WRITE_ACTIONS", "Action", "record_detail", "record_form", "record_list"]
