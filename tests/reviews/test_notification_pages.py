"""The notification centre: the list, the count in the header, marking read, the choices;
over the pages and the API. A member reaches their own notifications only."""

import pytest

from orgs.models import Role
from reviews.models import Notification, Preferences, Topic
from smarketing.lib.events import Happening, Kind, announce
from tests.conftest import signed_in_client, token_client
from tests.reviews.conftest import chosen

pytestmark = pytest.mark.django_db


def news(org, *users, key="i:1", kind=Kind.IMPORT_FINISHED):
    announce(Happening(
        organization_id=org.pk, kind=kind, key=key, link="/crm/import/7/",
        data={"file_name": "leads.csv", "written": 1200, "rejected": 3},
        recipients=tuple(u.pk for u in users),
    ))  # fmt: skip
    return Notification.objects.filter(event__key=key)


def test_the_list_says_what_happened_in_words_and_marks_it_read_when_opened(org, teams):
    rep = teams[Role.SALES_REP]
    (notification,) = news(org, rep.user)
    client = signed_in_client(rep)

    page = client.get("/notifications/").content.decode()
    assert "Import of leads.csv finished: 1,200 rows written, 3 rejected" in page
    assert "1 unread." in page
    badge = client.get("/notifications/badge/").content.decode()
    assert 'data-testid="unread-count"' in badge
    assert ">1<" in badge

    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened.status_code == 302
    assert opened["Location"] == "/crm/import/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread-count" not in client.get("/notifications/badge/").content.decode()


def test_mark_read_in_place_and_all_read(org, teams):
    rep = teams[Role.SALES_REP]
    first = news(org, rep.user, key="a").get()
    news(org, rep.user, key="b")
    client = signed_in_client(rep)

    row = client.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert 'class="notification"' in row.content.decode()  # no longer "unread"
    assert (
        client.get("/notifications/?unread=1").content.decode().count('data-testid="notification"')
        == 1
    )
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "Nothing unread." in client.get("/notifications/?unread=1").content.decode()


def test_someone_elses_notification_answers_404(org, other_org, teams, member):
    mine = news(org, teams[Role.SALES_REP].user).get()
    colleague = signed_in_client(teams[Role.SALES_MANAGER])
    assert colleague.get(f"/notifications/{mine.pk}/").status_code == 404
    assert colleague.post(f"/notifications/{mine.pk}/read/").status_code == 404
    stranger = member(Role.ADMIN, organization=other_org)
    assert token_client(stranger).post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_choices_are_saved_and_bad_ones_refused_with_nothing_changed(org, teams):
    rep = teams[Role.SALES_REP]
    client = signed_in_client(rep)
    assert client.get("/notifications/preferences/").status_code == 200

    saved = client.post("/notifications/preferences/", {
        "in_app": [Topic.SLA_BREACH, Topic.PULSE], "by_email": [Topic.PULSE],
        "language": "pl",
    })  # fmt: skip
    assert saved.status_code == 302
    chosen = Preferences.objects.get(user=rep.user)
    assert (chosen.in_app, chosen.by_email) == ([Topic.SLA_BREACH, Topic.PULSE], [Topic.PULSE])
    assert (chosen.weekly_digest, chosen.language) == (False, "pl")

    for bad in ({"in_app": ["everything"], "language": "en"}, {"language": "xx"}, {}):
        refused = client.post("/notifications/preferences/", bad)
        assert refused.status_code == 400
        assert 'role="alert"' in refused.content.decode()
    chosen.refresh_from_db()
    assert chosen.language == "pl"
    assert chosen.by_email == [Topic.PULSE]


def test_the_api_lists_marks_and_chooses(org, teams):
    leadership = teams[Role.LEADERSHIP]
    first = news(org, leadership.user, key="a").get()
    news(org, leadership.user, key="b")
    api = token_client(leadership)

    listed = api.get("/api/v1/notifications/?unread=true").json()
    assert listed["count"] == 2
    item = next(row for row in listed["results"] if row["id"] == first.pk)
    assert item["title"] == "Import of leads.csv finished: 1,200 rows written, 3 rejected"
    assert (item["kind"], item["topic"], item["link"]) == (
        "import.finished",
        "import",
        "/crm/import/7/",
    )

    assert api.post(f"/api/v1/notifications/{first.pk}/read/").json()["read_at"] is not None
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}

    body = {"in_app": ["pulse"], "by_email": [], "weekly_digest": True, "language": "es"}
    assert api.put("/api/v1/notifications/preferences/", body, format="json").json() == body
    assert api.get("/api/v1/notifications/preferences/").json() == body


@pytest.mark.parametrize("body", [
    {"in_app": ["nope"], "by_email": [], "weekly_digest": True, "language": "en"},
    {"in_app": [], "by_email": [], "weekly_digest": True, "language": "klingon"},
    {"in_app": "pulse", "by_email": [], "weekly_digest": True, "language": "en"},
    {"in_app": ["pulse"] * 100, "by_email": [], "weekly_digest": True, "language": "en"},
    {"by_email": [], "weekly_digest": True, "language": "en"},
])  # fmt: skip
def test_bad_choices_over_the_api_answer_400_and_change_nothing(org, teams, body):
    rep = teams[Role.SALES_REP]
    chosen(org, rep.user, in_app=["pulse"], by_email=[])
    answer = token_client(rep).put("/api/v1/notifications/preferences/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    kept = Preferences.objects.get(user=rep.user)
    assert (kept.in_app, kept.by_email, kept.language) == (["pulse"], [], "en")


def test_a_bad_filter_answers_400(org, teams):
    answer = token_client(teams[Role.SALES_REP]).get("/api/v1/notifications/?unread=maybe")
    assert answer.status_code == 400


def test_the_header_shows_the_bell_on_every_page(org, teams):
    page = signed_in_client(teams[Role.SALES_REP]).get("/").content.decode()
    assert 'data-testid="topbar-notifications"' in page
    assert 'hx-get="/notifications/badge/"' in page


def test_an_e_mails_link_works_in_the_organisation_it_is_about(org, other_org, teams):
    from orgs.middleware import SESSION_KEY
    from tests.factories import MembershipFactory

    rep = teams[Role.SALES_REP]
    # The rep belongs to both, working in the other one when the e-mail comes.
    elsewhere = MembershipFactory(user=rep.user, organization=other_org, role=Role.ADMIN)
    client = signed_in_client(elsewhere)

    went = client.get("/organizations/acme/go/?next=/notifications/")
    assert went.status_code == 302
    assert went["Location"] == "/notifications/"
    assert client.session[SESSION_KEY] == org.pk
    assert client.get("/organizations/acme/go/?next=https://evil.example/")["Location"] == "/"
    assert client.get("/organizations/acme/go/?next=//evil.example/")["Location"] == "/"
    assert client.get("/organizations/nowhere/go/?next=/").status_code == 404
    assert (
        signed_in_client(teams[Role.LEADERSHIP]).get("/organizations/other/go/?next=/").status_code
        == 404
    )


def test_a_notifications_html_id_is_never_written_with_thousands_separators(org, teams):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE reviews_notification_id_seq RESTART WITH 1234567")
    (notification,) = news(org, teams[Role.SALES_REP].user)
    page = signed_in_client(teams[Role.SALES_REP]).get("/notifications/").content.decode()

    assert notification.pk == 1234567
    assert 'id="notification-1234567"' in page
    assert 'hx-target="#notification-1234567"' in page
