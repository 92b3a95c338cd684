"""Every service request gets a random track code (查询码); existing rows are backfilled."""

from django.db import migrations, models

import nqihub.desk.models


def backfill(apps, schema_editor):
    ServiceRequest = apps.get_model("desk", "ServiceRequest")
    used = set()
    for req in ServiceRequest.objects.only("pk").iterator():
        code = nqihub.desk.models.new_track_code()
        while code in used:
            code = nqihub.desk.models.new_track_code()
        used.add(code)
        ServiceRequest.objects.filter(pk=req.pk).update(track_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0003_private_attachment_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicerequest",
            name="track_code",
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="查询码"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="servicerequest",
            name="track_code",
            field=models.CharField(
                default=nqihub.desk.models.new_track_code,
                editable=False,
                max_length=8,
                unique=True,
                verbose_name="查询码",
            ),
        ),
    ]
