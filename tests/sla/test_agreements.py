"""The agreement: drafted with terms proposed from the plan, signed by a marketing and a sales
manager (an admin standing in is recorded; leadership countersigns), amended as a new version
signed again while the earlier stays readable and in force; roles, bad input and tenants."""

from datetime import date

import pytest

from funnel.services import plan_activate, plan_create
from orgs.models import Role
from sla.models import Agreement, AgreementVersion, Signature
from tests.conftest import token_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

TERMS = {"mqls_per_month": 120, "channel_mqls": {"paid_search": 50, "social": 30},
         "first_touch_hours": "4", "attempts": 3, "attempts_days": 5, "decision_days": 5}  # fmt: skip


@pytest.fixture
def managers(member):
    return member(Role.MARKETING_MANAGER), member(Role.SALES_MANAGER)


def draft(api, **given):
    answer = api.post(
        "/api/v1/sla/agreements/", {"first_month": "2027-01", **TERMS, **given}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def sign(api, agreement, side, **given):
    return api.post(
        f"/api/v1/sla/agreements/{agreement['id']}/sign/", {"side": side, **given}, format="json"
    )


def test_a_draft_comes_into_force_when_both_managers_have_signed(managers):
    marketing, sales = (token_client(m) for m in managers)
    agreement = draft(marketing)
    assert agreement["last_month"] == "2027-12"  # a year by default
    (version,) = agreement["versions"]
    assert version["status"] == "draft"
    assert agreement["in_force_version"] is None

    first = sign(marketing, agreement, "marketing", fingerprint=version["fingerprint"])
    assert first.status_code == 200, first.json()
    assert first.json()["in_force_version"] is None
    second = sign(sales, agreement, "sales")

    signed = second.json()["versions"][0]
    assert second.json()["in_force_version"] == 1
    assert signed["status"] == "in_force"
    assert [(s["side"], s["fingerprint"]) for s in signed["signatures"]] == [
        ("marketing", version["fingerprint"]), ("sales", version["fingerprint"])
    ]  # fmt: skip
    assert signed["terms"]["channel_mqls"] == {"paid_search": 50, "social": 30}


def test_leadership_countersigns_an_agreement_in_force_only(managers, member):
    marketing, sales = (token_client(m) for m in managers)
    leader = token_client(member(Role.LEADERSHIP))
    agreement = draft(marketing)

    early = sign(leader, agreement, "leadership")
    sign(marketing, agreement, "marketing")
    sign(sales, agreement, "sales")
    late = sign(leader, agreement, "leadership")

    assert early.status_code == 400
    assert "once both teams have signed" in early.json()["error"]["fields"]["side"][0]
    assert late.status_code == 200
    assert [s["side"] for s in late.json()["versions"][0]["signatures"]] == [
        "marketing",
        "sales",
        "leadership",
    ]


@pytest.mark.parametrize(
    ("role", "side"),
    [(Role.MARKETING_MANAGER, "sales"), (Role.SALES_MANAGER, "marketing"), (Role.SALES_REP, "sales"),
     (Role.LEADERSHIP, "marketing")],
)  # fmt: skip
def test_a_member_signs_only_for_their_own_side(managers, member, role, side):
    agreement = draft(token_client(managers[0]))

    answer = sign(token_client(member(role)), agreement, side)

    assert answer.status_code == 403
    assert "cannot sign for" in answer.json()["error"]["message"]
    assert not Signature.objects.exists()


def test_an_admin_stands_in_for_a_team_but_not_for_both(managers, member):
    admin = token_client(member(Role.ADMIN))
    agreement = draft(token_client(managers[0]))

    stood_in = sign(admin, agreement, "marketing")
    both = sign(admin, agreement, "sales")

    assert stood_in.json()["versions"][0]["signatures"][0]["stood_in_as_admin"] is True
    assert both.status_code == 403
    assert Signature.objects.count() == 1


def test_a_side_signs_once_and_only_the_terms_it_read(managers):
    marketing = token_client(managers[0])
    agreement = draft(marketing)

    stale = sign(marketing, agreement, "marketing", fingerprint="0" * 64)
    sign(marketing, agreement, "marketing")
    twice = sign(marketing, agreement, "marketing")

    assert stale.status_code == 400
    assert stale.json()["error"]["fields"]["fingerprint"] == [
        "The terms changed since you read them: read them again."
    ]
    assert twice.status_code == 400
    assert Signature.objects.count() == 1


def test_editing_a_draft_withdraws_its_signatures(managers):
    marketing, sales = (token_client(m) for m in managers)
    agreement = draft(marketing)
    sign(marketing, agreement, "marketing")

    edited = sales.patch(
        f"/api/v1/sla/agreements/{agreement['id']}/", {"decision_days": 3}, format="json"
    )

    version = edited.json()["versions"][0]
    assert edited.status_code == 200
    assert version["terms"]["decision_days"] == 3
    assert version["signatures"] == []
    assert version["fingerprint"] != agreement["versions"][0]["fingerprint"]


@pytest.mark.parametrize(
    "same",
    [{}, {"decision_days": 5}, {"first_touch_hours": "4.00"}, {"reason": "Read it again"}],
)
def test_an_edit_that_changes_no_term_keeps_the_signatures(managers, same):
    marketing, sales = (token_client(m) for m in managers)
    agreement = draft(marketing)
    sign(sales, agreement, "sales")

    edited = marketing.patch(f"/api/v1/sla/agreements/{agreement['id']}/", same, format="json")

    version = edited.json()["versions"][0]
    assert edited.status_code == 200, edited.json()
    assert [s["side"] for s in version["signatures"]] == ["sales"]
    assert version["fingerprint"] == agreement["versions"][0]["fingerprint"]
    assert Signature.objects.count() == 1


def test_an_amendment_is_a_new_version_signed_again_while_the_old_stays_in_force(managers):
    marketing, sales = (token_client(m) for m in managers)
    agreement = draft(marketing)
    sign(marketing, agreement, "marketing")
    sign(sales, agreement, "sales")
    url = f"/api/v1/sla/agreements/{agreement['id']}/"

    no_reason = marketing.post(url + "amend/", {"mqls_per_month": 150}, format="json")
    amended = marketing.post(
        url + "amend/", {"mqls_per_month": 150, "reason": "A new webinar series"}, format="json"
    )
    edit_in_force = marketing.patch(url, {"attempts": 9}, format="json")

    assert no_reason.status_code == 400
    new, old = amended.json()["versions"]
    assert (new["number"], new["status"], old["status"]) == (2, "draft", "in_force")
    assert amended.json()["in_force_version"] == 1
    assert new["terms"]["mqls_per_month"] == 150
    assert new["terms"]["channel_mqls"] == old["terms"]["channel_mqls"]  # carried over
    assert new["reason"] == "A new webinar series"
    assert edit_in_force.status_code == 200  # the draft amendment, not the version in force
    sign(marketing, agreement, "marketing")
    signed = sign(sales, agreement, "sales").json()
    assert signed["in_force_version"] == 2
    assert [v["status"] for v in signed["versions"]] == ["in_force", "superseded"]
    assert (
        len(signed["versions"][1]["signatures"]) == 2
    )  # the old one readable, with its signatures
    again = marketing.patch(url, {"attempts": 2}, format="json")
    assert again.status_code == 400  # in force: amend it instead


def test_marketings_mqls_are_proposed_from_the_active_plans_mql_targets(org, managers):
    plan = plan_create(
        organization=org, by=None, name="FY2027", first_month=date(2027, 1, 1), last_month=date(2027, 12, 1),
        inputs={"revenue_goal": "1200000", "average_deal_size": "10000",
                "stages": ["lead", "mql", "sql", "opportunity", "customer"],
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
                "channels": [{"code": "paid_search", "share": "0.5"}, {"code": "social", "share": "0.5"}]},
    )  # fmt: skip
    plan_activate(plan=plan)
    api = token_client(managers[0])

    answer = api.post("/api/v1/sla/agreements/", {"first_month": "2027-01"}, format="json")

    terms = answer.json()["versions"][0]["terms"]
    targets = plan.targets.filter(stage="mql", month__gte=date(2027, 1, 1))
    total = sum(targets.filter(channel="").values_list("target", flat=True))
    assert answer.status_code == 201
    assert terms["mqls_per_month"] >= -(-total // 12)
    assert set(terms["channel_mqls"]) == {"paid_search", "social"}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"first_month": "2027-13"}, "first_month"),
        ({"first_month": "２０２７-０１"}, "first_month"),  # digits, but not ASCII ones
        ({"first_month": "2027-1"}, "first_month"),
        ({"last_month": "2026-06"}, "last_month"),
        ({"last_month": "2099-12"}, "last_month"),
        ({"mqls_per_month": -1}, "mqls_per_month"),
        ({"channel_mqls": {"no_such_channel": 5}}, "channel_mqls"),
        ({"channel_mqls": {"paid_search": 500}}, "channel_mqls"),  # more than the month's total
        ({"acceptance_rate": "101"}, "acceptance_rate"),
        ({"first_touch_hours": "0"}, "first_touch_hours"),
        ({"attempts": 0}, "attempts"),
        ({"decision_days": 91}, "decision_days"),
        ({"rejection_reasons": []}, "rejection_reasons"),
        ({"rejection_reasons": ["rude"]}, "rejection_reasons"),
        ({"rejection_reasons": ["other", "other"]}, "rejection_reasons"),
    ],
)
def test_bad_terms_are_a_400_naming_the_field_and_save_nothing(managers, given, field):
    answer = token_client(managers[0]).post(
        "/api/v1/sla/agreements/", {"first_month": "2027-01", **TERMS, **given}, format="json"
    )

    assert answer.status_code == 400, answer.json()
    assert any(name.startswith(field) for name in answer.json()["error"]["fields"]), answer.json()
    assert not Agreement.objects.exists()
    assert not AgreementVersion.objects.exists()


