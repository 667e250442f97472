from django.db import migrations

from crm.defaults import CHANNELS, LIFECYCLE_STAGES, PIPELINE_STAGES


def give_defaults(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    LifecycleStage = apps.get_model("crm", "LifecycleStage")
    PipelineStage = apps.get_model("crm", "PipelineStage")
    Channel = apps.get_model("crm", "Channel")
    for org in Organization.objects.all():
        if not LifecycleStage.objects.filter(organization=org).exists():
            LifecycleStage.objects.bulk_create(
                LifecycleStage(organization=org, code=c, name=n, position=i, is_exit=x)
                for i, (c, n, x) in enumerate(LIFECYCLE_STAGES)
            )
        if not PipelineStage.objects.filter(organization=org).exists():
            PipelineStage.objects.bulk_create(
                PipelineStage(organization=org, code=c, name=n, position=i) for i, (c, n) in enumerate(PIPELINE_STAGES)
            )
        if not Channel.objects.filter(organization=org).exists():
            Channel.objects.bulk_create(Channel(organization=org, code=c, name=n) for c, n in CHANNELS)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial"), ("orgs", "0001_initial")]
    operations = [migrations.RunPython(give_defaults, migrations.RunPython.noop)]
