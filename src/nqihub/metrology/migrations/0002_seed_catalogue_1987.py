"""Seed the catalogue of instruments under mandatory verification from the 1987 list (every row
``needs_review``: the 2020 catalogue replaced it)."""

from django.db import migrations


def seed(apps, schema_editor):
    from nqihub.metrology.catalogue import load

    load(apps.get_model("metrology", "MandatoryCatalogueEntry"))


class Migration(migrations.Migration):
    dependencies = [("metrology", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
