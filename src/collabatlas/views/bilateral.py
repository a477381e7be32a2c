"""Two units side by side (the US–Japan story of the dashboard's bilateral page and the pair fact
sheet): headline numbers of the pair and the strongest institution pairs between two countries.

Every number is an Atlas result: the pair's row in each side's :meth:`Atlas.partners` and the
institution-level :meth:`Atlas.pairs` restricted to institutions of the two countries.
"""

from __future__ import annotations

import pandas as pd

from collabatlas.views.chart_text import possessive


def _row(partners: pd.DataFrame, other: str) -> pd.Series | None:
    hit = partners[partners["partner"] == other]
    return None if hit.empty else hit.iloc[0]


def headline(partners_a: pd.DataFrame, partners_b: pd.DataFrame, a: str, b: str, label_a: str,
             label_b: str) -> list[tuple[str, str]]:
    """``(label, value)`` of the pair from each side's :meth:`Atlas.partners` (ranked by CS)."""
    from collabatlas.views.report import _fmt

    row_a, row_b = _row(partners_a, b), _row(partners_b, a)
    if row_a is None:
        return [("joint works", "0"), ("bilateral CS", "0")]
    rank_a = list(partners_a["partner"]).index(b) + 1
    pct = "pct_of_international_cs"
    out = [("joint works", _fmt(int(row_a["joint_count"]), "joint_count")), ("bilateral CS", _fmt(row_a["cs"], "cs")),
           (f"% of {possessive(label_a)} international CS", _fmt(row_a.get(pct), pct)),
           (f"{possessive(label_b)} rank among {possessive(label_a)} partners", f"{rank_a} of {len(partners_a)}")]
    if row_b is not None:
        rank_b = list(partners_b["partner"]).index(a) + 1
        out += [(f"% of {possessive(label_b)} international CS", _fmt(row_b.get(pct), pct)),
                (f"{possessive(label_a)} rank among {possessive(label_b)} partners", f"{rank_b} of {len(partners_b)}")]
    return out


def headline_rows(items: list[tuple[str, str]]) -> list[dict]:
    return [{"figure": label, "value": value} for label, value in items]


def institution_pairs(pairs: pd.DataFrame, countries: pd.DataFrame, a: str, b: str, top: int = 10) -> pd.DataFrame:
    """The strongest pairs of an institution of country ``a`` and one of ``b`` (``a == b``: both in
    it). ``pairs``: ``Atlas.pairs(level="institution")``; ``countries``: ``institution_id, country``.
    Columns ``institution_a, name_a, institution_b, name_b, joint_count, cs``, A's side first."""
    where = dict(zip(countries["institution_id"], countries["country"], strict=True))
    df = pairs.copy()
    ca, cb = df["unit_a"].map(where), df["unit_b"].map(where)
    straight = (ca == a) & (cb == b)
    flipped = (ca == b) & (cb == a) & ~straight
    names = {c: c for c in ("unit_a", "unit_b", "name_a", "name_b")}
    swap = {"unit_a": "unit_b", "unit_b": "unit_a", "name_a": "name_b", "name_b": "name_a"}
    keep = [c for c in ("unit_a", "name_a", "unit_b", "name_b", "joint_count", "cs") if c in df.columns]
    out = pd.concat([df.loc[straight, keep].rename(columns=names),
                     df.loc[flipped, keep].rename(columns=swap)], ignore_index=True)
    from collabatlas.atlas import ranked  # the ranking order of every table (SQL, ties at 1e-9 by id)

    out = ranked(out, "cs", ["unit_a", "unit_b"]).head(top)
    return out.rename(columns={"unit_a": "institution_a", "unit_b": "institution_b"})


def institution_countries(atlas) -> pd.DataFrame:
    located = atlas.institution_attributes()["country_code"]
    return located.rename("country").rename_axis("institution_id").reset_index()
