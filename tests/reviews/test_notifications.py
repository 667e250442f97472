"""Each kind of news told once and only once: to whom it concerns, in the app and by
e-mail as each member chose, whatever retries and sweeps happen."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from objectives.services import Draft, objective_create, objectives_refresh
from orgs.models import Role
from personas.models import Side as PersonaSide
from personas.services import persona_approve, persona_create
from reviews.models import Event, Notification, Preferences, Topic
from reviews.services.dispatch import events_dispatch, reviews_sweep
from sla.models import Side
from sla.services import agreement_create, agreement_sign
from sla.services.reminders import agreements_remind
from smarketing.lib.events import Happening, Kind, announce
from tests.conftest import token_client
from tests.reviews.conftest import chosen

pytestmark = pytest.mark.django_db


def told(org, kind):
    """{user id: number of notifications} of `kind`, and each e-mail's recipient."""
    found: dict[int, int] = {}
    for user_id in Notification.objects.filter(organization=org, event__kind=kind).values_list(
        "user_id", flat=True
    ):
        found[user_id] = found.get(user_id, 0) + 1
    return found


def dispatch_twice(org):
    now = timezone.now()
    events_dispatch(organization_id=org.pk, now=now)
    events_dispatch(organization_id=org.pk, now=now)
    reviews_sweep(now=now + timedelta(hours=1))


def test_an_agreement_to_sign_is_told_to_each_side_once_then_to_leadership(org, teams):
    marketing, sales = teams[Role.MARKETING_MANAGER], teams[Role.SALES_MANAGER]
    agreement = agreement_create(
        organization=org, by=None, first_month=date(2027, 1, 1), terms={"mqls_per_month": 40}
    )
    dispatch_twice(org)
    assert told(org, Kind.AGREEMENT_SIGNATURE) == {marketing.user_id: 1, sales.user_id: 1}

    agreement_sign(agreement=agreement, membership=marketing, side=Side.MARKETING)
    agreement_sign(agreement=agreement, membership=sales, side=Side.SALES)
    dispatch_twice(org)

    leadership = teams[Role.LEADERSHIP].user_id
    assert told(org, Kind.AGREEMENT_SIGNATURE) == {
        marketing.user_id: 1, sales.user_id: 2, leadership: 1}  # fmt: skip
    # One e-mail a member a run: the sales manager's second came in the second run.
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted(
        ["marketing_manager@example.com", "sales_manager@example.com",
         "sales_manager@example.com", "leadership@example.com"]
    )  # fmt: skip
    assert "awaits your signature" in mail.outbox[0].subject
    assert f"/organizations/acme/go/?next=%2Fsla%2F{agreement.pk}%2F" in mail.outbox[0].body


def test_a_renewal_is_told_to_both_managers_once(org, teams):
    agreement = agreement_create(
        organization=org, by=None, first_month=date(2027, 1, 1), terms={"mqls_per_month": 40}
    )
    agreement_sign(
        agreement=agreement, membership=teams[Role.MARKETING_MANAGER], side=Side.MARKETING
    )
    agreement_sign(agreement=agreement, membership=teams[Role.SALES_MANAGER], side=Side.SALES)
    assert agreements_remind(today=date(2027, 12, 1)) == 1
    assert agreements_remind(today=date(2027, 12, 2)) == 0
    dispatch_twice(org)

    managers = {teams[Role.MARKETING_MANAGER].user_id: 1, teams[Role.SALES_MANAGER].user_id: 1}
    assert told(org, Kind.AGREEMENT_RENEWAL) == managers
    (event,) = Event.objects.filter(kind=Kind.AGREEMENT_RENEWAL)
    assert event.data["ends"] == "2027-12-31"


