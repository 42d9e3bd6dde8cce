"""An observation is identified by its key — version, series, series key, period — and has no row
number of its own any more.

Why: a million-row import paid for the number three times over (a sequence call per row, 8 bytes
in every row COPYed, and a second index built after the load), and nothing ever looked an
observation up by it. See "How versions are stored" in ``docs/data-hub.md``.

- SQLite: the key becomes the table's primary key (the table is rebuilt; rows keep their values).
- PostgreSQL: the partitioned table loses its primary key and its four-column unique key, and
  gets one unique index on the version and the key as one string,
  ``series || chr(1) || series_key || chr(1) || time_period`` in the "C" collation. A byte
  below every character the check lets through separates the parts, so the string is unique
  exactly when the four columns are, and sorts exactly as they do, byte by byte (as SQLite
  sorts them). Built in bulk after a submission's COPY, one text column sorts in about 0.45 s
  per million rows against 1.0–1.3 s for the four columns (see benchmarks/README.md). Readers
  order by the same expression (``indicators.models.key_order``) so that the index serves them.

Django's model state gets the composite primary key on both databases.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

TABLE = "indicators_observation"
# The key as one string; written out here rather than imported, as a migration must not change
# when the code does. indicators.models.KEY_SQL is the same text.
KEY_SQL = '((series || chr(1) || series_key || chr(1) || time_period) COLLATE "C")'
COLUMNS = (
    "series, series_key, time_period, value, obs_status, conf_status, unit, unit_multiplier, "
    "footnote, source_row, version_id"
)
SQLITE_KEYED = (
    'CREATE TABLE "{name}" ("series" varchar(300) NOT NULL, "series_key" varchar(1000) NOT NULL, '
    '"time_period" varchar(30) NOT NULL, "value" decimal NULL, "obs_status" varchar(40) NOT NULL, '
    '"conf_status" varchar(10) NOT NULL, "unit" varchar(100) NOT NULL, '
    '"unit_multiplier" smallint NULL, "footnote" text NOT NULL, '
    '"source_row" integer unsigned NULL CHECK ("source_row" >= 0), '
    '"version_id" bigint NOT NULL REFERENCES "indicators_datasetversion" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    'PRIMARY KEY ("version_id", "series", "series_key", "time_period"))'
)
SQLITE_NUMBERED = (
    'CREATE TABLE "{name}" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
    '"series" varchar(300) NOT NULL, "series_key" varchar(1000) NOT NULL, '
    '"time_period" varchar(30) NOT NULL, "value" decimal NULL, "obs_status" varchar(40) NOT NULL, '
    '"conf_status" varchar(10) NOT NULL, "unit" varchar(100) NOT NULL, '
    '"unit_multiplier" smallint NULL, "footnote" text NOT NULL, '
    '"source_row" integer unsigned NULL CHECK ("source_row" >= 0), '
    '"version_id" bigint NOT NULL REFERENCES "indicators_datasetversion" ("id") '
    "DEFERRABLE INITIALLY DEFERRED, "
    'CONSTRAINT "indicators_observation_unique" '
    'UNIQUE ("version_id", "series", "series_key", "time_period"))'
)


def _sqlite_rebuild(cursor: Any, create: str, order: str) -> None:
    cursor.execute(create.format(name=f"{TABLE}__new"))
    cursor.execute(
        f"INSERT INTO {TABLE}__new ({COLUMNS}) "  # noqa: S608  # fixed names
        f"SELECT {COLUMNS} FROM {TABLE} ORDER BY {order}"
    )
    cursor.execute(f"DROP TABLE {TABLE}")
    cursor.execute(f"ALTER TABLE {TABLE}__new RENAME TO {TABLE}")


def keyed(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _sqlite_rebuild(cursor, SQLITE_KEYED, "id")
            return
        if connection.vendor != "postgresql":
            return
        # Dropping the partitioned table's keys drops the partitions' (they were attached to
        # them); dropping its column drops theirs, with the defaults that named its sequence.
        cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey")
        cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_unique")
        cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN id")
        # Built on every partition (each version's and the default) and attached to this one.
        cursor.execute(f"CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} (version_id, {KEY_SQL})")


def numbered(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _sqlite_rebuild(cursor, SQLITE_NUMBERED, "version_id, series, series_key, time_period")
            return
        if connection.vendor != "postgresql":
            return
        cursor.execute(f"DROP INDEX {TABLE}_key")
        # Numbered afresh; new rows continue after the largest number.
        cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN id bigint")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_renumber")
        cursor.execute(f"UPDATE {TABLE} SET id = nextval('{TABLE}_renumber')")  # noqa: S608
        cursor.execute(f"DROP SEQUENCE {TABLE}_renumber")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET NOT NULL")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET CACHE 1000")
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")  # noqa: S608
        (next_id,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id RESTART WITH {int(next_id)}")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, version_id)"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_unique "
            "UNIQUE (version_id, series, series_key, time_period)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_observation_without_dimensions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="observation", name="indicators_observation_unique"
                ),
                migrations.RemoveField(model_name="observation", name="id"),
                migrations.AddField(
                    model_name="observation",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "version",
                        "series",
                        "series_key",
                        "time_period",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(keyed, numbered, elidable=False)],
        ),
    ]
