"""Reading Open SDG indicator CSV files: streamed, checked, and put in SDMX terms.

Open SDG (https://open-sdg.org) is the platform many national statistical offices use to publish
SDG indicators; each indicator is one CSV file with a ``Year`` column, disaggregation columns and
a ``Value`` column, a blank disaggregation meaning the total. `read_open_sdg` reads such a file
row by row, reports every problem with file, row, column, value and reason, and yields
`Observation` objects whose periods and status codes are SDMX's.

Examples
--------
>>> import io
>>> from solidarity.stats.opensdg import read_open_sdg
>>> reading = read_open_sdg(io.BytesIO(b"Year,Value\\n2014,17.0\\n2014,18\\n"), file_name="a.csv")
>>> [observation.value for observation in reading.observations()]
[Decimal('17.0')]
>>> print(reading.problems[0].reason)
duplicates row 2 with another value: same period, series, unit, GeoCode and disaggregation
"""

from ._errors import (
    CsvSyntaxError,
    DuplicateColumnError,
    EmptyFileError,
    EncodingError,
    HeaderError,
    MissingColumnError,
    OpenSdgError,
    Problem,
    Severity,
)
from ._periods import Period, normalise_period
from ._reader import Observation, Reading, read_open_sdg, read_owid
from ._values import (
    OBS_STATUS_WORDS,
    UNIT_MULTIPLIER_WORDS,
    VALUE_SYMBOLS,
    Value,
    parse_obs_status,
    parse_unit_multiplier,
    parse_value,
)

__all__ = [
    "OBS_STATUS_WORDS",
    "UNIT_MULTIPLIER_WORDS",
    "VALUE_SYMBOLS",
    "CsvSyntaxError",
    "DuplicateColumnError",
    "EmptyFileError",
    "EncodingError",
    "HeaderError",
    "MissingColumnError",
    "Observation",
    "OpenSdgError",
    "Period",
    "Problem",
    "Reading",
    "Severity",
    "Value",
    "normalise_period",
    "parse_obs_status",
    "parse_unit_multiplier",
    "parse_value",
    "read_open_sdg",
    "read_owid",
]
