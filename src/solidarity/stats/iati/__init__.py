"""IATI 2.03 activity files: read (streamed, checked against the official XSD or Solidarity's
own rules) and written (lxml, in the schema's element order). Plain Python, no Django.

The official schemas are not shipped: their folder is given by the caller (the platform reads
it from ``SOLIDARITY_IATI_SCHEMA_DIR``).

Examples
--------
>>> from solidarity.stats.iati import TRANSACTION_TYPES
>>> TRANSACTION_TYPES["3"]
'Disbursement'
"""

from ._errors import IatiError, IatiSyntaxError, Problem
from ._model import (
    DAC_MIGRATION_PURPOSE,
    GCM_TAG_VOCABULARY_URI,
    TRANSACTION_TYPES,
    Activity,
    Coded,
    Organisation,
    Transaction,
    canonical_decimal,
)
from ._read import IatiReading, check_iati, iati_schema, parse_date, parse_decimal, read_iati
from ._write import activity_element, write_iati

__all__ = [
    "DAC_MIGRATION_PURPOSE",
    "GCM_TAG_VOCABULARY_URI",
    "TRANSACTION_TYPES",
    "Activity",
    "Coded",
    "IatiError",
    "IatiReading",
    "IatiSyntaxError",
    "Organisation",
    "Problem",
    "Transaction",
    "activity_element",
    "canonical_decimal",
    "check_iati",
    "iati_schema",
    "parse_date",
    "parse_decimal",
    "read_iati",
    "write_iati",
]
