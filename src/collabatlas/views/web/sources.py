"""Where the dashboard's numbers come from, said on every table, chart and CSV: the two sources of the
library and what each can answer.

- ``works``: the work-level store — fractional Share and CS, every filter and option;
- ``pairs``: the country-pair aggregates loaded by ``collabatlas ingest-pairs`` — full counts of
  joint works per country pair and publication year; years only, country level only.

:func:`describe` and :func:`caption` give a response's ``meta.source`` / ``counting`` / ``filters`` /
``caption``; :data:`PAIRS_REFUSED` says, per dashboard control, why the pair data cannot apply it
(the library refuses it with a :class:`~collabatlas.counting.rules.CountingError`, 422); :func:`pair_data`
tells whether the store holds pair data at all.
"""

from __future__ import annotations

from typing import Any

from collabatlas.atlas import Capabilities, CapabilityError
from collabatlas.atlas.common import COUNTING as LIBRARY_COUNTING
from collabatlas.atlas.common import PAIR_DATA, SOURCES
from collabatlas.atlas.inputs import declared
from collabatlas.counting.options import OPTION_LABELS
from collabatlas.counting.options import describe as describe_options

#: each source's declaration on the DuckDB store (the dashboard's engine); the engine of a store names
#: its pair table's provider and date (:func:`capabilities`)
DECLARATIONS = {source: declared(source) for source in SOURCES}
SOURCE_LABELS = {source: c.source_label for source, c in DECLARATIONS.items()}
COUNTING = dict(LIBRARY_COUNTING)


def capabilities(svc, source: str) -> Capabilities:
    """What ``source`` answers on the dashboard's store (its pair table named with provider and date),
    or the declaration when there is no store at hand."""
    if svc is None:
        return DECLARATIONS.get(source, DECLARATIONS["works"])
    return svc.atlas().capabilities(source)

#: how the dashboard names the pair source (its control ``source`` set to the declaration's source)
_PAIRS = f"source {DECLARATIONS['pairs'].source}"
_PAIRS_HOLD = f"country-pair aggregates hold {DECLARATIONS['pairs'].holds.replace('--years', 'years')}"
#: dashboard control → why source pairs cannot apply it
PAIRS_REFUSED = {
    "window": f"not available with {_PAIRS}: {_PAIRS_HOLD}",
    "subject": f"not available with {_PAIRS}: {_PAIRS_HOLD} (no subjects)",
    "type": f"not available with {_PAIRS}: {_PAIRS_HOLD} (no work types)",
}
#: why a page offers no source switch
PAIRS_COUNTRY_ONLY = f"{_PAIRS}: country-pair aggregates exist at country level only"
PAIRS_NOT_HERE = f"{_PAIRS}: this page's figures need work-level data (Share, CS, institutions)"
NO_PAIR_DATA = (f"{_PAIRS}: no country-pair aggregates in this store — load them with "
                "`collabatlas ingest-pairs FILE`")

def refused(svc, source: str, what: str) -> str:
    """Why ``source`` cannot give ``what`` (a declared analysis, e.g. ``factsheet``), or ``""`` when it can."""
    try:
        capabilities(svc, source).require(what)
    except CapabilityError as exc:
        return str(exc)
    return ""


#: the human names of the pair tables' columns (table headers)
FIELD_NAMES = {"pct_of_partner_links": "% of partner links", "counting": "counting",
               "intl_works": "internationally co-authored works",
               "partner_links": "joint-work links with other countries",
               "group_pair_links": "pair links with the group (a work once per partner)",
               "all_pair_links": "pair links with any partner",
               "group_works_min": "works with the group, at least",
               "group_works_max": "works with the group, at most",
               "group_pct_of_intl_works_min": "group % of international works, at least",
               "group_pct_of_intl_works_max": "group % of international works, at most",
               "group_pct_of_pair_links": "group % of pair links"}

#: what a caption lists as filters (in this order); the set flags follow, by their labels (counting.options)
CAPTIONED = ("years", "window", "window_end_month", "subject", "type", "journals", "group", "periods")


def filters_text(params: dict[str, Any], source: str = "works") -> str:
    """``years 2005-2009, subject ni:chemistry, renormalized``, or ``all works (no filter)`` (``all
    years (no filter)`` for the pair data)."""
    shown = {k: params.get(k) for k in (*CAPTIONED, *OPTION_LABELS)}
    works_filters = DECLARATIONS.get(source, DECLARATIONS["works"]).supports("subject")
    return describe_options(shown, none="all works (no filter)" if works_filters else "all years (no filter)")


def describe(source: str, params: dict[str, Any]) -> dict[str, str]:
    """``source``, ``source_label``, ``counting`` and ``filters`` of a response made from ``source``."""
    source = source if source in SOURCE_LABELS else "works"
    return {"source": source, "source_label": SOURCE_LABELS[source], "counting": COUNTING[source],
            "filters": filters_text(params, source)}


def caption(described: dict[str, str]) -> str:
    """One line: ``source · counting · filters``."""
    return f"{described['source_label']} · {described['counting']} · {described['filters']}"


def pair_data(svc) -> str | None:
    """What the store's country-pair aggregates hold (``"1,234 rows, 5 countries, years 2000–2009"``),
    or ``None`` when it has none; from the store summary, cached per data version."""
    summary, _, _ = svc.run("info", {}, lambda atlas, p: atlas.summary())
    text = summary.get(PAIR_DATA)
    text = None if text is None else str(text)
    return None if text is None or text.startswith("none") else text
