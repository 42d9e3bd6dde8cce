"""Load the compact figure tables shipped in ``fairshare/data/`` so that a fresh install can
compute keys at once. Reads the files with the csv module only (no app code, as data migrations
must); re-running changes nothing, and later imports refresh the rows."""

import csv
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    figure = apps.get_model("fairshare", "ReferenceFigure")
    sources = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
    for indicator in ("population", "gdp", "refugees", "migrant_stock"):
        entry = sources[indicator]
        if figure.objects.filter(indicator=indicator).exists():
            continue
        with (DATA / entry["file"]).open(encoding="utf-8", newline="") as file:
            rows = [
                figure(
                    indicator=indicator,
                    iso3=row["iso3"],
                    year=int(row["year"]),
                    # Whole persons and US dollars, as actions.figures_import stores them.
                    value=Decimal(row["value"]).quantize(Decimal(1)) if row["value"] else None,
                    source=entry["source"],
                )
                for row in csv.DictReader(file)
            ]
        figure.objects.bulk_create(rows, batch_size=2000)


def unload(apps, schema_editor):
    apps.get_model("fairshare", "ReferenceFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("fairshare", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
