"""Covering indexes for the KPI recompute of a few cells, and marks for the open pipeline.

The new indexes are built before the old ones go, both concurrently: a table of a million
leads keeps taking writes, and its queries keep an index, while this runs.
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("crm", "0006_change_journal"),
        ("orgs", "0003_response_window"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="activity",
            index=models.Index(
                fields=["organization", "lead", "at"], include=("kind",), name="activity_first_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="lead",
            index=models.Index(
                fields=["organization", "channel", "created_at"],
                include=("id", "campaign"),
                name="lead_channel_month_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="leadstagechange",
            index=models.Index(
                fields=["organization", "to_stage", "at"],
                include=("lead",),
                name="stage_change_entry_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="leadstagechange",
            index=models.Index(
                fields=["lead", "at"],
                include=("to_stage", "organization"),
                name="stage_change_history_idx",
            ),
        ),
        RemoveIndexConcurrently(model_name="activity", name="activity_lead_idx"),
        RemoveIndexConcurrently(model_name="lead", name="lead_channel_idx"),
        RemoveIndexConcurrently(model_name="leadstagechange", name="stage_change_to_idx"),
        RemoveIndexConcurrently(model_name="leadstagechange", name="stage_change_lead_idx"),
        migrations.AlterField(
            model_name="changedcell",
            name="month",
            field=models.DateField(null=True),
        ),
    ]
