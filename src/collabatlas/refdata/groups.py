"""Country groups for analyses such as "China's collaboration with Belt and Road countries".

Every group is read from maintained data, never typed in by hand. Countries are ISO 3166-1 alpha-2
codes in upper case. Group names are case-insensitive:

- ``bri`` (alias ``belt-and-road``): the 137 countries that had signed Belt and Road cooperation
  documents by January 2020 (reference dataset ``bri``). Every file named below is a packaged
  reference dataset (:mod:`collabatlas.refdata`), overridable by ``data_dir`` / ``$COLLABATLAS_DATA``.
- ``income:high``, ``income:upper-middle``, ``income:lower-middle``, ``income:low``: the current
  World Bank income classification, ``indicators/WDI_R_package_country_income_region.csv``. With a
  ``year`` inside the range of ``indicators/Country_Income_Classification_-_World_Bank_2017_.csv``
  (Our World in Data, 1987–2016, by country name), the historical classification of that year.
- ``wb-region:<slug>``: World Bank regions from the same WDI file, e.g. ``wb-region:east-asia-pacific``.
- ``un-region:<slug>``, ``un-subregion:<slug>``: UN M49 regions and sub-regions,
  ``indicators/country-codes.csv`` (Frictionless country-codes), e.g. ``un-subregion:eastern-asia``.
- ``eu``, ``oecd``, ``g7``, ``g20``, ``continent:<slug>``: the country table of the
  ``country_converter`` package. ``eu`` and ``oecd`` honour ``year`` (membership at the end of that
  year). country_converter's G20 column lists every EU member state (the EU itself is a member), so
  ``g20`` is derived as that column minus the current EU, plus the EU members of the G7 (DE, FR, IT):
  the 19 member countries. ``g20+eu`` is the column as the package has it.
- ``csv:<path>`` and ``csv:<path>#<group>``: a user CSV with a column ``iso2`` (or ``country``, names
  converted with country_converter) and an optional column ``group``.

Groups without dated membership ignore ``year``. Files are read once per resolved path and
modification time.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import country_converter as coco
import pandas as pd

from collabatlas import refdata
from collabatlas.errors import GroupError
from collabatlas.refdata import countries, indicators

BRI_FILE = "indicators/belt_and_road_countries_2020-01_iso.csv"
WB_FILE = "indicators/WDI_R_package_country_income_region.csv"
OWID_INCOME_FILE = "indicators/Country_Income_Classification_-_World_Bank_2017_.csv"
M49_FILE = "indicators/country-codes.csv"

INCOME_LEVELS = ("low", "lower-middle", "upper-middle", "high")
"""Income groups from poorest to richest; OWID codes 1 … 4 in this order."""

ALIASES = {"belt-and-road": "bri"}

# country_converter's EU snapshot columns, with the first year whose end they describe.
_EU_COLUMNS_SINCE = (
    (2020, "EU27"), (2013, "EU28"), (2007, "EU27_2007"), (2004, "EU25"), (1995, "EU15"), (1986, "EU12"),
)
_COCO_GROUPS = {
    "eu": ("EU", "European Union member states (current EU27; with year: members at the end of the year, 1986 on)"),
    "oecd": ("OECD", "OECD member countries (with year: those that had acceded by then)"),
    "g7": ("G7", "G7 countries"),
    "g20": ("G20", "the 19 G20 member countries"),
    "g20+eu": ("G20", "G20 member countries plus all EU member states (the EU is a G20 member)"),
}

_Labelled = dict[str, tuple[str, frozenset[str]]]
"""slug → (label as written in the source, member codes)."""


@dataclass(frozen=True)
class GroupInfo:
    """One group name accepted by :func:`group_members`."""

    name: str
    description: str
    source: str


def available_groups(data_dir: str | os.PathLike[str] | None = None) -> list[GroupInfo]:
    """Every group name :func:`group_members` accepts, with what it means and where it comes from."""
    coco_source = f"country_converter {coco.__version__}"
    groups = [GroupInfo("bri", "Belt and Road countries, January 2020 (alias belt-and-road)",
                        _source(BRI_FILE, data_dir))]
    years = indicators.historical_income(data_dir)["year"]
    income_source = (f"{_source(WB_FILE, data_dir)}; with year <= {years.max()}: "
                     f"{_source(OWID_INCOME_FILE, data_dir)}")
    groups += [GroupInfo(f"income:{level}", f"{level} income economies, World Bank: current classification, "
                         f"or that of year {years.min()}–{years.max()}", income_source)
               for level in reversed(INCOME_LEVELS)]
    for prefix, (describe, relative) in _FAMILIES.items():
        source = _source(relative, data_dir) if relative else f"{coco_source}, column Continent_7"
        groups += [GroupInfo(f"{prefix}:{slug}", describe.format(label=label), source)
                   for slug, (label, _) in sorted(_family(prefix, data_dir).items())]
    groups += [GroupInfo(name, description, f"{coco_source}, column {column}")
               for name, (column, description) in _COCO_GROUPS.items()]
    groups.append(GroupInfo("csv:<path>[#<group>]", "countries in a CSV with column iso2 or country, "
                            "optionally only the rows whose column group is <group>", "user file"))
    return groups


def group_members(name: str, data_dir: str | os.PathLike[str] | None = None,
                  year: int | None = None) -> frozenset[str]:
    """The ISO2 codes of group ``name`` (see the module docstring), in ``year`` where the source has dates."""
    spec = name.strip()
    kind, colon, argument = spec.partition(":")
    kind = kind.lower()
    if kind == "csv" and colon:
        return _csv_members(argument)
    key = ALIASES.get(spec.lower(), spec.lower())
    argument = argument.lower()
    if key == "bri":
        return _bri(*_stamp(_data_file(BRI_FILE, data_dir)))
    if key in _COCO_GROUPS:
        return _coco_members(key, year)
    if kind == "income" and argument in INCOME_LEVELS:
        return frozenset(code for code, level in _income_table(year, data_dir).items() if level == argument)
    if kind in _FAMILIES and argument in (members := _family(kind, data_dir)):
        return members[argument][1]
    raise _unknown_group(name, data_dir)


def income_group(iso2: str, year: int | None = None, data_dir: str | os.PathLike[str] | None = None) -> str | None:
    """``high``, ``upper-middle``, ``lower-middle`` or ``low``; None when unclassified or unknown."""
    return _income_table(year, data_dir).get(iso2.strip().upper())


# --- data files -------------------------------------------------------------------------------


_DATASET_OF = {BRI_FILE: "bri", WB_FILE: "wb-countries", OWID_INCOME_FILE: "wb-income-history",
               M49_FILE: "country-codes"}
"""layout path → packaged reference dataset (:mod:`collabatlas.refdata`)."""


def _data_file(relative: str, data_dir: str | os.PathLike[str] | None) -> Path:
    try:
        return refdata.path(_DATASET_OF[relative], data_dir)
    except refdata.RefDataError as exc:
        raise GroupError(str(exc)) from exc


def _source(relative: str, data_dir: str | os.PathLike[str] | None) -> str:
    """Provenance of a group's data file for :class:`GroupInfo` (dataset, version, where loaded from)."""
    try:
        found = refdata.locate(_DATASET_OF[relative], data_dir)
    except refdata.RefDataError as exc:
        raise GroupError(str(exc)) from exc
    return found.label


