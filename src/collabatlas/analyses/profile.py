"""An institution's collaboration profile (one page per institution, as on Nature Index).

Everything here is arranged from :mod:`collabatlas.counting` results (totals, partners and CS by
partner country, :mod:`collabatlas.counting.derived`); no Share or CS, nor any ratio of them, is
computed in this module.

- headline: Count, Share, total CS and its domestic / international / industry parts;
- hotspot countries: the institution's CS with partner institutions, summed per partner country,
  for the top ``top`` international countries, each with its % of the international CS, plus
  "rest of world";
- top partner institutions with the two sides' contributions on joint works (own vs partner Share);
- the top partners split by where the partner is: ``top_domestic_partners`` (the institution's
  own country) and ``top_international_partners`` (another known country); a partner whose country is
  unknown (or the institution's own, when unknown) is in neither;
- distinct domestic and international partner institutions, and top corporate partners.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collabatlas.analyses import units
from collabatlas.counting import derived, rules
from collabatlas.counting.derived import REST_OF_WORLD
from collabatlas.counting.options import MetricOptions
from collabatlas.counting.rules import SECTOR_OF_TYPE, CountingError
from collabatlas.engines.protocol import WorksCounter

__all__ = ["REST_OF_WORLD", "InstitutionProfile", "find_institution", "institution_profile"]


@dataclass
class InstitutionProfile:
    institution_id: str
    name: str | None
    country: str | None
    headline: dict
    hotspots: pd.DataFrame  # country, cs, joint_count, pct_of_international_cs
    partners: pd.DataFrame  # partner, name, country, joint_count, cs, own_share, partner_share, own_pct
    corporate_partners: pd.DataFrame
    n_domestic_partners: int
    n_international_partners: int
    top_domestic_partners: pd.DataFrame | None = None  # the columns of partners, same-country partners only
    top_international_partners: pd.DataFrame | None = None  # partners of another known country

    def to_dict(self) -> dict:
        return {
            "institution_id": self.institution_id, "name": self.name, "country": self.country,
            "headline": self.headline,
            "hotspots": self.hotspots.to_dict(orient="records"),
            "partners": self.partners.to_dict(orient="records"),
            "corporate_partners": self.corporate_partners.to_dict(orient="records"),
            "n_domestic_partners": self.n_domestic_partners,
            "n_international_partners": self.n_international_partners,
            "top_domestic_partners": _records(self.top_domestic_partners),
            "top_international_partners": _records(self.top_international_partners),
        }


def _records(df: pd.DataFrame | None) -> list[dict]:
    return [] if df is None else df.to_dict(orient="records")


def find_institution(atlas: WorksCounter, query: str) -> str:
    """An institution id from an OpenAlex id, a ROR id or URL, or a (part of a) name
    (:func:`collabatlas.analyses.units.resolve_institution`: a name matching several institutions picks
    the only exact, case-insensitive match, else raises with the candidates)."""
    return units.resolve_institution(lambda statement: atlas.query(*statement), query)


def institution_profile(atlas: WorksCounter, query: str, options: MetricOptions | None = None,
                        top: int = 5) -> InstitutionProfile:
    """The profile of the institution named by ``query`` under the metric ``options`` (every option of
    :meth:`Atlas.totals`)."""
    options = options if options is not None else MetricOptions()
    iid = find_institution(atlas, query)
    name, country = atlas.query(f"SELECT name, country_code FROM {rules.UNIT_IDS_SQL} u WHERE unit_id = $i",
                                {"i": iid}).iloc[0]
    name, country = (None if pd.isna(name) else name), (None if pd.isna(country) else country)
    row = atlas.totals(level="institution", unit=iid, options=options)
    if row.empty:
        if options.rollup:
            raise CountingError(f"{iid} ({name}) has no works of its own with --rollup: its works count for the top "
                                "of its lineage (see its lineage in OpenAlex); profile that institution instead")
        raise CountingError(f"{iid} ({name}) has no works under these filters")
    headline = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].items() if k not in ("unit", "name")}

    c = atlas.counting_for("institution", options)
    partners = atlas.partner_detail(c, "institution", iid)  # own_pct and the international part: SQL
    international = partners["pct_of_international_cs"].notna()
    domestic = partners["country"].notna() & (partners["country"] == country)
    hotspots = atlas.query(*derived.partner_countries_sql(c, iid, top=top)).drop(columns="domestic")
    hotspots["joint_partners"] = hotspots["joint_partners"].astype("int64")

    corporate_types = [t for t, sector in SECTOR_OF_TYPE.items() if sector == "corporate"]
    types = atlas.institution_attributes()["type"].reindex(partners["partner"])
    is_corporate = types.isin(corporate_types).to_numpy()
    corporate = partners[is_corporate].head(top)
    columns = ["partner", "name", "country", "joint_count", "cs", "own_share", "partner_share", "own_pct"]
    return InstitutionProfile(
        institution_id=iid, name=name, country=country, headline=headline,
        hotspots=hotspots, partners=partners[columns].head(top).reset_index(drop=True),
        corporate_partners=corporate[columns].reset_index(drop=True),
        n_domestic_partners=int(domestic.sum()), n_international_partners=int(international.sum()),
        top_domestic_partners=partners.loc[domestic.to_numpy(), columns].head(top).reset_index(drop=True),
        top_international_partners=partners.loc[international.to_numpy(), columns].head(top).reset_index(drop=True),
    )