def test_a_full_date_is_read_as_its_month(managers):
    """A period runs from a month's first day: 15 January is January, and the overlap check
    sees it (it let a second agreement cover December when the first kept its day)."""
    api = token_client(managers[0])

    made = api.post(
        "/api/v1/sla/agreements/", {"first_month": "2027-01-15", **TERMS}, format="json"
    )
    overlap = api.post(
        "/api/v1/sla/agreements/", {"first_month": "2027-12-20", **TERMS}, format="json"
    )

    assert made.status_code == 201, made.json()
    assert Agreement.objects.get().first_month == date(2027, 1, 1)
    assert Agreement.objects.get().last_month == date(2027, 12, 1)
    assert overlap.status_code == 400
    assert Agreement.objects.count() == 1


def test_one_agreement_per_period(managers):
    api = token_client(managers[0])
    draft(api)

    again = api.post("/api/v1/sla/agreements/", {"first_month": "2027-01", **TERMS}, format="json")

    assert again.status_code == 400
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.LEADERSHIP])
def test_reps_and_leadership_read_agreements_but_do_not_draft_or_amend(managers, member, role):
    agreement = draft(token_client(managers[0]))
    api = token_client(member(role))

    assert api.get(f"/api/v1/sla/agreements/{agreement['id']}/").status_code == 200
    assert (
        api.post(
            "/api/v1/sla/agreements/", {"first_month": "2028-01", **TERMS}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.patch(
            f"/api/v1/sla/agreements/{agreement['id']}/", {"attempts": 1}, format="json"
        ).status_code
        == 403
    )
    assert Agreement.objects.count() == 1


def test_another_organisations_agreement_is_out_of_reach(managers, other_org):
    agreement = draft(token_client(managers[0]))
    theirs = token_client(MembershipFactory(organization=other_org, role=Role.ADMIN))

    assert theirs.get(f"/api/v1/sla/agreements/{agreement['id']}/").status_code == 404
    assert sign(theirs, agreement, "marketing").status_code == 404
    assert theirs.get("/api/v1/sla/agreements/").json()["results"] == []
    assert not Signature.objects.exists()


def test_periods_of_agreements_do_not_overlap(managers):
    api = token_client(managers[0])
    draft(api)  # 2027

    overlapping = api.post(
        "/api/v1/sla/agreements/", {"first_month": "2027-03", **TERMS}, format="json"
    )
    following = api.post(
        "/api/v1/sla/agreements/", {"first_month": "2028-01", **TERMS}, format="json"
    )

    assert overlapping.status_code == 400
    assert (
        "covers some of these months already"
        in overlapping.json()["error"]["fields"]["first_month"][0]
    )
    assert following.status_code == 201
    assert Agreement.objects.count() == 2
