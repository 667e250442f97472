"""Writes of the monthly review's decisions: take one, edit it, tick it off (or back on),
delete it. Who may is the views' and the API's to check (Action.KEEP_REVIEWS); what may be
written is checked here, once for both: bad input is a ValidationError naming the field,
and nothing is written then."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orgs.models import Membership, Organization, User
from reviews.models import ReviewDecision
from reviews.models.decisions import DECISION_LENGTH, MAX_DECISIONS, MAX_DUE_DAYS
from smarketing.lib.formatting import month_label


def _checked(
    organization_id: int, *, month: date, text: str, owner: Membership | None, due: date,
    today: date,
) -> dict[str, object]:  # fmt: skip
    """The fields as they will be stored, or every reason they cannot be, by field."""
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the decision.")]
    elif len(text) > DECISION_LENGTH:
        errors["text"] = [
            _("A decision is at most %(limit)s characters (this one has %(count)s).")
            % {"limit": DECISION_LENGTH, "count": len(text)}
        ]
    if owner is None:
        errors["owner"] = [_("Choose the member who sees it through.")]
    elif owner.organization_id != organization_id:
        errors["owner"] = [_("The owner must be a member of this organisation.")]
    latest = today + timedelta(days=MAX_DUE_DAYS)
    if due is None:
        errors["due"] = [_("Give the date it is due by.")]
    elif due < month or due > latest:
        errors["due"] = [
            _("Give a date from %(first)s to %(last)s: not before the review's month, at most two years ahead.")
            % {"first": month.isoformat(), "last": latest.isoformat()}
        ]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return {"text": text, "owner": owner, "due": due}


@transaction.atomic
def decision_create(
    *, organization: Organization, month: date, text: str, owner: Membership | None, due: date,
    by: User | None, today: date,
) -> ReviewDecision:  # fmt: skip
    """A decision taken at the review of `month` (any day of it)."""
    month = month.replace(day=1)
    fields = _checked(organization.pk, month=month, text=text, owner=owner, due=due, today=today)
    # Counted, not locked: two managers adding the thirtieth at once may make it thirty-one,
    # which keeps the list short all the same.
    if ReviewDecision.objects.for_org(organization).filter(month=month).count() >= MAX_DECISIONS:
        raise ValidationError(
            ngettext(
                "The review of %(month)s already has %(count)s decision: keep the list short.",
                "The review of %(month)s already has %(count)s decisions: keep the list short.",
                MAX_DECISIONS,
            )
            % {"month": month_label(month), "count": MAX_DECISIONS}
        )
    decision = ReviewDecision(organization=organization, month=month, created_by=by, **fields)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_edit(
    *, decision: ReviewDecision, text: str, owner: Membership | None, due: date, today: date
) -> ReviewDecision:
    """New words, owner or due date for a decision; the review it was taken at stays."""
    fields = _checked(
        decision.organization_id, month=decision.month, text=text, owner=owner, due=due, today=today
    )
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.full_clean()
    decision.save(update_fields=["text", "owner", "due"])
    return decision


def decision_mark_done(
    *, decision: ReviewDecision, done: bool = True, now: datetime | None = None
) -> ReviewDecision:
    """Tick it off (when it was done is kept), or open it again; doing what is already
    so changes nothing."""
    if done and decision.done_at is None:
        decision.done_at = now or timezone.now()
    elif not done:
        decision.done_at = None
    decision.save(update_fields=["done_at"])
    return decision


def decision_delete(*, decision: ReviewDecision) -> None:
    decision.delete()
