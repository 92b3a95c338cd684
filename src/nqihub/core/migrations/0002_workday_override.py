from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkdayOverride",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                (
                    "is_working_day",
                    models.BooleanField(
                        choices=[(False, "放假"), (True, "上班（调休补班）")], default=False, verbose_name="安排"
                    ),
                ),
                (
                    "name",
                    models.CharField(blank=True, help_text="如 春节、国庆节", max_length=64, verbose_name="节日名称"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={
                "verbose_name": "节假日与调休",
                "verbose_name_plural": "节假日与调休",
                "ordering": ["-date"],
            },
        ),
    ]