def test_a_persona_awaiting_approval_is_told_to_the_other_side_not_its_author(org, teams):
    marketing, sales = teams[Role.MARKETING_MANAGER], teams[Role.SALES_MANAGER]
    persona = persona_create(
        organization=org, by=marketing.user, name="Ops lead",
        criteria=[{"kind": "product_in", "weight": 1, "params": {"values": ["GTX Pro"]}}],
    )  # fmt: skip
    dispatch_twice(org)
    assert told(org, Kind.PERSONA_APPROVAL) == {sales.user_id: 1}

    persona_approve(persona=persona, membership=sales, side=PersonaSide.SALES)
    dispatch_twice(org)
    assert told(org, Kind.PERSONA_APPROVAL) == {sales.user_id: 1, marketing.user_id: 1}
    (latest,) = Notification.objects.filter(user=marketing.user)
    assert latest.event.data["name"] == "Ops lead"


def test_an_objective_off_track_is_told_to_its_owners_once(org, teams):
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=62)).replace(day=1)
    owners = [
        (teams[Role.MARKETING_MANAGER], Decimal(10)),
        (teams[Role.SALES_MANAGER], Decimal(10)),
    ]
    draft = Draft(
        title="Revenue", metric="won_revenue", target=Decimal("1000000"),
        first_month=first, last_month=today.replace(day=1), owners=owners,
    )  # fmt: skip
    objective = objective_create(organization=org, by=None, draft=draft, today=today)
    objectives_refresh(organization_id=org.pk, today=today)
    objectives_refresh(organization_id=org.pk, today=today)
    dispatch_twice(org)

    objective.refresh_from_db()
    assert objective.status == "off_track"
    assert told(org, Kind.OBJECTIVE_STATUS) == {
        teams[Role.MARKETING_MANAGER].user_id: 1, teams[Role.SALES_MANAGER].user_id: 1}  # fmt: skip
    subjects = [m.subject for m in mail.outbox]
    assert "Objective “Revenue” is now off track (was not started)" in subjects


def test_an_import_that_finished_or_failed_is_told_to_whoever_started_it(
    org, teams, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    manager = teams[Role.SALES_MANAGER]
    api = token_client(manager)
    mapping = {"kind": "leads", "columns": {"external_id": "id", "email": "mail"},
               "constants": {"stage": "mql"}}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/imports/", {
            "file": SimpleUploadedFile("leads.csv", b"id,mail\n1,a@x.test\n2,not-mail\n"),
            "mapping": json.dumps(mapping),
        }, format="multipart")  # fmt: skip
    dispatch_twice(org)

    assert told(org, Kind.IMPORT_FINISHED) == {manager.user_id: 1}
    (event,) = Event.objects.filter(kind=Kind.IMPORT_FINISHED)
    assert (event.data["written"], event.data["rejected"]) == (1, 1)
    (email,) = [m for m in mail.outbox if m.to == ["sales_manager@example.com"]]
    assert email.subject == "Import of leads.csv finished: 1 rows written, 1 rejected"


def test_an_announcement_sent_again_is_the_same_news(org, teams):
    happening = Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key="pulse.opened:1",
                          data={"period": "2026-11-01", "closes": "2026-11-14"},
                          recipients=(teams[Role.SALES_REP].user_id,))  # fmt: skip
    announce(happening)
    announce(happening)
    dispatch_twice(org)
    assert Event.objects.filter(key="pulse.opened:1").count() == 1
    assert told(org, Kind.PULSE_OPEN) == {teams[Role.SALES_REP].user_id: 1}
    assert [m.to for m in mail.outbox] == [["sales_rep@example.com"]]


def test_only_members_of_the_organisation_are_told(org, other_org, teams, member):
    stranger = member(Role.SALES_REP, organization=other_org)
    announce(Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key="p:1",
                       recipients=(stranger.user_id, teams[Role.SALES_REP].user_id)))  # fmt: skip
    assert set(Notification.objects.values_list("user_id", flat=True)) == {
        teams[Role.SALES_REP].user_id}  # fmt: skip


def test_each_member_is_told_as_they_chose(org, teams):
    rep, manager = teams[Role.SALES_REP], teams[Role.SALES_MANAGER]
    chosen(org, rep.user, in_app=[Topic.PULSE], by_email=[])
    chosen(org, manager.user, in_app=[], by_email=[])
    announce(Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key="p:2",
                       recipients=(rep.user_id, manager.user_id)))  # fmt: skip
    dispatch_twice(org)

    (mine,) = Notification.objects.all()
    assert (mine.user_id, mine.in_app, mine.by_email) == (rep.user_id, True, False)
    assert mail.outbox == []


