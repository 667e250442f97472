"""Deals: their kind (new, repeat, reactivation) and what winning one does to its lead."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.journal import DealAsRead, mark_deals_and_moves
from crm.models import Deal, LeadStageChange, LifecycleStage, PipelineStage
from crm.rules import deal_date, deal_kind, won_since
from crm.services.common import assign, ensure_same_organization, links_known, validate_and_save
from orgs.models import Organization, User, validate_currency


def _previous_wins(
    company_id: int | None, before: datetime | None, exclude: int | None
) -> list[datetime]:
    if company_id is None:
        return []
    wins = Deal.objects.filter(
        company_id=company_id, status=Deal.Status.WON, closed_at__isnull=False
    ).exclude(pk=exclude)
    if before is not None:
        wins = wins.filter(closed_at__lt=before)
    return list(wins.order_by().values_list("closed_at", flat=True))


def _check(deal: Deal, changed: list[str] | None, dates: tuple[Any, Any] = (None, None)) -> None:
    """`changed`: the fields an update changed; None for a new deal. The links and stage a
    deal keeps were checked when set (stages in use cannot be removed); its dates, when
    moved by a minute or more from `dates` (closed_at, created_at before): a page's form
    drops their seconds, and a deal imported with a date to come stays editable."""
    links = {f: getattr(deal, f) for f in ("lead", "company") if _set(f, changed)}
    ensure_same_organization(deal.organization_id, **links)
    if (
        deal.pipeline_stage
        and _set("pipeline_stage", changed)
        and not PipelineStage.objects.filter(
            organization_id=deal.organization_id, code=deal.pipeline_stage
        ).exists()
    ):
        raise ValidationError(
            {
                "pipeline_stage": _("Unknown pipeline stage %(stage)s.")
                % {"stage": deal.pipeline_stage}
            }
        )
    if deal.status == Deal.Status.OPEN and deal.closed_at is not None:
        raise ValidationError({"closed_at": _("An open deal has no close date.")})
    if deal.closed_at is not None and (changed is None or _moved(deal, dates)):
        _check_close(deal)
    if _set("currency", changed):
        code = str(deal.currency or "")
        deal.currency = code.upper() if code.isascii() else code  # eur is EUR
        try:
            validate_currency(deal.currency)
        except ValidationError as error:
            raise ValidationError({"currency": error.messages}) from None


def _moved(deal: Deal, dates: tuple[Any, Any]) -> bool:
    def minute(value: Any) -> Any:
        return value.replace(second=0, microsecond=0) if value is not None else None

    return (minute(deal.closed_at), minute(deal.created_at)) != tuple(map(minute, dates))


def _check_close(deal: Deal) -> None:
    """A deal closes once it exists and by today (a day's grace for the time zones): a win
    dated 2099 made a KPI month of 2099 and a customer of its lead then."""
    closed = cast(datetime, deal.closed_at)
    if closed > timezone.now() + timedelta(days=1):
        raise ValidationError({"closed_at": _("A deal is won or lost by today, not on %(day)s.")
                               % {"day": closed.date().isoformat()}})  # fmt: skip
    if deal.created_at is not None and closed < deal.created_at:
        raise ValidationError({"closed_at": _("A deal closes after it was created (%(day)s).")
                               % {"day": deal.created_at.date().isoformat()}})  # fmt: skip


def _set(field: str, changed: list[str] | None) -> bool:
    return changed is None or field in changed or f"{field}_id" in changed


def _settle(
    deal: Deal, by: User | None, changed: list[str] | None, before: DealAsRead | None = None
) -> None:
    """Derive the kind, save, move the lead of a won deal to customer at its close date, and
    mark the cells the deal left (`before`: as read before an update) and those it and its
    lead enter."""
    when = deal_date(deal.created_at, deal.closed_at)
    deal.kind = deal_kind(when, _previous_wins(deal.company_id, when, deal.pk))
    saved = None if changed is None else {*changed, "kind", "updated_at"}
    validate_and_save(deal, known=links_known(deal, changed), update_fields=saved)
    move = _make_customer(deal, by)
    mark_deals_and_moves(
        deal.organization_id, [deal.pk], [move], deals_before=[before] if before else []
    )


# lead_change_stage's move in one statement, for a lead whose date is known good (at
# customer_since: within the lead's life): the organisation's customer stage looked up
# (crm.selectors.stage_with_role, whatever admins named it), the lead locked and read,
# moved unless it stands there already (a concurrent win may have moved it), and the move
# recorded: one round trip where lead_change_stage takes six and a savepoint.
_MOVE_SQL = """
    WITH customer AS (
        SELECT code FROM crm_lifecyclestage WHERE organization_id = %(org)s AND role = %(role)s
        ORDER BY position, id LIMIT 1
    ), old AS (
        SELECT l.id, l.stage, customer.code AS to_stage FROM crm_lead l, customer
        WHERE l.id = %(lead)s AND l.stage <> customer.code FOR UPDATE OF l
    ), moved AS (
        UPDATE crm_lead l SET stage = old.to_stage, stage_changed_at = %(at)s FROM old
        WHERE l.id = old.id
    )
    INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, by_id,
                                     source)
    SELECT %(org)s, id, stage, to_stage, %(at)s, %(by)s, %(source)s FROM old
    RETURNING id, to_stage
