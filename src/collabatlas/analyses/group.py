"""A country's collaboration with a group of countries over periods (e.g. China and the Belt and
Road countries, 2013–2015 vs 2016–2018).

For each period (a year or a year range): the country's works with the group, the group's share of
its international works and of its international CS, and the growth between the first and the last
period of group works, of all international works and of domestic-only works; then the top partners
in the group with their CS in every period and its growth. All figures come from
:mod:`collabatlas.counting` (``derived.group_period_sql`` and ``derived.partner_detail_sql``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from collabatlas import settings
from collabatlas.analyses import tables, uncertainty
from collabatlas.counting import derived
from collabatlas.counting import rules as counting
from collabatlas.counting.filters import parse_window, parse_years
from collabatlas.counting.options import MetricOptions
from collabatlas.counting.rules import FRACTIONAL_LABEL, CountingError
from collabatlas.engines.protocol import WorksCounter


@dataclass
class GroupReport:
    country: str
    group: str
    members: frozenset[str]
    periods: pd.DataFrame  # one row per period
    growth: pd.DataFrame  # measure, first, last, growth_pct
    partners: pd.DataFrame  # partner, cs_<period>... (joint_<period>... from pairs), growth_pct
    #: what the figures count: fractional CS from works, or full counts of joint works from pairs
    counting: str = FRACTIONAL_LABEL
    source: str = "works"
    #: where the figures come from, as captions name it (the pair table's provider and retrieval date)
    source_label: str = "work-level store (source works)"
    #: said with the figures (e.g. records without a date that a date window leaves out)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"country": self.country, "group": self.group, "members": sorted(self.members),
                "source": self.source, "source_label": self.source_label, "counting": self.counting,
                "notes": list(self.notes),
                "periods": self.periods.to_dict(orient="records"), "growth": self.growth.to_dict(orient="records"),
                "partners": self.partners.to_dict(orient="records")}


#: the works (or pair links) behind each growth measure: a count is its own n, a CS the works it sums over
N_OF = {"group_cs": "group_works", "intl_cs": "intl_works"}
#: the counts of a period row (whole numbers: written as such in every view)
PERIOD_COUNTS = ("works", "intl_works", "group_works", "domestic_works")


def _growth_table(first: pd.Series, last: pd.Series, measures) -> pd.DataFrame:
    """``measure, first, last, growth_pct, n_first, n_last, small_n``: the growth of each measure from the
    first period to the last, % (None from 0): :func:`collabatlas.counting.changes.growth_pct_sql`; the
    works behind it at each end (:data:`N_OF`) and ``small_n``, true when either is below
    :func:`collabatlas.settings.small_n` (:func:`collabatlas.counting.changes.small_n_sql`). Every view (CLI,
    API, report, dashboard) shows these columns, so a growth is flagged the same everywhere."""
    rows = pd.DataFrame([{"measure": m, "first": first[m], "last": last[m]} for m in measures])
    growth = tables.with_growth(rows, "first", "last")
    growth["n_first"] = [int(first[N_OF.get(m, m)]) for m in measures]
    growth["n_last"] = [int(last[N_OF.get(m, m)]) for m in measures]
    return tables.with_small_n(growth, settings.small_n())


def _growth_intervals(growth: pd.DataFrame, per_work: pd.DataFrame, first: str, last: str, ci: int) -> None:
    """Add growth_low / growth_high (bootstrap over works) to the rows of ``growth`` that are sums over works."""
    group = per_work[per_work["in_group"]]
    frames = {
        "group_cs": group.groupby(["wkey", "label"], as_index=False)["value"].sum(),
        "intl_cs": per_work.groupby(["wkey", "label"], as_index=False)["value"].sum(),
        "group_works": group[["wkey", "label"]].drop_duplicates().assign(value=1.0),
        "intl_works": per_work[["wkey", "label"]].drop_duplicates().assign(value=1.0),
    }
    growth["growth_low"] = growth["growth_high"] = float("nan")
    for measure, frame in frames.items():
        bounds = uncertainty.growth_interval(frame.rename(columns={"label": "key"}), first, last, replicates=ci)
        if bounds:
            growth.loc[growth["measure"] == measure, ["growth_low", "growth_high"]] = bounds


#: the growth rows of a group analysis from the pair table: links and the country's international works
#: (the distinct-work bounds have no growth: the change between two bounds bounds nothing)
PAIR_GROWTH = ("group_pair_links", "all_pair_links", "intl_works")


def pair_group_report(engine, country: str, group: str, members: frozenset[str], periods: list[str],
                      top: int) -> GroupReport:
    """The :class:`GroupReport` of the country-pair engine (:class:`collabatlas.engines.pairs.PairsDuckDB`):
    per period the country's international works, the group's pair links (a work counted once per
    partner in the group) and the bounds of its distinct works with the group and of their share of
    the international works (:func:`collabatlas.store.country_pairs.group`). Growth is of the links and
    of the international works; the partners (``joint_<period>``: works with that one partner) get the
    growth of their joint works, top ``top`` by the last period."""
    members = frozenset(m.upper() for m in members) - {country}
    periods_table, partners = engine.group(country, members, periods)
    first, last = periods_table.iloc[0], periods_table.iloc[-1]
    growth = _growth_table(first, last, PAIR_GROWTH)
    first_col, last_col = f"joint_{first['period']}", f"joint_{last['period']}"
    partners = tables.with_growth(partners, first_col, last_col)
    capabilities = engine.capabilities
    return GroupReport(country=country, group=group, members=members, periods=periods_table, growth=growth,
                       partners=partners.head(top), counting=capabilities.counting_label, source=capabilities.source,
                       source_label=capabilities.source_label)


def period_label(years: tuple[int, int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def group_collaboration(atlas: WorksCounter, country: str, group: str, members: frozenset[str], periods: list[str],
                        options: MetricOptions | None = None, top: int = 10, ci: int = 0,
                        report_dual: bool = False) -> GroupReport:
    """The report for ``country`` and the countries ``members`` (named ``group``) over ``periods``, under
    the metric ``options`` (no years or window: the periods select the works).

    ``report_dual`` adds, per period, the group's and all international CS without authors affiliated
    in several countries and the part those authors bring (``group_dual_cs``, ``intl_dual_cs``).
    ``ci`` > 0 adds 95 % bootstrap intervals (that many replicates) to the growth of group works,
    international works, group CS and international CS."""
    options = options if options is not None else MetricOptions()
    if len(periods) < 1:
        raise CountingError("give at least one period, e.g. --periods 2013-2015,2016-2018")
    country = atlas.resolve_unit("country", country)
    members = frozenset(m.upper() for m in members) - {country}
    if not members:
        raise CountingError(f"group {group!r} has no member other than {country}")
    rows, partner_frames, contributions, notes = [], [], [], []
    for raw in periods:
        # a period is a year, a year range, or a 12-month (any) date window START..END
        if ".." in str(raw):
            years, window = None, parse_window(str(raw).strip())
            label = f"{window[0]}..{window[1]}"
        else:
            years, window = parse_years(raw), None
            label = period_label(years)
        c = atlas.counting_for("country", dataclasses.replace(options, years=years, window=window))
        if window is not None and not notes and atlas.capabilities().supports("undated_note"):
            note = atlas.undated_note(c.filters)  # what a date window leaves out, as `scores --window` says
            if note:
                notes.append(note)
        row = atlas.query(*derived.group_period_sql(c, country, list(members)))  # the shares are SQL
        if report_dual and not options.exclude_dual_affiliations:  # the part of authors with several countries
            split = atlas.query(*derived.group_dual_sql(c, atlas.without_dual(c), country, list(members)))
            row = pd.concat([row, split], axis=1)
        rows.append({"period": label, **{k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].items()}})
        partners = atlas.partner_detail(c, "country", country)
        in_group = partners["partner"].isin(members)
        if ci:
            per_work = atlas.query(*counting.contributions_sql(c, focus=country))
            per_work["in_group"] = per_work["key"].isin(members)
            per_work["label"] = label
            contributions.append(per_work)
        partner_frames.append(partners.loc[in_group, ["partner", "cs", "joint_count"]]
                              .rename(columns={"cs": f"cs_{label}", "joint_count": f"joint_{label}"})
                              .set_index("partner"))
    table = pd.DataFrame(rows)
    for column in PERIOD_COUNTS:  # distinct works: whole numbers (JSON 35, not 35.0), as from the pair engine
        table[column] = table[column].round().astype("int64")
    first, last = table.iloc[0], table.iloc[-1]
    growth = _growth_table(first, last, ("group_works", "intl_works", "domestic_works", "group_cs", "intl_cs"))
    if ci:
        _growth_intervals(growth, pd.concat(contributions, ignore_index=True), first["period"], last["period"], ci)
    partners = pd.concat(partner_frames, axis=1).fillna(0.0)
    first_cs, last_cs = f"cs_{first['period']}", f"cs_{last['period']}"
    partners = tables.with_growth(partners, first_cs, last_cs)
    partners = tables.ranked(partners.reset_index().rename(columns={"index": "partner"}), last_cs, ["partner"],
                             digits=None).head(top)  # the order: SQL (counting.changes.ranked_sql)
    for col in partners.columns:
        if col.startswith("joint_"):
            partners[col] = partners[col].astype("int64")
    capabilities = atlas.capabilities()  # the caption names the engine's source (the store, or its Parquet export)
    return GroupReport(country=country, group=group, members=members, periods=table, growth=growth, partners=partners,
                       notes=notes, source_label=capabilities.source_label)
