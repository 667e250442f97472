"""`{% load review_pack %}`: what the review pack's templates ask of its rows."""

from __future__ import annotations

from datetime import date

from django import template

from reviews.models import ReviewDecision

register = template.Library()


@register.filter
def decision_state(decision: ReviewDecision, today: date) -> ReviewDecision.State:
    """`{{ decision|decision_state:today }}`: done, overdue or open, with its label."""
    return decision.state(today)