def _stamp(path: Path) -> tuple[Path, int]:
    """Cache key of a file: its resolved path and modification time."""
    resolved = path.resolve()
    return resolved, resolved.stat().st_mtime_ns


def _read_csv(path: Path) -> pd.DataFrame:
    # keep_default_na=False: Namibia's code "NA" is a country, not a missing value.
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _labelled(pairs: Sequence[tuple[str, str]]) -> _Labelled:
    grouped: dict[str, tuple[str, set[str]]] = {}
    for code, label in pairs:
        grouped.setdefault(_slug(label), (label, set()))[1].add(code)
    return {slug: (label, frozenset(codes)) for slug, (label, codes) in grouped.items()}


@lru_cache
def _bri(path: Path, _mtime_ns: int) -> frozenset[str]:
    table = _read_csv(path)
    table = table[table["iso2"] != ""]
    # The file's iso2 is country_converter's ISO2 column, which is a regular expression for a few
    # countries (Greece: "^GR$|^EL$"); those rows are resolved from their ISO3 code.
    members = set()
    for line, iso2, iso3 in zip(table.index + 2, table["iso2"], table["iso3"], strict=False):
        code = iso2 if iso2 in countries.iso2_codes() else countries.converter().convert(iso3, src="ISO3", to="ISO2")
        if code not in countries.iso2_codes():
            raise GroupError(f"{path}, line {line}: neither iso2 {iso2!r} nor iso3 {iso3!r} is a country code")
        members.add(code)
    return frozenset(members)


