"""Nothing forwards. Backwards, after the next migration is reversed (which adds the JSON of
dimension codes back, empty), fill that column from the series keys, which hold the same pairs.
A data migration of its own, apart from the schema change it undoes."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def fill_dimensions(apps: Any, schema_editor: Any) -> None:
    observation = apps.get_model("indicators", "Observation")
    rows = observation.objects.exclude(series_key="").only("id", "series_key")
    changed = []
    for row in rows.iterator(chunk_size=2000):
        row.dimensions = dict(pair.split("=", 1) for pair in row.series_key.split("|"))
        changed.append(row)
        if len(changed) == 2000:
            observation.objects.bulk_update(changed, ["dimensions"])
            changed = []
    observation.objects.bulk_update(changed, ["dimensions"])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_observation_without_series_index"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, fill_dimensions, elidable=False),
    ]
