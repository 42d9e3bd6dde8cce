"""Drop the observations' JSON of dimension codes: ``Observation.dimensions`` now reads them
from the series key, which holds the same pairs. A leaner row is a faster import (see "How
versions are stored" in ``docs/data-hub.md``); reversing adds the column back, and the previous
migration fills it again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_observation_dimensions_refill_backwards"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="observation",
            name="dimensions",
        ),
    ]
