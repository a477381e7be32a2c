"""Country codes and names: ISO 3166-1 from pycountry, groups and name patterns from country_converter.

ISO 3166-1 (codes and names) comes from the maintained ``pycountry`` package, which ships the
Debian iso-codes data: every install of the same pycountry version gives the same table, whatever
the working directory. Kosovo's ``XK`` (a user-assigned code that OpenAlex, the World Bank and
country_converter use) is accepted as a country code too.

country_converter is loaded so that it works under pandas 3.

country_converter 1.3.2 reads its own table with pandas defaults; pandas 3 turns Namibia's code
"NA" and empty ISO2 cells into NaN and the constructor then fails in ``re.compile``. Reading the same
file with ``keep_default_na=False`` and handing it over avoids that. Every module that needs
country names or memberships (groups, indicators) uses :func:`converter`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import country_converter as coco
import pandas as pd


@lru_cache(maxsize=1)
def converter() -> coco.CountryConverter:
    table = pd.read_csv(coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8",
                        dtype=str, keep_default_na=False, na_values=[""])
    for col in ("ISO2", "ISO3", "name_short", "name_official", "regex"):
        table[col] = table[col].fillna("").astype(str)
    return coco.CountryConverter(country_data=table)


EXTRA_CODES = {"XK": ("XKX", "Kosovo")}
"""Codes accepted beside ISO 3166-1: alpha-2 → (alpha-3, name)."""

HISTORICAL_CODES = {"SU": ("SUN", "USSR"), "CS": ("CSK", "Czechoslovakia"), "YU": ("YUG", "Yugoslavia"),
                    "DD": ("DDR", "German Democratic Republic"), "AN": ("ANT", "Netherlands Antilles"),
                    "YD": ("YMD", "South Yemen")}
"""ISO 3166-3 codes of former countries that an address can name (the affiliation country rules give
them where a historical country has no single legal successor): alpha-2 → (alpha-3, name). Counted like
any country; they have no World Bank group, region or outline."""


@lru_cache(maxsize=1)
def iso_entries() -> tuple[dict[str, str], ...]:
    """ISO 3166-1 entries (pycountry): alpha_2, alpha_3, numeric, name, official_name, common_name."""
    import pycountry

    keys = ("alpha_2", "alpha_3", "numeric", "name", "official_name", "common_name")
    return tuple({key: getattr(entry, key) for key in keys if getattr(entry, key, None)}
                 for entry in pycountry.countries)


@lru_cache(maxsize=1)
def iso2_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (pycountry), plus ``XK`` (Kosovo)."""
    return frozenset(entry["alpha_2"] for entry in iso_entries()) | frozenset(EXTRA_CODES)


@lru_cache(maxsize=1)
def numeric_to_iso2() -> dict[str, str]:
    """ISO 3166-1 numeric code (``"392"``) → alpha-2 (``"JP"``), for the world outlines."""
    return {entry["numeric"]: entry["alpha_2"] for entry in iso_entries()}


def iso_provenance() -> dict:
    """The ISO 3166-1 table's entry for ``collabatlas data info``."""
    from importlib.metadata import version

    return {"name": "iso3166-1", "title": "ISO 3166-1 country codes and names (+ XK Kosovo)",
            "version": f"pycountry {version('pycountry')}", "rows": len(iso_entries()) + len(EXTRA_CODES),
            "licence": "LGPL-2.1 (pycountry; data from Debian iso-codes)", "source": "https://pypi.org/project/pycountry/",
            "publisher": "pycountry / Debian iso-codes", "retrieved": "installed package",
            "loaded_from": "pycountry package", "origin": "package", "sha256": "", "status": "ok"}


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → country_converter's short name (``"IT"`` → ``"Italy"``): one table
    read once, where ``converter().convert`` matches regular expressions on every call."""
    table = converter().data
    names: dict[str, str] = {}
    for code, name in zip(table["ISO2"], table["name_short"], strict=True):
        # a few rows hold a pattern of codes instead of one code: Greece "^GR$|^EL$", UK "^GB$|^UK$"
        for one in re.findall(r"[A-Z]{2}", code) if code.startswith("^") else [code]:
            if one and name:
                names.setdefault(one, name)
    for code, (_, name) in HISTORICAL_CODES.items():
        names.setdefault(code, name)
    return names


@contextmanager
def quiet() -> Iterator[None]:
    """Silence country_converter's warning for each name it does not find (callers report those)."""
    logger = logging.getLogger(coco.country_converter.__name__)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
