"""A calendar given UK (the `holidays` package's alias) reads GB, the ISO 3166 code the
calendar now takes and the page lists: re-saving the page would otherwise drop its holidays."""

from django.db import migrations


def uk_to_gb(apps, schema_editor):
    calendars = apps.get_model("sla", "BusinessCalendar")
    calendars.objects.filter(holidays_country="UK").update(holidays_country="GB")


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_handoff_next_due")]

    operations = [migrations.RunPython(uk_to_gb, migrations.RunPython.noop)]
