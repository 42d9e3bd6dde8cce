"""On PostgreSQL, make the observations table a table partitioned by dataset version.

A submission's observations then go, by COPY, into a fresh table of their own with no index,
whose indexes are built in bulk once every row is in and which is then attached as the
partition of its version (see ``_ObservationWriter`` in ``indicators/actions.py`` and "Speed"
in ``docs/data-hub.md``). Everything else (the UN DESA workbook's many small versions, rows
written through the ORM) lands in the default partition, which keeps the foreign key to the
version; a version's own partition needs none, its bound being the version.

Django's model of the table does not change (no state operation): SQLite keeps one plain table.
Rows already stored move to the default partition.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "indicators_observation"
VERSIONS = "indicators_datasetversion"
KEY = "(version_id, series, series_key, time_period)"


def _names(cursor: Any, table: str, kind: str) -> list[str]:
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = %s",
        [table, kind],
    )
    return [name for (name,) in cursor.fetchall()]


def _restart_numbering(cursor: Any) -> None:
    # The rows keep their numbers; new ones continue after the largest.
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")  # noqa: S608  # fixed name
    (next_id,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id RESTART WITH {int(next_id)}")


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned")
        # Index and constraint names are the schema's: free them for the partitioned table.
        for kind in ("p", "u", "f"):
            for name in _names(cursor, f"{TABLE}_unpartitioned", kind):
                cursor.execute(f'ALTER TABLE {TABLE}_unpartitioned DROP CONSTRAINT "{name}"')
        cursor.execute("DROP INDEX IF EXISTS indicators_obs_series_idx")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {TABLE}_unpartitioned INCLUDING DEFAULTS "
            "INCLUDING IDENTITY INCLUDING CONSTRAINTS) PARTITION BY LIST (version_id)"
        )
        # A partitioned table's unique keys must hold its partition key: the version.
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, version_id)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_unique UNIQUE {KEY}")
        cursor.execute(
            f"CREATE INDEX indicators_obs_series_idx ON {TABLE} (version_id, series_key)"
        )
        # A COPY of a million rows asks the sequence for a million numbers: a thousand at a time.
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET CACHE 1000")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(
            f"ALTER TABLE {TABLE}_default ADD CONSTRAINT {TABLE}_default_version_fk "
            f"FOREIGN KEY (version_id) REFERENCES {VERSIONS} (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_unpartitioned")  # noqa: S608
        cursor.execute(f"DROP TABLE {TABLE}_unpartitioned")
        _restart_numbering(cursor)


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")  # noqa: S608
        cursor.execute(f"DROP TABLE {TABLE} CASCADE")  # the partitions with it
        cursor.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_unique UNIQUE {KEY}")
        cursor.execute(
            f"CREATE INDEX indicators_obs_series_idx ON {TABLE} (version_id, series_key)"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_version_fk FOREIGN KEY (version_id) "
            f"REFERENCES {VERSIONS} (id) DEFERRABLE INITIALLY DEFERRED"
        )
        _restart_numbering(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_catalogue_revision"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
