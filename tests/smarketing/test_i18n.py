"""Five languages: complete catalogues, a working switcher, numbers, money and dates per locale."""

import datetime
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from orgs.models import Role
from smarketing.lib.formatting import money, number
from tests.conftest import signed_in_client

LOCALE = Path(__file__).resolve().parents[2] / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


def test_every_language_but_english_has_a_catalogue():
    assert TRANSLATED == ["it", "es", "ru", "pl"]
    for code in TRANSLATED:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").exists(), code


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogues_are_complete_and_keep_placeholders(code):
    po = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogues_match_their_sources(code):
    folder = LOCALE / code / "LC_MESSAGES"
    source = {e.msgid: e.msgstr for e in polib.pofile(str(folder / "django.po")) if e.msgid}
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(folder / "django.mo")) if e.msgid}

    assert compiled == source, "run: python manage.py compilemessages"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "sign_out", "members"),
    [
        ("en", "Sign out", "Members"),
        ("it", "Esci", "Membri"),
        ("es", "Cerrar sesión", "Miembros"),
        ("ru", "Выйти", "Участники"),
        ("pl", "Wyloguj", "Członkowie"),
    ],
)
def test_the_language_switcher_changes_the_pages(code, sign_out, members, member):
    client = signed_in_client(member(Role.ADMIN))

    response = client.post(reverse("set_language"), {"language": code, "next": "/"})
    page = client.get(reverse("home")).content.decode()

    assert response["Location"] == "/"
    assert f'<html lang="{code}">' in page
    assert sign_out in page
    assert f">{members}</a>" in page


@pytest.mark.django_db
def test_an_unknown_language_leaves_english(member):
    client = signed_in_client(member(Role.ADMIN))

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("code", "amount", "count", "date"),
    [
        ("en", "€1,234,567.89", "1,234,567", "March 5, 2026"),
        ("it", "1.234.567,89\xa0€", "1.234.567", "05 Marzo 2026"),
        ("es", "1.234.567,89\xa0€", "1.234.567", "5 de marzo de 2026"),
        ("ru", "1\xa0234\xa0567,89\xa0€", "1\xa0234\xa0567", "5 марта 2026 г."),
        ("pl", "1\xa0234\xa0567,89\xa0€", "1\xa0234\xa0567", "5 marca 2026"),
    ],
)
def test_money_numbers_and_dates_follow_the_language(code, amount, count, date):
    with translation.override(code):
        assert money("1234567.89", "EUR") == amount
        assert number(1234567) == count
        assert date_format(datetime.date(2026, 3, 5), "DATE_FORMAT") == date


def test_money_leaves_blanks_blank():
    assert money(None) == ""
    assert money("") == ""
    assert money("n/a") == "n/a"


@pytest.mark.django_db
def test_the_settings_page_shows_money_in_the_organisations_currency_and_users_language(member):
    client = signed_in_client(member(Role.ADMIN))
    client.post(reverse("set_language"), {"language": "it"})

    page = client.get(reverse("organization-settings")).content.decode()

    assert "1.234.567,89\xa0€" in page
