"""What the pulse's tests share: an organisation's two teams and its readers, a pulse opened
through the service, answered through it, and closed by moving its window into the past."""

from datetime import timedelta

from django.utils import timezone

from orgs.models import Role
from reviews.models import Pulse
from reviews.pulse import STATEMENTS
from reviews.services.pulse import pulse_answer, pulse_open

GOOD = dict.fromkeys(STATEMENTS, 1)


def two_teams(member, organization=None):
    """Three marketing managers; a sales manager and two reps; leadership; an admin."""
    made = {
        "marketing": [member(Role.MARKETING_MANAGER, organization) for _ in range(3)],
        "sales": [member(Role.SALES_MANAGER, organization)]
        + [member(Role.SALES_REP, organization) for _ in range(2)],
        "leadership": member(Role.LEADERSHIP, organization),
        "admin": member(Role.ADMIN, organization),
    }
    return made


def opened(organization):
    return pulse_open(organization=organization, now=timezone.now())


def answered(pulse, membership, comment="", **scores):
    pulse_answer(pulse=pulse, membership=membership, scores=GOOD | scores, comment=comment,
                 now=timezone.now())  # fmt: skip


def closed(pulse):
    """The pulse as it is once its answering window has passed."""
    now = timezone.now()
    Pulse.objects.filter(pk=pulse.pk).update(
        opens_at=now - timedelta(days=15), closes_at=now - timedelta(minutes=1)
    )
    pulse.refresh_from_db()
    return pulse
