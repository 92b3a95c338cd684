"""``TestingPlanLine.order_id`` (a bare integer) becomes ``order``, a real foreign key to ``testing.TestOrder``.

The column keeps its name and its values; an id whose order no longer exists is set to NULL first (the line
keeps its ``order_number``), so that the foreign key holds on every row.
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_missing_orders(apps, schema_editor):
    Line = apps.get_model("cooperatives", "TestingPlanLine")
    TestOrder = apps.get_model("testing", "TestOrder")
    Line.objects.filter(order_id__isnull=False).exclude(
        order_id__in=TestOrder.objects.values("pk")
    ).update(order_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0002_officer_phone_blind_index"),
        ("testing", "0003_delete_counter"),
    ]

    operations = [
        migrations.RunPython(forget_missing_orders, migrations.RunPython.noop, elidable=True),
        # The integer field ``order_id`` is renamed ``order`` (column "order") and then altered into the
        # foreign key, whose column is "order_id" again: the values stay where they are.
        migrations.RenameField("testingplanline", "order_id", "order"),
        migrations.AlterField(
            model_name="testingplanline",
            name="order",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="testing.testorder",
                verbose_name="委托单",
            ),
        ),
    ]
