"""County duration histograms of the base cube are stored (issue 18 item 7): a county's figure set reads a
bounded number of rows whatever its volume, instead of counting its ``Fact`` rows."""

from django.db import migrations, models


def fill_county_buckets(apps, schema_editor):
    from nqihub.stats import facts

    least = "LEAST" if schema_editor.connection.vendor == "postgresql" else "MIN"
    fine = facts.FINE_HOURS
    for kind, month, hours in (
        ("accept", "accepted_month", "accept_hours"),
        ("resolve", "resolved_month", "resolve_hours"),
    ):
        bucket = (
            f"(CASE WHEN {hours} < {fine} THEN {hours} "
            f"ELSE {least}({fine} + ({hours} - {fine}) / 24, {facts.MAX_BUCKET}) END)"
        )
        schema_editor.execute(
            "INSERT INTO stats_durationbucket (dim, value, scope, parent, month, kind, bucket, n) "
            f"SELECT '', '', region_code, SUBSTR(region_code, 1, 4), month, '{kind}', b, COUNT(*) FROM ("
            f"SELECT region_code, {month} AS month, {bucket} AS b FROM stats_fact WHERE {month} IS NOT NULL) e "
            "GROUP BY region_code, month, b"
        )


def drop_county_buckets(apps, schema_editor):
    schema_editor.execute("DELETE FROM stats_durationbucket WHERE LENGTH(scope) = 6")


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="durationbucket",
            name="parent",
            field=models.CharField(max_length=4, null=True),
        ),
        migrations.AlterField(
            model_name="durationbucket",
            name="scope",
            field=models.CharField(max_length=6),
        ),
        migrations.RunPython(fill_county_buckets, drop_county_buckets),
    ]
