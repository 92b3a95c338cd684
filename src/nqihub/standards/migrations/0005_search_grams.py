"""Search on a stored index, with CJK character bigrams (issue 18 item 6).

- ``search_text`` re-made by ``search.index_text``: jieba terms plus the bigrams of every CJK run, so that any
  substring of a title of two characters or more finds it.
- SQLite: triggers on ``standards_standard`` keep the FTS5 table in sync (``search.ensure_fts_triggers`` also
  re-creates them after every migrate); the table is re-filled.
- PostgreSQL: the GIN expression index is replaced by a stored generated ``search_vector`` column
  (``to_tsvector('simple', search_text)``) with its own GIN index, so ranking reads the stored vector.
"""

from django.db import migrations

FTS_TABLE = "standards_standard_fts"


def forward(apps, schema_editor):
    from nqihub.standards.search import _TRIGGERS, index_text

    Standard = apps.get_model("standards", "Standard")
    batch = []
    for s in Standard.objects.only("id", "title", "canonical", "title_en").iterator(chunk_size=2000):
        s.search_text = index_text(s.title, s.canonical, s.title_en)
        batch.append(s)
        if len(batch) >= 2000:
            Standard.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Standard.objects.bulk_update(batch, ["search_text"])
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DELETE FROM {FTS_TABLE}")
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM standards_standard"
        )
        for name, body in _TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS standards_standard_search_gin")
        schema_editor.execute(
            "ALTER TABLE standards_standard ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS standards_standard_vector_gin ON standards_standard USING GIN (search_vector)"
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from nqihub.standards.search import _TRIGGERS

        for name in _TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS standards_standard_vector_gin")
        schema_editor.execute("ALTER TABLE standards_standard DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS standards_standard_search_gin ON standards_standard "
            "USING GIN (to_tsvector('simple', search_text))"
        )


class Migration(migrations.Migration):
    dependencies = [("standards", "0004_standard_proposal")]

    operations = [migrations.RunPython(forward, backward)]