"""


def _make_customer(deal: Deal, by: User | None) -> int | None:
    """Move the lead of a won deal to the customer stage (crm.rules.customer_since); the id
    of the stage change that records the move, None if it did not move. Its cells are the
    caller's to mark."""
    if deal.lead is None or deal.status != Deal.Status.WON:
        return None  # only a won deal makes a customer: no stage to look up
    # customer_since: _MOVE_SQL leaves a lead at the customer stage (or with none) where it is
    at = won_since(created_at=deal.lead.created_at, deals=[(deal.status, deal.closed_at)])
    if at is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _MOVE_SQL,
            {
                "lead": deal.lead_id,
                "role": LifecycleStage.Role.CUSTOMER.value,
                "at": at,
                "org": deal.organization_id,
                "by": by.pk if by else None,
                "source": LeadStageChange.Source.DEAL_WON.value,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    deal.lead.stage, deal.lead.stage_changed_at = row[1], at
    return int(row[0])


@transaction.atomic
def deal_create(*, organization: Organization, by: User | None, **fields: Any) -> Deal:
    fields.setdefault("currency", organization.currency)
    deal = Deal(organization=organization, **fields)
    _check(deal, None)
    _settle(deal, by, None)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, by: User | None, read_locked: bool = False, **fields: Any) -> Deal:
    """`read_locked`: the caller read `deal` with select_for_update(of=("self",)) and its
    lead (select_related) in the transaction this one joins; otherwise it is read so here."""
    # Locked and read with its lead, whose channel places the deal's cells and whose stage a
    # win may move (the lead itself is locked only if it moves).
    if not read_locked:
        deal = Deal.objects.select_for_update(of=("self",)).select_related("lead").get(pk=deal.pk)
    before = (deal.closed_at, deal.lead.channel_id if deal.lead else None)  # the cells it leaves
    if fields.get("status") == Deal.Status.OPEN:
        fields.setdefault("closed_at", None)
    dates = (deal.closed_at, deal.created_at)
    changed = assign(deal, fields)
    _check(deal, changed, dates)
    _settle(deal, by, changed, before)
    return deal


def deal_win(
    *, deal: Deal, by: User | None, at: datetime | None = None, amount: Any = None
) -> Deal:
    fields: dict[str, Any] = {
        "status": Deal.Status.WON,
        "closed_at": at or timezone.now(),
        "lost_reason": "",
    }
    if amount is not None:
        fields["amount"] = amount
    return deal_update(deal=deal, by=by, **fields)


def deal_lose(*, deal: Deal, by: User | None, reason: str = "", at: datetime | None = None) -> Deal:
    return deal_update(
        deal=deal,
        by=by,
        status=Deal.Status.LOST,
        closed_at=at or timezone.now(),
        lost_reason=reason,
    )
