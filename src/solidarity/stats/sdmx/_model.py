"""The shape of an SDMX dataset: pysdmx's structure classes plus a small observation record.

The structures (codelists, concept schemes, data structure definitions, dataflows) are
pysdmx's own model classes, used as they are, so that anything this package builds can be handed
to pysdmx's writers and anything pysdmx reads can be handed back. Only the observation is ours:
pysdmx keeps data in pandas data frames, which hold a whole dataset in memory and turn decimal
numbers into floats; a stream of small frozen records with `~decimal.Decimal` values does
neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pysdmx.model import (
    Code,
    Codelist,
    Component,
    Components,
    Concept,
    ConceptScheme,
    Dataflow,
    DataStructureDefinition,
    DataType,
    Role,
)

from .._messages import message
from ._errors import SdmxStructureError

TIME_PERIOD = "TIME_PERIOD"
#: ``dimensionAtObservation`` of flat data: every dimension on each observation.
ALL_DIMENSIONS = "AllDimensions"
OBS_VALUE = "OBS_VALUE"

#: The observation-level attributes a data structure carries unless told otherwise, with the
#: names of their concepts in the SDMX cross-domain concept scheme.
STANDARD_ATTRIBUTES: Mapping[str, str] = {
    "OBS_STATUS": "Observation status",
    "CONF_STATUS": "Confidentiality status",
    "UNIT_MEASURE": "Unit of measure",
    "UNIT_MULT": "Unit multiplier",
    "COMMENT_OBS": "Observation comment",
}

_CONCEPT_URN = "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={agency}:{scheme}({version}).{id}"


@dataclass(frozen=True, slots=True)
class Observation:
    """One observation of a dataset, whatever SDMX format it came from or goes to.

    Attributes
    ----------
    key : tuple of (str, str)
        ``(dimension id, code)`` for every dimension but ``TIME_PERIOD``, in the order of the
        data structure definition.
    time_period : str
        The period in SDMX form: ``2014``, ``2014-Q1``, ``2014-01``…
    value : Decimal or None
        ``OBS_VALUE``; None when the observation has no value (a suppressed or missing cell,
        whose ``OBS_STATUS`` says why).
    attributes : tuple of (str, str)
        ``(attribute id, value)`` for every attribute the observation has a value for, in the
        order of the data structure definition; attributes without a value are left out.

    Examples
    --------
    >>> observation = Observation(
    ...     key=(("SEX", "F"),), time_period="2014", value=Decimal("17"),
    ...     attributes=(("OBS_STATUS", "A"),),
    ... )
    >>> observation.code("SEX"), observation.attribute("OBS_STATUS"), observation.obs_status
    ('F', 'A', 'A')
    >>> observation.conf_status is None
    True
    """

    key: tuple[tuple[str, str], ...]
    time_period: str
    value: Decimal | None
    attributes: tuple[tuple[str, str], ...] = ()

    def code(self, dimension: str) -> str:
        """The code of one dimension; `KeyError` when the key has no such dimension."""
        for name, code in self.key:
            if name == dimension:
                return code
        raise KeyError(dimension)

    def attribute(self, attribute: str) -> str | None:
        """The value of one attribute, or None when the observation has none."""
        for name, value in self.attributes:
            if name == attribute:
                return value
        return None

    @property
    def obs_status(self) -> str | None:
        """The ``OBS_STATUS`` code (``A`` normal, ``E`` estimated, ``Q`` missing…)."""
        return self.attribute("OBS_STATUS")

    @property
    def conf_status(self) -> str | None:
        """The ``CONF_STATUS`` code (``C`` confidential, ``F`` free…)."""
        return self.attribute("CONF_STATUS")


@dataclass(frozen=True, slots=True)
class Dataset:
    """A data structure definition and the observations that follow it.

    Attributes
    ----------
    structure : pysdmx.model.DataStructureDefinition
        Built with `data_structure`, or read with `read_sdmx_structure`.
    observations : iterable of Observation
        Any iterable: the writers consume it once, in order, so a generator lets a large
        dataset stream from its source to its destination. The readers return a tuple.

    Examples
    --------
    >>> structure = data_structure(
    ...     agency="SOLIDARITY", id="DSD_EXAMPLE", name="Example",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female", "M": "Male"}, agency="SDMX")},
    ... )
    >>> dataset = Dataset(structure, [Observation((("SEX", "F"),), "2014", Decimal("1"))])
    >>> dimension_ids(dataset.structure)
    ('SEX',)
    """

    structure: DataStructureDefinition
    observations: Iterable[Observation]


def codelist(
    id: str,
    codes: Mapping[str, str],
    *,
    agency: str,
    version: str = "1.0",
    name: str | None = None,
) -> Codelist:
    """A pysdmx codelist from ``{code: name}``.

    Parameters
    ----------
    id : str
        The codelist's identifier, ``CL_SEX`` say.
    codes : mapping of str to str
        Code to name, in the order the codes should be listed.
    agency : str
        The maintenance agency (``SDMX`` for the SDMX global codelists).
    version : str, default "1.0"
    name : str, optional
        The codelist's name; its identifier when not given.

    Examples
    --------
    >>> sex = codelist("CL_SEX", {"F": "Female", "M": "Male", "_T": "Total"}, agency="SDMX")
    >>> [code.id for code in sex]
    ['F', 'M', '_T']
    """
    return Codelist(
        id=id,
        agency=agency,
        version=version,
        name=name or id,
        items=[Code(id=code, name=label) for code, label in codes.items()],
    )


def data_structure(
    *,
    agency: str,
    id: str,
    name: str,
    dimensions: Mapping[str, Codelist],
    version: str = "1.0",
    attributes: Mapping[str, Codelist | None] | None = None,
    concept_names: Mapping[str, str] | None = None,
) -> DataStructureDefinition:
    """A data structure definition: coded dimensions, ``TIME_PERIOD``, ``OBS_VALUE``, attributes.

    Every component's concept lives in a concept scheme ``CS_<id>`` of the same agency and
    version (see `concept_scheme`), so that the structure can be written as a complete,
    self-contained structure message.

    Parameters
    ----------
    agency, id, name : str
        The maintenance agency, identifier and name of the data structure definition.
    dimensions : mapping of str to pysdmx.model.Codelist
        Dimension id to its codelist, in key order; ``TIME_PERIOD`` comes after them.
    version : str, default "1.0"
    attributes : mapping of str to Codelist or None, optional
        Observation-level attributes, coded (a codelist) or free text (None). By default the
        five of `STANDARD_ATTRIBUTES`, as free text.
    concept_names : mapping of str to str, optional
        Names of the dimensions' concepts; a dimension's codelist name otherwise.

    Returns
    -------
    pysdmx.model.DataStructureDefinition

    Examples
    --------
    >>> sex = codelist("CL_SEX", {"F": "Female", "M": "Male"}, agency="SDMX")
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...                      dimensions={"SEX": sex})
    >>> print(*(component.id for component in dsd.components))
    SEX TIME_PERIOD OBS_VALUE OBS_STATUS CONF_STATUS UNIT_MEASURE UNIT_MULT COMMENT_OBS
    """
    if attributes is None:
        attributes = dict.fromkeys(STANDARD_ATTRIBUTES)
    names = {**STANDARD_ATTRIBUTES, TIME_PERIOD: "Time period", OBS_VALUE: "Observation value"}
    names.update({dimension: str(cl.name or dimension) for dimension, cl in dimensions.items()})
    names.update(concept_names or {})
    scheme = f"CS_{id}"

    def concept(component_id: str) -> Concept:
        urn = _CONCEPT_URN.format(agency=agency, scheme=scheme, version=version, id=component_id)
        return Concept(id=component_id, name=names.get(component_id, component_id), urn=urn)

    components = [
        Component(
            id=dimension,
            required=True,
            role=Role.DIMENSION,
            concept=concept(dimension),
            local_codes=cl,
        )
        for dimension, cl in dimensions.items()
    ]
    components.append(
        Component(
            id=TIME_PERIOD,
            required=True,
            role=Role.DIMENSION,
            concept=concept(TIME_PERIOD),
            local_dtype=DataType.PERIOD,
        )
    )
    components.append(
        Component(
            id=OBS_VALUE,
            required=False,
            role=Role.MEASURE,
            concept=concept(OBS_VALUE),
            local_dtype=DataType.DECIMAL,
        )
    )
    components.extend(
        Component(
            id=attribute,
            required=False,
            role=Role.ATTRIBUTE,
            concept=concept(attribute),
            local_codes=cl,
            local_dtype=None if cl is not None else DataType.STRING,
            attachment_level="O",
        )
        for attribute, cl in attributes.items()
    )
    return DataStructureDefinition(
        id=id,
        agency=agency,
        version=version,
        name=name,
        components=Components(components),
    )


def dimension_ids(structure: DataStructureDefinition) -> tuple[str, ...]:
    """The key's dimensions in order, ``TIME_PERIOD`` left out.

    Examples
    --------
    >>> dsd = data_structure(agency="A", id="D", name="D", dimensions={})
    >>> dimension_ids(dsd)
    ()
    """
    return tuple(c.id for c in structure.components.dimensions if c.id != TIME_PERIOD)


def observation_dimension(structure: DataStructureDefinition, name: str) -> str:
    """Check a ``dimensionAtObservation``: `ALL_DIMENSIONS` (flat data), ``TIME_PERIOD`` (time
    series) or any dimension of ``structure`` (cross-sections); the name, or `SdmxStructureError`.

    Examples
    --------
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> observation_dimension(dsd, "SEX"), observation_dimension(dsd, "TIME_PERIOD")
    ('SEX', 'TIME_PERIOD')
    >>> observation_dimension(dsd, "AGE")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    SdmxStructureError: dimensionAtObservation 'AGE' is not a dimension of D: give …
    """
    dimensions = dimension_ids(structure)
    if name in (ALL_DIMENSIONS, TIME_PERIOD) or name in dimensions:
        return name
    raise SdmxStructureError(
        message(
            "unknown_observation_dimension",
            "dimensionAtObservation {name!r} is not a dimension of {structure}: give "
            "AllDimensions, TIME_PERIOD or one of {dimensions}",
            name=name,
            structure=structure.id,
            dimensions=", ".join(dimensions),
        )
    )


def series_dimensions(structure: DataStructureDefinition, at_observation: str) -> tuple[str, ...]:
    """The dimensions of a series key when ``at_observation`` is at the observation level:
    every other dimension, ``TIME_PERIOD`` last (none for flat data).

    Examples
    --------
    >>> dsd = data_structure(agency="A", id="D", name="D", dimensions={
    ...     "SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX"),
    ...     "AGE": codelist("CL_AGE", {"_T": "Total"}, agency="SDMX")})
    >>> series_dimensions(dsd, "TIME_PERIOD"), series_dimensions(dsd, "SEX")
    (('SEX', 'AGE'), ('AGE', 'TIME_PERIOD'))
    """
    if at_observation == ALL_DIMENSIONS:
        return ()
    return tuple(d for d in (*dimension_ids(structure), TIME_PERIOD) if d != at_observation)


def _codes(observation: Observation) -> dict[str, str]:
    codes = dict(observation.key)
    codes[TIME_PERIOD] = observation.time_period
    return codes


def series_runs(
    observations: Iterable[Observation], series: Sequence[str]
) -> Iterator[tuple[tuple[str, ...], list[Observation]]]:
    """Consecutive observations with the same series key, gathered: (the key's codes in the
    order of ``series``, the observations). One series is held at a time; a series whose
    observations do not come together comes out as several runs — order them first
    (`series_ordered`) when they may not.

    Examples
    --------
    >>> rows = [Observation((("SEX", s),), p, Decimal(1)) for s, p in
    ...     [("F", "2014"), ("F", "2015"), ("M", "2014")]]
    >>> [(key, len(run)) for key, run in series_runs(rows, ("SEX",))]
    [(('F',), 2), (('M',), 1)]
    """
    current: tuple[str, ...] | None = None
    run: list[Observation] = []
    for observation in observations:
        codes = _codes(observation)
        key = tuple(codes.get(d, "") for d in series)
        if key != current and run:
            assert current is not None
            yield current, run
            run = []
        current = key
        run.append(observation)
    if run:
        assert current is not None
        yield current, run


def series_ordered(observations: Iterable[Observation], series: Sequence[str]) -> list[Observation]:
    """The observations with each series' together, in the order each series first appears
    (and in their own order within it). Holds them all: for a stream already ordered by its
    series key (as time series read from a database are), `series_runs` alone keeps memory
    flat.

    Examples
    --------
    >>> rows = [Observation((("SEX", s),), p, Decimal(1)) for s, p in
    ...     [("F", "2014"), ("M", "2014"), ("F", "2015")]]
    >>> [(o.key[0][1], o.time_period) for o in series_ordered(rows, ("SEX",))]
    [('F', '2014'), ('F', '2015'), ('M', '2014')]
    """
    groups: dict[tuple[str, ...], list[Observation]] = {}
    for observation in observations:
        codes = _codes(observation)
        groups.setdefault(tuple(codes.get(d, "") for d in series), []).append(observation)
    return [observation for run in groups.values() for observation in run]


def attribute_ids(structure: DataStructureDefinition) -> tuple[str, ...]:
    """The attributes in the order of the structure.

    Examples
    --------
    >>> attribute_ids(data_structure(agency="A", id="D", name="D", dimensions={}))
    ('OBS_STATUS', 'CONF_STATUS', 'UNIT_MEASURE', 'UNIT_MULT', 'COMMENT_OBS')
    """
    return tuple(c.id for c in structure.components.attributes)


def measure_id(structure: DataStructureDefinition) -> str:
    """The primary measure's id: ``OBS_VALUE`` in every structure this package builds.

    Examples
    --------
    >>> measure_id(data_structure(agency="A", id="D", name="D", dimensions={}))
    'OBS_VALUE'
    """
    measures = structure.components.measures
    return measures[0].id if measures else OBS_VALUE


def concept_scheme(structure: DataStructureDefinition) -> ConceptScheme:
    """The concept scheme that holds the concepts of a structure built by `data_structure`.

    Examples
    --------
    >>> scheme = concept_scheme(data_structure(agency="A", id="D", name="D", dimensions={}))
    >>> scheme.id, [concept.id for concept in scheme][:2]
    ('CS_D', ['TIME_PERIOD', 'OBS_VALUE'])
    """
    concepts = [c.concept for c in structure.components if isinstance(c.concept, Concept)]
    return ConceptScheme(
        id=f"CS_{structure.id}",
        agency=structure.agency,
        version=structure.version,
        name=f"Concepts of {structure.name or structure.id}",
        items=[Concept(id=c.id, name=c.name, urn=c.urn) for c in concepts],
    )


def codelists(structure: DataStructureDefinition) -> tuple[Codelist, ...]:
    """The codelists a structure's components are coded with, each once, in component order.

    Examples
    --------
    >>> sex = codelist("CL_SEX", {"F": "Female"}, agency="SDMX")
    >>> [cl.id for cl in codelists(data_structure(agency="A", id="D", name="D",
    ...                                           dimensions={"SEX": sex}))]
    ['CL_SEX']
    """
    found: dict[tuple[str, str, str], Codelist] = {}
    for component in structure.components:
        cl = component.local_codes
        if isinstance(cl, Codelist):
            found.setdefault((str(cl.agency), cl.id, cl.version), cl)
    return tuple(found.values())


def dataflow(
    structure: DataStructureDefinition,
    *,
    id: str,
    name: str,
    agency: str | None = None,
    version: str = "1.0",
) -> Dataflow:
    """A dataflow that follows a data structure definition.

    Examples
    --------
    >>> flow = dataflow(data_structure(agency="A", id="D", name="D", dimensions={}),
    ...                 id="DF_D", name="Flow")
    >>> flow.short_urn
    'Dataflow=A:DF_D(1.0)'
    """
    return Dataflow(
        id=id, agency=agency or structure.agency, version=version, name=name, structure=structure
    )


def structure_artefacts(
    structure: DataStructureDefinition, *, flows: Sequence[Dataflow] = ()
) -> list[Codelist | ConceptScheme | DataStructureDefinition | Dataflow]:
    """Everything a self-contained structure message about ``structure`` holds.

    Examples
    --------
    >>> dsd = data_structure(agency="A", id="D", name="D", dimensions={})
    >>> [type(a).__name__ for a in structure_artefacts(dsd)]
    ['ConceptScheme', 'DataStructureDefinition']
    """
    return [*codelists(structure), concept_scheme(structure), structure, *flows]