@lru_cache
def _wb(path: Path, _mtime_ns: int) -> tuple[tuple[str, str], ...]:
    """(iso2, World Bank region) of every economy, aggregates left out."""
    table = _read_csv(path)
    table = table[table["region"] != "Aggregates"]
    return tuple(zip(table["iso2c"], table["region"], strict=True))


@lru_cache
def _m49(path: Path, _mtime_ns: int) -> tuple[tuple[str, str, str], ...]:
    """(iso2, M49 region, M49 sub-region); Antarctica, which has no region, is left out."""
    table = _read_csv(path)
    table = table[table["Region Name"] != ""]
    return tuple(zip(table["ISO3166-1-Alpha-2"], table["Region Name"], table["Sub-region Name"], strict=False))


def _income_table(year: int | None, data_dir: str | os.PathLike[str] | None) -> Mapping[str, str | None]:
    """iso2 → income level: historical (OWID, 1987–2016) for such a ``year``, else the current one.
    Both come from :mod:`collabatlas.refdata.indicators`, the one reader of the income files."""
    try:
        if year is not None:
            history = indicators.historical_income(data_dir)
            if year <= history["year"].max():
                if year not in set(history["year"]):
                    raise GroupError(f"no income classification for {year}: {OWID_INCOME_FILE} covers "
                                     f"{history['year'].min()}–{history['year'].max()}, "
                                     "later years use the current one")
                rows = history[history["year"] == year]
                return dict(zip(rows["iso2"], rows["group"], strict=True))
        current = indicators.income_groups(data_dir)
    except indicators.IndicatorError as exc:
        raise GroupError(str(exc)) from exc
    return {code: (level if isinstance(level, str) else None) for code, level in current.items()}


# --- families of groups named <prefix>:<slug> -----------------------------------------------------

_FAMILIES: dict[str, tuple[str, str | None]] = {
    "wb-region": ("World Bank region {label}", WB_FILE),
    "un-region": ("UN M49 region {label}", M49_FILE),
    "un-subregion": ("UN M49 sub-region {label}", M49_FILE),
    "continent": ("continent {label} (7-continent model)", None),
}
"""prefix → (description template, data file, or None for country_converter's column Continent_7)."""


def _family(prefix: str, data_dir: str | os.PathLike[str] | None) -> _Labelled:
    if prefix == "wb-region":
        return _labelled(list(_wb(*_stamp(_data_file(WB_FILE, data_dir)))))
    if prefix == "continent":
        table = countries.converter().Continent_7as("ISO2")
        return _labelled(list(zip(table["ISO2"], table["Continent_7"], strict=False)))
    rows = _m49(*_stamp(_data_file(M49_FILE, data_dir)))
    if prefix == "un-region":
        return _labelled([(code, region) for code, region, _ in rows])
    return _labelled([(code, subregion) for code, _, subregion in rows])


