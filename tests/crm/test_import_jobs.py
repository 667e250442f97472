import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from crm.imports.mapping import parse_mapping
from crm.models import ImportPreset
from crm.services.import_jobs import import_preset_save

pytestmark = pytest.mark.django_db
LEADS = {"kind": "leads", "columns": {"email": "E-mail"}}


def test_a_preset_keeps_the_mapping_and_is_replaced_under_its_name(org, other_org):
    import_preset_save(organization=org, name="HubSpot", mapping=parse_mapping(LEADS))
    again = parse_mapping({**LEADS, "constants": {"stage": "mql"}})

    preset = import_preset_save(organization=org, name="HubSpot", mapping=again)
    import_preset_save(organization=other_org, name="HubSpot", mapping=parse_mapping(LEADS))

    assert ImportPreset.objects.for_org(org).get() == preset
    assert preset.mapping == again.as_json()
    assert ImportPreset.objects.for_org(other_org).get().mapping["constants"] == {}


def test_a_preset_that_cannot_be_stored_is_refused_with_a_reason(org, monkeypatch):
    def race(**kwargs):  # another request made a preset of that name at the same moment
        raise IntegrityError("import_preset_unique")

    monkeypatch.setattr(ImportPreset.objects, "update_or_create", race)

    with pytest.raises(ValidationError, match="The preset could not be saved"):
        import_preset_save(organization=org, name="HubSpot", mapping=parse_mapping(LEADS))