def test_an_e_mail_that_fails_is_sent_again_by_the_sweep_and_never_twice(org, teams, monkeypatch):
    rep, manager = teams[Role.SALES_REP], teams[Role.SALES_MANAGER]
    announce(Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key="p:3",
                       recipients=(rep.user_id, manager.user_id)))  # fmt: skip
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def refuse_the_rep(message, *args, **kwargs):
        if message.to == ["sales_rep@example.com"]:
            raise OSError("SMTP down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_the_rep)
    now = timezone.now()
    assert events_dispatch(organization_id=org.pk, now=now) == 1
    assert [m.to for m in mail.outbox] == [["sales_manager@example.com"]]

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert reviews_sweep(now=now) == 0  # too soon: the task sent after commit may be on its way
    assert reviews_sweep(now=now + timedelta(minutes=5)) == 1
    assert reviews_sweep(now=now + timedelta(minutes=10)) == 0
    assert [m.to for m in mail.outbox] == [["sales_manager@example.com"], ["sales_rep@example.com"]]


def test_an_e_mail_goes_in_the_members_language_with_html_and_plain_text(org, teams):
    rep = teams[Role.SALES_REP]
    Preferences.objects.create(organization=org, user=rep.user, language="it")
    announce(Happening(organization_id=org.pk, kind=Kind.IMPORT_FAILED, key="i:1",
                       data={"file_name": "deals.xlsx", "reason": "x"},
                       recipients=(rep.user_id,), link="/crm/import/1/"))  # fmt: skip
    events_dispatch(organization_id=org.pk, now=timezone.now())

    (email,) = mail.outbox
    assert email.subject.startswith("Importazione di deals.xlsx")
    link = "http://127.0.0.1:8000/organizations/acme/go/?next=%2Fcrm%2Fimport%2F1%2F"
    assert link in email.body
    ((html, kind),) = email.alternatives
    assert kind == "text/html"
    assert f'href="{link}"' in html


def test_events_older_than_a_year_go_with_their_notifications(org, teams):
    from reviews.services.retention import reviews_purge

    for key in ("old", "new"):
        announce(Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key=key,
                           recipients=(teams[Role.SALES_REP].user_id,)))  # fmt: skip
    Event.objects.filter(key="old").update(occurred_at=timezone.now() - timedelta(days=400))

    assert reviews_purge(now=timezone.now()) == 1
    assert list(Event.objects.values_list("key", flat=True)) == ["new"]
    assert Notification.objects.count() == 1


def test_a_run_that_died_holding_an_e_mail_lets_it_go_to_the_sweep(org, teams):
    from reviews.services.dispatch import EMAIL_LEASE, _claim

    announce(Happening(organization_id=org.pk, kind=Kind.PULSE_OPEN, key="p:dead",
                       recipients=(teams[Role.SALES_REP].user_id,)))  # fmt: skip
    now = timezone.now()
    assert len(_claim(org.pk, now)) == 1  # leased, then the run died before sending
    assert reviews_sweep(now=now + timedelta(minutes=5)) == 0  # still leased
    assert reviews_sweep(now=now + EMAIL_LEASE + timedelta(minutes=1)) == 1
    assert reviews_sweep(now=now + EMAIL_LEASE + timedelta(minutes=2)) == 0
    assert [m.to for m in mail.outbox] == [["sales_rep@example.com"]]


def test_a_name_with_a_line_break_still_makes_a_one_line_subject(org, teams):
    announce(Happening(organization_id=org.pk, kind=Kind.IMPORT_FAILED, key="i:nl",
                       data={"file_name": "leads\nmarch.csv", "reason": "x"},
                       recipients=(teams[Role.SALES_REP].user_id,)))  # fmt: skip
    assert events_dispatch(organization_id=org.pk, now=timezone.now()) == 1
    (email,) = mail.outbox
    assert email.subject == "Import of leads march.csv failed: x"
