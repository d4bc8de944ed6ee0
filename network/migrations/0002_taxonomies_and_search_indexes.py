from django.db import migrations

SEARCH_TABLES = ["network_initiative", "network_organisation", "network_person"]


def load_taxonomies(apps, schema_editor):
    from network.taxonomies import taxonomy_sync

    taxonomy_sync(apps)


def create_search_indexes(apps, schema_editor):
    # GIN indexes for full-text search exist only on PostgreSQL; SQLite searches without them.
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING gin (search_vector)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [
        migrations.RunPython(load_taxonomies, migrations.RunPython.noop),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
