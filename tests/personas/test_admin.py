"""Staff's admin shows personas and their history; it changes them only through the services."""

import pytest
from django.test import Client

from personas.models import PersonaVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_read_a_persona_and_its_versions_but_do_not_edit_them(staff, persona):
    draft = persona()
    version = PersonaVersion.objects.get()

    page = staff.get(f"/admin/personas/persona/{draft.pk}/change/")
    version_page = staff.get(f"/admin/personas/personaversion/{version.pk}/change/")
    posted = staff.post(f"/admin/personas/personaversion/{version.pk}/change/", {"name": "Hacked"})

    assert page.status_code == 200
    assert b"Mid-size software" in page.content
    assert version_page.status_code == 200
    assert b"industry_in" in version_page.content
    assert posted.status_code == 403
    assert PersonaVersion.objects.get().name == "Mid-size software"
    assert staff.get("/admin/personas/persona/add/").status_code == 403


def test_staff_archive_through_the_service(staff, persona):
    draft = persona()

    staff.post(
        "/admin/personas/persona/",
        {"action": "archive", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.archived_at is not None
