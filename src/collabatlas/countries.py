"""country_converter, loaded so that it works under pandas 3.

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


@lru_cache(maxsize=1)
def iso2_codes() -> frozenset[str]:
    """Every current ISO 3166-1 alpha-2 code country_converter knows."""
    return frozenset(converter().name_shortas("ISO2")["ISO2"])


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
