"""Search that forgives accents, case and spelling (docs/network.md, "Search").

PostgreSQL: the `unaccent` and `pg_trgm` extensions (both trusted in PostgreSQL 15, so the
database owner may create them), the `bruggen_dutch` text search configuration (Dutch with
`unaccent` before stemming), trigram GIN indexes on the folded names, and every stored
search vector recomputed in that configuration. Everywhere: the folded-name columns,
filled for existing rows. On SQLite the extension, configuration and index steps do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

NAME_TABLES = ["network_organisation", "network_person"]
SEARCHABLE = ["initiative", "organisation", "person"]


def create_search_configuration(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'bruggen_dutch') THEN
                CREATE TEXT SEARCH CONFIGURATION bruggen_dutch (COPY = pg_catalog.dutch);
            END IF;
        END $$
        """
    )
    # Words with letters beyond ASCII lose their accents before they are stemmed; ASCII
    # words have none to lose.
    schema_editor.execute(
        "ALTER TEXT SEARCH CONFIGURATION bruggen_dutch "
        "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, dutch_stem"
    )


def drop_search_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS bruggen_dutch")


def create_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAME_TABLES:
        for column in ("search_name", "search_key"):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
                f"ON {table} USING gin ({column} gin_trgm_ops)"
            )


def drop_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAME_TABLES:
        for column in ("search_name", "search_key"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


def refresh_search(apps, schema_editor):
    # The one fold and the vector fields live in network.search; a fresh database has no
    # rows, so this only runs where there is something to recompute.
    from network.search import search_vectors_refresh

    for model_name in SEARCHABLE:
        model = apps.get_model("network", model_name)
        if model.objects.exists():
            search_vectors_refresh(model)


class Migration(migrations.Migration):
    dependencies = [("network", "0005_ref_validator_end_anchor")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(create_search_configuration, drop_search_configuration),
        migrations.AddField(
            model_name="organisation",
            name="search_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="organisation",
            name="search_name",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="person",
            name="search_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="person",
            name="search_name",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(create_name_indexes, drop_name_indexes),
        migrations.RunPython(refresh_search, migrations.RunPython.noop),
    ]
