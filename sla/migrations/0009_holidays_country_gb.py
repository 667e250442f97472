"""A calendar's holiday country is an ISO 3166 two-letter code, as the page lists them: one
given through the API as an alias the `holidays` package knows (UK, or a three-letter code
like ITA) now reads its two-letter code (GB, IT). Re-saving the page would otherwise have
dropped its holidays, and any change of the calendar would have been refused."""

from django.db import migrations


def two_letter_codes(apps, schema_editor):
    import holidays

    calendars = apps.get_model("sla", "BusinessCalendar")
    for calendar in calendars.objects.exclude(holidays_country="").iterator():
        code = calendar.holidays_country
        if len(code) == 2 and code != "UK":
            continue
        try:
            calendar.holidays_country = holidays.country_holidays(code).country
        except NotImplementedError:  # not a country the package knows: no holidays
            calendar.holidays_country = ""
        calendar.save(update_fields=["holidays_country"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_handoff_next_due")]

    operations = [migrations.RunPython(two_letter_codes, migrations.RunPython.noop)]
