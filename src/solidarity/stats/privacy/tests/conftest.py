"""Fixtures of the privacy engine's tests: the example specification for the UCI Adult extract,
and one local Spark session for the whole run (starting Spark takes seconds)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solidarity.stats.privacy.spec import Spec, load_spec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="session")
def adult_csv(shared_data: Path) -> Path:
    return shared_data / "microdata" / "uci_adult_census_1994.csv"


@pytest.fixture(scope="session")
def adult_spec() -> Spec:
    return load_spec(EXAMPLES / "adult-1994.yaml")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session with one core, shared by every test that needs it."""
    with warnings.catch_warnings():
        # PySpark checks the pandas version on import and warns about pandas 3; the engine
        # does not hand pandas frames to Spark.
        warnings.simplefilter("ignore", FutureWarning)
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[1]")
            .appName("solidarity-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
