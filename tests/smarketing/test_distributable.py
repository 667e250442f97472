"""The tables stay distributable by organisation (docs/scaling.md, "Distributing by organisation").

Citus spreads a table over nodes by one column, here `organization_id`, and can then enforce
a unique constraint or a foreign key only if it contains that column: each node checks its
own shards. These tests keep the schema ready for that, and make every exception a
decision written down with its reason.

Which models: every concrete model (auto-created many-to-many tables too, proxies aside) of
an app whose package lives in this repository, found in Django's app registry, so a model
that moves to another app (the KPI facts to `kpis`) or a new app is checked without an edit
here. A model is *organisation-scoped* if it has a field named `organization` (every
`orgs.models.OrgScopedModel` does).

The rules, for organisation-scoped models:

(a) Every set of columns the database keeps unique (a `UniqueConstraint`, with or without a
    condition, by its fields or by the fields its expressions read; `unique_together`; a
    field with `unique=True`, one-to-one fields among them) includes the `organization`
    field itself. The organisation is "implied" only where a field *is* it: KpiState's
    primary key is its one-to-one to the organisation, so its key is the distribution
    column. It is not implied through another row (a plan target's plan belongs to one
    organisation): nothing in the database says the two organisations are the same, and
    Citus wants the column in the constraint. A field unique on its own passes only if it
    is listed in GLOBALLY_UNIQUE: unique across organisations by construction (the hash of a
    random secret), with the reason.
    The primary key is checked on its own: it is the organisation, or an id generated from
    one sequence (an AutoField), unique by construction; with Citus every such key becomes
    (organization_id, id), a change made when distributing, not before (see the doc).

For every project model:

(b) Every foreign key to an organisation-scoped model that exists in the database (its
    `db_constraint` on) carries the organisation (a composite `ForeignObject` whose
    `from_fields` include `organization`), or is listed in PLAIN_FKS with the reason. Django
    5.2 cannot declare a composite foreign key, so today each such key is listed: with Citus
    it becomes (organization_id, x_id) -> (organization_id, id), co-located. A key without a
    database constraint (KpiFact's channel and campaign) has nothing to co-locate. Keys to
    models that are not organisation-scoped (users, the organisation) point at what become
    reference tables, copied to every node, which any table may reference.

(c) A model that is not organisation-scoped is listed in REFERENCE_TABLES with the reason, so
    a new domain table without an organisation is a decision, not an accident.

The lists are keyed by table and column, the names the database (and Citus) knows; none names
a table of the KPI facts, which move to the `kpis` app. An entry that names nothing fails, so
the lists stay true.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, UniqueConstraint
from django.db.models.fields.related import ForeignObject
from django.db.models.functions import Lower
from django.test.utils import isolate_apps

from orgs.models import Organization, OrgScopedModel

CO_LOCATED = (
    "a plain foreign key on id: with Citus it becomes (organization_id, x_id) -> "
    "(organization_id, id), co-located, once the target's primary key is (organization_id, id). "
    "Django 5.2 cannot declare that: it is a migration in SQL when distributing."
)

# table.column -> why a plain foreign key between scoped tables is acceptable for now.
PLAIN_FKS = {
    "crm_campaign.channel_id": CO_LOCATED,
    "crm_company.parent_id": CO_LOCATED,
    "crm_lead.company_id": CO_LOCATED,
    "crm_lead.channel_id": CO_LOCATED,
    "crm_lead.campaign_id": CO_LOCATED,
    "crm_leadstagechange.lead_id": CO_LOCATED,
    "crm_deal.lead_id": CO_LOCATED,
    "crm_deal.company_id": CO_LOCATED,
    "crm_activity.lead_id": CO_LOCATED,
    "crm_activity.deal_id": CO_LOCATED,
    "funnel_plantarget.plan_id": CO_LOCATED,
    "personas_personaversion.persona_id": CO_LOCATED,
    "personas_criterion.version_id": CO_LOCATED,
    "personas_approval.version_id": CO_LOCATED,
    "personas_leadfit.version_id": CO_LOCATED,
    "objectives_objective.channel_id": CO_LOCATED,
    "objectives_objective.campaign_id": CO_LOCATED,
    "objectives_objective.persona_id": CO_LOCATED,
    "objectives_objective.plan_id": CO_LOCATED,
    "objectives_owner.objective_id": CO_LOCATED,
    "objectives_owner.membership_id": CO_LOCATED,
    "objectives_reptarget.objective_id": CO_LOCATED,
    "objectives_reptarget.membership_id": CO_LOCATED,
    "objectives_snapshot.objective_id": CO_LOCATED,
    "sla_agreementversion.agreement_id": CO_LOCATED,
    "sla_signature.version_id": CO_LOCATED,
    "reviews_notification.event_id": CO_LOCATED,
    "reviews_webhookdelivery.endpoint_id": CO_LOCATED,
    "reviews_webhookdelivery.event_id": CO_LOCATED,
    "reviews_plandrift.plan_id": CO_LOCATED,
    "reviews_reviewdecision.owner_id": CO_LOCATED,
    "orgs_apitoken.membership_id": (
        "a token has no organisation of its own (it acts in its membership's): a token is found "
        "by its hash before the organisation is known, so with Citus tokens and memberships are "
        "reference tables, and a reference table may reference another."
    ),
}

# table.column -> why a column unique on its own is unique across organisations.
GLOBALLY_UNIQUE = {
    "orgs_invitation.token_hash": (
        "the SHA-256 of secrets.token_urlsafe(32) (orgs.services): unique by construction, and "
        "an invitation link is found by it before the organisation is known. With Citus, "
        "invitations are a reference table (few rows, rarely written)."
    ),
}

# table -> why a project table has no organisation: with Citus, a reference table.
_AUTH = "Django's auth tables, shared by every organisation: a reference table."
REFERENCE_TABLES = {
    "orgs_organization": "the tenants themselves: their id is the distribution column.",
    "orgs_user": "a person may belong to several organisations: users are shared.",
    "orgs_user_groups": _AUTH,
    "orgs_user_user_permissions": _AUTH,
    "orgs_apitoken": "scoped through its membership (org_lookup): see PLAIN_FKS.",
}

ORGANIZATION = "organization"


def project_models() -> list[type[models.Model]]:
    """Every concrete model of the apps whose package is in this repository."""
    repo = Path(settings.BASE_DIR).resolve()
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(repo) or {".venv", "site-packages"} & set(path.parts):
            continue
        found.extend(
            model for model in config.get_models(include_auto_created=True) if not model._meta.proxy
        )
    return found


def is_org_scoped(model: type[models.Model]) -> bool:
    if issubclass(model, OrgScopedModel):
        return True
    try:
        model._meta.get_field(ORGANIZATION)
    except FieldDoesNotExist:
        return False
    return True


def _read_names(expression: object) -> set[str]:
    """The fields an expression of a unique constraint reads (Lower("email") reads email)."""
    if isinstance(expression, F):
        return {expression.name}
    get_sources = getattr(expression, "get_source_expressions", None)
    sources: list[object] = get_sources() if get_sources else []
    return set().union(*(_read_names(source) for source in sources))


def unique_sets(model: type[models.Model]) -> list[tuple[str, set[str]]]:
    """(what, field names) for every set of columns kept unique, the primary key aside."""
    opts = model._meta
    sets = [
        (f"{opts.db_table}.{field.column}", {field.name})
        for field in opts.concrete_fields
        if field.unique and not field.primary_key
    ]
    sets += [(f"unique_together {names}", set(names)) for names in opts.unique_together]
    for constraint in opts.constraints:
        if isinstance(constraint, UniqueConstraint):
            names = set(constraint.fields).union(*map(_read_names, constraint.expressions))
            sets.append((f"constraint {constraint.name}", names))
    # Normalise attnames (organization_id) to field names (organization).
    return [(what, {opts.get_field(name).name for name in names}) for what, names in sets]


def unique_violations(model: type[models.Model]) -> list[str]:
    found = []
    for what, names in unique_sets(model):
        if ORGANIZATION not in names and what not in GLOBALLY_UNIQUE:
            found.append(f"{model._meta.label}: {what} {sorted(names)} lacks the organisation")
    pk = model._meta.pk
    assert pk is not None
    if pk.name != ORGANIZATION and not isinstance(pk, models.AutoField):
        found.append(f"{model._meta.label}: primary key {pk.name} is neither generated nor the org")
    return found


def foreign_key_violations(model: type[models.Model]) -> list[str]:
    found = []
    for field in model._meta.fields:
        if not isinstance(field, ForeignObject) or field.name == ORGANIZATION:
            continue
        target = field.related_model
        if not isinstance(target, type) or not is_org_scoped(target):
            continue  # to a reference table (users, the organisation)
        if isinstance(field, models.ForeignKey):
            if not field.db_constraint:
                continue  # no foreign key in the database: nothing to co-locate
            if f"{model._meta.db_table}.{field.column}" in PLAIN_FKS:
                continue
        elif ORGANIZATION in field.from_fields:
            continue  # a composite relation that carries the organisation
        found.append(
            f"{model._meta.label}.{field.name} -> {target._meta.label} lacks the organisation"
        )
    return found


def test_it_checks_the_project_models_and_only_them():
    labels = {model._meta.label for model in project_models()}

    assert {"crm.Lead", "crm.LeadStageChange", "orgs.Membership", "orgs.User"} <= labels
    assert "auth.Group" not in labels  # Django's own apps are not the project's
    assert "axes.AccessAttempt" not in labels
    # The KPI facts are checked whichever app holds them (funnel today, kpis after the move).
    assert {model.__name__ for model in project_models()} >= {"KpiFact", "KpiState", "ChangedCell"}


def test_the_scoped_tables_are_found_and_belong_to_an_organisation():
    scoped = [model for model in project_models() if is_org_scoped(model)]

    assert {"crm.Lead", "crm.Deal", "funnel.PlanTarget"} <= {m._meta.label for m in scoped}
    assert all(
        model._meta.get_field(ORGANIZATION).related_model is Organization for model in scoped
    )


def test_every_unique_key_of_a_scoped_table_includes_the_organisation():
    violations = [
        violation
        for model in project_models()
        if is_org_scoped(model)
        for violation in unique_violations(model)
    ]

    assert violations == []


def test_every_foreign_key_to_a_scoped_table_carries_the_organisation_or_is_listed():
    violations = [
        violation for model in project_models() for violation in foreign_key_violations(model)
    ]

    assert violations == []


def test_every_table_without_an_organisation_is_a_listed_reference_table():
    unscoped = {model._meta.db_table for model in project_models() if not is_org_scoped(model)}

    assert unscoped == set(REFERENCE_TABLES)


def test_the_lists_name_only_what_exists():
    columns = {
        f"{model._meta.db_table}.{field.column}"
        for model in project_models()
        for field in model._meta.concrete_fields
    }

    assert set(PLAIN_FKS) <= columns
    assert set(GLOBALLY_UNIQUE) <= columns


@isolate_apps("crm")
def test_the_checks_find_a_table_that_could_not_be_distributed():
    from crm.models import Lead

    class Badge(OrgScopedModel):
        code = models.CharField(max_length=20, unique=True)
        name = models.CharField(max_length=20)
        lead = models.ForeignKey(Lead, on_delete=models.CASCADE)
        loose = models.ForeignKey(
            Lead, on_delete=models.CASCADE, db_constraint=False, related_name="+"
        )

        lead_in_org = ForeignObject(  # composite: passes
            Lead,
            on_delete=models.CASCADE,
            from_fields=["organization", "lead"],
            to_fields=["organization", "id"],
            related_name="+",
        )

        class Meta:
            app_label = "crm"
            constraints = [
                UniqueConstraint(fields=["lead", "name"], name="badge_unique"),
                UniqueConstraint(Lower("name"), name="badge_name_ci"),
                UniqueConstraint(F("organization"), Lower("name"), name="badge_name_ok"),
            ]

    class Tag(OrgScopedModel):
        name = models.SlugField(primary_key=True)

        class Meta:
            app_label = "crm"
            unique_together = [("name",)]

    assert unique_violations(Badge) == [
        "crm.Badge: crm_badge.code ['code'] lacks the organisation",
        "crm.Badge: constraint badge_unique ['lead', 'name'] lacks the organisation",
        "crm.Badge: constraint badge_name_ci ['name'] lacks the organisation",
    ]
    assert foreign_key_violations(Badge) == ["crm.Badge.lead -> crm.Lead lacks the organisation"]
    assert unique_violations(Tag) == [
        "crm.Tag: unique_together ('name',) ['name'] lacks the organisation",
        "crm.Tag: primary key name is neither generated nor the org",
    ]
