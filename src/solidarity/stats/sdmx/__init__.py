"""SDMX exchange without Django: structures, writers, readers and schema validation.

The structures are pysdmx's model classes (`data_structure` and `codelist` build them the way
the platform needs: coded dimensions, ``TIME_PERIOD``, ``OBS_VALUE`` and observation-level
attributes); a `Dataset` pairs one with a stream of `Observation` records whose values are
`~decimal.Decimal`.

Which library does what:

- SDMX-CSV 1.0 and 2.0: written here, line by line (`write_sdmx_csv`, streaming); read by
  pysdmx after checks for the mistakes people make (`read_sdmx_data`).
- SDMX-ML 2.1 structure-specific and generic data, 3.0 structure-specific data: streamed here
  with lxml (`stream_sdmx_ml`, `write_sdmx_ml`; pysdmx's writer on request), with the schema of
  a structure's structure-specific data (`structure_specific_schema`); read by pysdmx or sdmx1
  (``engine=``).
- Structure messages (codelists, concept scheme, data structure definition, dataflows) in
  SDMX-ML 2.1 and 3.0: written and read by pysdmx (`write_sdmx_structure`,
  `read_sdmx_structure`).
- SDMX-JSON 2.1 data: written here (`write_sdmx_json`, streaming) and read here
  (`read_sdmx_json`, also through `read_sdmx_data`): neither library handles SDMX-JSON 2.x data.
- Validation against the official SDMX-ML schemas: lxml (`validate_sdmx_ml`); against the
  SDMX-JSON schema: jsonschema (`validate_sdmx_json`).

Examples
--------
>>> from decimal import Decimal
>>> from solidarity.stats.sdmx import (Dataset, Observation, codelist, data_structure,
...     read_sdmx_data, write_sdmx_csv)
>>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Migrant deaths",
...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female", "M": "Male"}, agency="SDMX")})
>>> rows = [Observation((("SEX", "F"),), "2014", Decimal("17"))]
>>> text = "".join(write_sdmx_csv(Dataset(dsd, rows)))
>>> read_sdmx_data(text.encode(), structure=dsd).observations == tuple(rows)
True
"""

from ._csv import CsvVersion, check_sdmx_csv_header, decimal_text, write_sdmx_csv
from ._errors import Problem, SdmxError, SdmxFormatError, SdmxStructureError, SdmxSyntaxError
from ._json import (
    SDMX_JSON_DATA_SCHEMA,
    read_sdmx_json,
    sdmx_json_version,
    validate_sdmx_json,
    write_sdmx_json,
)
from ._ml_stream import (
    MlDataFormat,
    MlVersion,
    stream_sdmx_ml,
    structure_namespace,
    structure_specific_schema,
)
from ._model import (
    ALL_DIMENSIONS,
    OBS_VALUE,
    STANDARD_ATTRIBUTES,
    TIME_PERIOD,
    Dataset,
    Observation,
    attribute_ids,
    codelist,
    codelists,
    concept_scheme,
    data_structure,
    dataflow,
    dimension_ids,
    measure_id,
    observation_dimension,
    series_dimensions,
    series_ordered,
    series_runs,
    structure_artefacts,
)
from ._read import (
    MESSAGE_NAMESPACES,
    Engine,
    Source,
    observations_from_rows,
    read_sdmx_data,
    read_sdmx_structure,
    sdmx_ml_version,
)
from ._validate import SCHEMA_DIR_VARIABLE, schema_dir_from_environment, validate_sdmx_ml
from ._xml import MlEngine, write_sdmx_ml, write_sdmx_structure

__all__ = [
    "ALL_DIMENSIONS",
    "MESSAGE_NAMESPACES",
    "OBS_VALUE",
    "SCHEMA_DIR_VARIABLE",
    "SDMX_JSON_DATA_SCHEMA",
    "STANDARD_ATTRIBUTES",
    "TIME_PERIOD",
    "CsvVersion",
    "Dataset",
    "Engine",
    "MlDataFormat",
    "MlEngine",
    "MlVersion",
    "Observation",
    "Problem",
    "SdmxError",
    "SdmxFormatError",
    "SdmxStructureError",
    "SdmxSyntaxError",
    "Source",
    "attribute_ids",
    "check_sdmx_csv_header",
    "codelist",
    "codelists",
    "concept_scheme",
    "data_structure",
    "dataflow",
    "decimal_text",
    "dimension_ids",
    "measure_id",
    "observation_dimension",
    "observations_from_rows",
    "read_sdmx_data",
    "read_sdmx_json",
    "read_sdmx_structure",
    "schema_dir_from_environment",
    "sdmx_json_version",
    "sdmx_ml_version",
    "series_dimensions",
    "series_ordered",
    "series_runs",
    "stream_sdmx_ml",
    "structure_artefacts",
    "structure_namespace",
    "structure_specific_schema",
    "validate_sdmx_json",
    "validate_sdmx_ml",
    "write_sdmx_csv",
    "write_sdmx_json",
    "write_sdmx_ml",
    "write_sdmx_structure",
]
