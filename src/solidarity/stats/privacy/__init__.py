"""The privacy engine: microdata to protected, audited, disaggregated tables.

A table specification (`spec`) says which columns of a microdata file (CSV or Parquet) become
which dimensions and which tables to build; an engine (`tabulate`: DuckDB by default, Apache
Spark for data beyond one machine) counts every cell with all margins (`tables`); a protection
method — the cell key method (`cellkey`), threshold and secondary suppression (`suppression`)
or differential privacy (`dp`) — decides what is published; `output` writes SDMX-CSV files
and a report; `audit` re-reads them and proves the protection holds. `run.protect` chains it
all, and the ``solidarity tabulate`` / ``solidarity audit`` commands (`cli`) call it.

Privacy parameters (threshold, maximum deviation, rho) are required arguments of the library;
only the command line and the specification offer defaults, and the report records them.
See docs/privacy.md.
"""
