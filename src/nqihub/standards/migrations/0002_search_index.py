"""The full-text index over ``Standard.search_text``, per database vendor.

SQLite: an FTS5 table (rowid = standard id; unicode61 tokenizer over the space-separated jieba terms, so a
two-character word such as 甲醛 is a whole token). PostgreSQL: a GIN index on
``to_tsvector('simple', search_text)``. ``standards.search`` keeps the FTS5 table in sync.
"""

from django.db import migrations

FTS_TABLE = "standards_standard_fts"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "search_text, tokenize = 'unicode61 remove_diacritics 0')"
        )
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM standards_standard"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS standards_standard_search_gin ON standards_standard "
            "USING GIN (to_tsvector('simple', search_text))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS standards_standard_search_gin")


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