# --- country_converter ------------------------------------------------------------------------


def _names_to_iso2(names: Sequence[str]) -> list[str | None]:
    """ISO2 code of each country name, None where no single country matches."""
    with countries.quiet():
        found = countries.converter().convert(list(names), src="regex", to="ISO2", enforce_list=True)
    return [codes[0] if len(codes) == 1 and codes[0] in countries.iso2_codes() else None for codes in found]


def _coco_members(key: str, year: int | None) -> frozenset[str]:
    column = _COCO_GROUPS[key][0]
    if key == "eu" and year is not None:
        snapshots = [snapshot for since, snapshot in _EU_COLUMNS_SINCE if year >= since]
        if not snapshots:
            raise GroupError(f"EU membership by year is available from {_EU_COLUMNS_SINCE[-1][0]} on, not {year}")
        column = snapshots[0]
    table = getattr(countries.converter(), f"{column}as")("ISO2")
    if key == "oecd" and year is not None:
        table = table[table["OECD"].astype(int) <= year]
    members = frozenset(table["ISO2"])
    if key == "g20":  # the package counts the whole EU in; keep the EU states that are members themselves
        eu, g7 = _coco_members("eu", None), _coco_members("g7", None)
        members = (members - eu) | (g7 & eu)
    return members


# --- user CSV files ---------------------------------------------------------------------------


def _csv_members(argument: str) -> frozenset[str]:
    path_text, hash_sign, selected = argument.rpartition("#")
    if not hash_sign:
        path_text, selected = argument, ""
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise GroupError(f"country group file {path} not found")
    groups = _user_groups(*_stamp(path))
    if not selected:
        return frozenset().union(*groups.values())
    if None in groups:
        raise GroupError(f"{path} has no column group to select {selected!r} from")
    if selected.lower() not in groups:
        raise GroupError(f"{path} has no group {selected!r}; it has: {', '.join(sorted(map(str, groups)))}")
    return groups[selected.lower()]


@lru_cache
def _user_groups(path: Path, _mtime_ns: int) -> dict[str | None, frozenset[str]]:
    """group (lower case; None without a group column) → ISO2 codes of a user CSV."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {column.strip().lower(): column for column in reader.fieldnames or []}
        code_column = columns.get("iso2") or columns.get("country")
        if code_column is None:
            raise GroupError(f"{path} needs a column iso2 or country; it has: {', '.join(columns)}")
        group_column = columns.get("group")
        rows = [(reader.line_num, (row[code_column] or "").strip(),
                 (row[group_column] or "").strip().lower() if group_column else None) for row in reader]
    if code_column == columns.get("iso2"):
        codes = [value.upper() if value.upper() in countries.iso2_codes() else None for _, value, _ in rows]
    else:
        codes = _names_to_iso2([value for _, value, _ in rows])
    groups: dict[str | None, set[str]] = {}
    for (line, value, group), code in zip(rows, codes, strict=False):
        if code is None:
            raise GroupError(f"{path}, line {line}: {value!r} in column {code_column} is not a country")
        groups.setdefault(group, set()).add(code)
    return {group: frozenset(members) for group, members in groups.items()}


def _unknown_group(name: str, data_dir: str | os.PathLike[str] | None) -> GroupError:
    try:
        names = ", ".join(info.name for info in available_groups(data_dir))
    except GroupError as missing:  # the data is missing: list the name patterns instead
        patterns = ["bri", *(f"income:{level}" for level in INCOME_LEVELS), *(f"{p}:<slug>" for p in _FAMILIES),
                    *_COCO_GROUPS, "csv:<path>[#<group>]"]
        names = f"{', '.join(patterns)} ({missing})"
    return GroupError(f"unknown country group {name!r}; available: {names}")
