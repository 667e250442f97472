"""Reads of the monthly reviews' decisions, scoped to one organisation, with their owners."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from orgs.models import Organization
from reviews.models import ReviewDecision
from smarketing.lib.months import add_months


def decisions_of(
    organization: Organization, *, month: date | None = None
) -> QuerySet[ReviewDecision]:
    """The organisation's decisions (of one review when `month` is given), in the order the
    review took them up: by review, then due date."""
    found = ReviewDecision.objects.for_org(organization).select_related("owner__user", "created_by")
    if month is not None:
        found = found.filter(month=month)
    return found.order_by("month", "due", "pk")


def decision_of(organization: Organization, pk: int) -> ReviewDecision | None:
    """One of the organisation's decisions; None for another organisation's id."""
    return decisions_of(organization).filter(pk=pk).first()


def decisions_for_pack(organization: Organization, month: date) -> list[ReviewDecision]:
    """What the pack of `month` follows up and adds to, in one query: the decisions of the
    review before (done or not), those of earlier reviews still open, and this review's."""
    before = add_months(month, -1)
    return list(
        decisions_of(organization).filter(
            Q(month__in=[before, month]) | Q(month__lt=before, done_at__isnull=True)
        )
    )


def decision_data(decision: ReviewDecision, today: date) -> dict[str, Any]:
    """A decision as plain data (the API's answer, the pack's), its owner and author read
    with it (decisions_of selects them)."""
    owner, author = decision.owner, decision.created_by
    return {
        "id": decision.pk,
        "month": f"{decision.month:%Y-%m}",
        "text": decision.text,
        "owner": None if owner is None else {"id": owner.pk, "name": str(owner.user)},
        "due": decision.due,
        "state": decision.state(today).value,
        "done_at": decision.done_at,
        "created_by": None if author is None else {"id": author.pk, "name": str(author)},
        "created_at": decision.created_at,
    }
