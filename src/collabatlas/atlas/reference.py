"""Reference lookups for the views: country groups, country names and codes, capitals, and the packaged
reference datasets (their provenance, location, cached updates).

Each function reads its module at call time (:mod:`collabatlas.refdata` and its parts), so importing
this module loads neither pandas nor country_converter, and a test that replaces a refdata function
replaces it here too."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from collabatlas import refdata

if TYPE_CHECKING:
    import pandas as pd

    from collabatlas.refdata import Dataset, Located
    from collabatlas.refdata.groups import GroupInfo
    from collabatlas.refdata.update import UpdateResult

DataDir = str | os.PathLike[str] | None


# -- country groups ------------------------------------------------------------------------------

def available_groups(data_dir: DataDir = None) -> list[GroupInfo]:
    """Every country group name the library accepts, with what it means and its source."""
    from collabatlas.refdata.groups import available_groups as groups

    return groups(data_dir)


def group_members(name: str, data_dir: DataDir = None, year: int | None = None) -> frozenset[str]:
    """The ISO2 codes of group ``name`` (in ``year`` where the source has dates)."""
    from collabatlas.refdata.groups import group_members as members

    return members(name, data_dir, year)


# -- countries ----------------------------------------------------------------------------------

def short_names() -> dict[str, str]:
    """ISO2 → the country's short name (``JP`` → ``Japan``)."""
    from collabatlas.refdata.countries import short_names as names

    return names()


def country_code(text: str) -> str | None:
    """The ISO2 code of a country given as ISO2, ISO3 or a name (``JPN``, ``Japan`` → ``JP``); None when
    ``text`` names no country (an institution, say)."""
    from collabatlas.refdata.country_names import country_code as code

    return code(text)


def numeric_to_iso2() -> dict[str, str]:
    """ISO 3166-1 numeric code (``"392"``) → ISO2 (``"JP"``), as world maps key their shapes."""
    from collabatlas.refdata.countries import numeric_to_iso2 as codes

    return codes()


def capital_coordinates(data_dir: DataDir = None) -> pd.DataFrame:
    """``country, lon, lat``: each country's capital, from the World Bank country file in the data
    directory (``indicators/WDI_R_package_country_income_region.csv``); aggregates excluded."""
    import pandas as pd

    from collabatlas.refdata.indicators import _base, _read

    wdi = _read(_base(data_dir), "income_current")
    wdi = wdi[wdi["region"].ne("Aggregates") & wdi["iso2c"].notna() & wdi["latitude"].notna()]
    return pd.DataFrame({"country": wdi["iso2c"].astype(str).values, "lon": wdi["longitude"].astype(float).values,
                         "lat": wdi["latitude"].astype(float).values})


# -- the packaged reference datasets ------------------------------------------------------------

def datasets() -> dict[str, Dataset]:
    """name → the packaged dataset (the manifest)."""
    return refdata.datasets()


def dataset(name: str) -> Dataset:
    """One packaged dataset by name."""
    return refdata.dataset(name)


def path(name: str, data_dir: DataDir = None) -> Path:
    """The file a dataset loads from (``data_dir`` first, then the cache, then the package)."""
    return refdata.path(name, data_dir)


def locate(name: str, data_dir: DataDir = None) -> Located:
    """Where a dataset loads from, and which copy it is."""
    return refdata.locate(name, data_dir)


def read_text(name: str, data_dir: DataDir = None) -> str:
    """A dataset's text."""
    return refdata.read_text(name, data_dir)


def info(data_dir: DataDir = None) -> list[dict]:
    """One row per dataset: its provenance and the copy in use."""
    return refdata.info(data_dir)


def cache_dir() -> Path:
    """The user cache that updated copies are written to."""
    return refdata.cache_dir()


def provenance(names: list[str] | tuple[str, ...], data_dir: DataDir = None) -> str:
    """``reference data: …``: the versions of ``names`` in use, for captions and reports."""
    return refdata.provenance(names, data_dir)


def versions_line() -> str:
    """The versions of every reference dataset in use, in one line."""
    return refdata.versions_line()


def generation() -> int:
    """A number that changes when the reference data in use changes (a cache key)."""
    return refdata.generation()


def update(names: list[str] | None = None, timeout: float = 60.0) -> list[UpdateResult]:
    """Fetch fresh copies of ``names`` (default: every dataset with an update source) into the cache: all
    or nothing; :class:`collabatlas.errors.DownloadError` when a download fails."""
    from collabatlas.refdata.update import update as run

    return run(names, timeout=timeout)


def reset(names: list[str] | None = None) -> list[str]:
    """Forget updated copies (all, or ``names``) so the packaged ones are used again."""
    from collabatlas.refdata.update import reset as run

    return run(names)
