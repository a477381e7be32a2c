"""The Python API: ``atlas = collabatlas.open(path)``; ``atlas.scores(...)``, ``atlas.pairs(...)``.

The Atlas runs the statements of :mod:`collabatlas.counting.rules` on a store and returns pandas
DataFrames. The CLI (and later the report and web views) are thin layers over these methods."""

from __future__ import annotations

import dataclasses
import os

import duckdb
import pandas as pd

from collabatlas.analyses import uncertainty, units
from collabatlas.analyses.tables import ranked
from collabatlas.atlas.analyses import Analyses
from collabatlas.atlas.common import (
    check_source,
    with_country_names,
)
from collabatlas.atlas.writes import StoreWrites
from collabatlas.counting import derived, work_lists
from collabatlas.counting import rules as counting
from collabatlas.counting.filters import Filters, check_range
from collabatlas.counting.options import MetricOptions, takes_options
from collabatlas.counting.rules import Counting
from collabatlas.engines import ENGINES
from collabatlas.engines.pairs import PAIRS_DUCKDB, PairsDuckDB
from collabatlas.engines.protocol import Capabilities, CapabilityError, Engine
from collabatlas.engines.works_duckdb import WorksDuckDB
from collabatlas.refdata.country_names import country_code
from collabatlas.settings import EngineSettings, store_path
from collabatlas.store.schema import (
    connect,
    data_version,
    meta_get,
)


class Atlas(StoreWrites, Analyses):
    """A collabatlas store with its metrics.

    ``engine="spark"`` computes the metrics on Apache Spark (``spark_master``, default ``local[*]``)
    from the Parquet interchange directory ``parquet``, or, without one, from an export of the store
    at ``path`` into a temporary directory (one machine only: a cluster's executors must see the
    files). The statements are the same (:mod:`collabatlas.engines`); what the Spark engine does not
    declare (ingest, country-pair aggregates, profiles, group analyses) raises
    :class:`~collabatlas.engines.protocol.CapabilityError` (an :class:`EngineError`).

    Every source is an engine with declared capabilities (:meth:`engine_for`, :meth:`capabilities`):
    ``source="works"`` the work-level store (DuckDB or Spark), ``source="pairs"`` the country-pair
    table; each refuses what it cannot answer through its declaration.
    """

    #: the DuckDB connection (``None`` under the Spark engine); see the ``con`` property
    _con: duckdb.DuckDBPyConnection | None = None

    #: the engine of ``source="works"``: :class:`WorksDuckDB` or the Spark engine
    works_engine: Engine | None = None

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False,
                 settings: EngineSettings | None = None, engine: str = "duckdb",
                 spark_master: str | None = None, parquet: str | os.PathLike | None = None):
        if engine not in ENGINES:
            raise CapabilityError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
        self.path = ":memory:" if path == ":memory:" else store_path(path)
        self.settings = settings or EngineSettings()
        self._unit_share_versions: dict[str, int] = {}
        if engine == "spark":
            from collabatlas.engines.spark import open_engine

            self.works_engine = open_engine(parquet, store=self.path, master=spark_master)
        else:
            self.con = connect(self.path, settings=self.settings, read_only=read_only)
        #: a read-only store cannot change while open (DuckDB's file lock keeps writers out), so its
        #: data version is read once
        self._fixed_version = data_version(self.con) if read_only and self.has_store else None

    @property
    def engine(self) -> str:
        """``"duckdb"`` or ``"spark"``."""
        return self.works_engine.capabilities.engine

    @property
    def has_store(self) -> bool:
        """Whether this Atlas reads the DuckDB store itself (its works engine declares ``store``)."""
        return self.works_engine.capabilities.supports("store")

    def engine_for(self, source: str = "works") -> Engine:
        """The engine answering ``source`` (``works`` or ``pairs``); refused by the works engine's
        declaration when it has no such source (the Spark engine reads no country-pair table)."""
        check_source(source)
        engines = {PAIRS_DUCKDB.source: self._pair_engine, self.works_engine.capabilities.source: self._works}
        return engines[source]()

    def _works(self) -> Engine:
        return self.works_engine

    def _pair_engine(self) -> Engine:
        """The country-pair table of the DuckDB store (refused by a works engine without a store)."""
        if not self.has_store:
            self.works_engine.capabilities.require("country-pair table")
        return PairsDuckDB(self.con)

    def capabilities(self, source: str = "works") -> Capabilities:
        """What ``source`` can answer on this Atlas (:class:`~collabatlas.engines.protocol.Capabilities`)."""
        return self.engine_for(source).capabilities

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection to the store (not available under the Spark engine)."""
        if self._con is None:
            self.works_engine.capabilities.require("store")
        return self._con

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        self._con = value
        self.works_engine = WorksDuckDB(value)

    # -- lifecycle ---------------------------------------------------------------------------
    #: answer strict, year-filtered requests from the saved per-year aggregates when the store has
    #: them (False on an instance: always from the unit shares; the tests compare both)
    use_aggregates: bool = True

    def cursor(self) -> Atlas:
        """An Atlas over a new cursor of this store's DuckDB connection, for another thread: DuckDB
        runs the cursors of one database concurrently; a cursor must not be shared between threads."""
        other = object.__new__(type(self))
        other.path, other.settings, other._unit_share_versions = self.path, self.settings, {}
        other._fixed_version = self._fixed_version
        other._institution_attributes = getattr(self, "_institution_attributes", None)  # read-only, shared
        other.con = self.con.cursor()
        return other

    def close(self) -> None:
        self.works_engine.close()

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        if not self.has_store:
            return f"<Atlas on {self.works_engine!r}>"
        return f"<Atlas {self.path} data_version={self.data_version}>"

    @property
    def data_version(self) -> int:
        if not self.has_store:  # the Parquet export's: the store's version when it was exported (0: not said)
            return int(getattr(self.works_engine, "data_version", 0))
        return self._fixed_version if self._fixed_version is not None else data_version(self.con)

    PERSISTED_LEVELS = ("country", "institution", "sector")

    # -- metrics -----------------------------------------------------------------------------
    def counting_for(self, level: str, options: MetricOptions | None = None, **option_values) -> Counting:
        """The :class:`Counting` of ``level`` for these metric options (a :class:`MetricOptions`, and/or
        its fields as keywords: :meth:`MetricOptions.of_call`), reading this connection's unit-share cache."""
        opts = MetricOptions.of_call(options, **option_values)
        filters = self._known_subjects(opts.filters())
        if opts.journals:
            filters = self.journal_filter(opts.journals, filters)
        c = Counting(level=level, filters=filters, renormalize=opts.renormalize, rollup=opts.rollup,
                     exclude_dual=opts.exclude_dual_affiliations)
        aggregated = (self.use_aggregates and self.works_engine.capabilities.supports("aggregates")
                      and level in self.PERSISTED_LEVELS
                      and self.unit_shares_saved)
        return dataclasses.replace(c, source=self.unit_shares_table(c), aggregated=aggregated)

    def journals(self, spec: str) -> pd.DataFrame:
        """Which entries of the journal list ``spec`` (``nature-index``, ``nature-index-82`` or a file)
        match which sources of this store: ``line, entry, kind, source_id, source_name, matched_by,
        works`` (:func:`collabatlas.counting.journals.match_sources`); ``attrs["label"]`` names the list."""
        from collabatlas.counting import journals as journal_lists

        version = self.data_version
        cache = self.__dict__.setdefault("_journal_matches", {})
        if cache.get(spec, (None,))[0] != version:
            listing = journal_lists.load_list(spec)
            sources = self._df((journal_lists.SOURCES_SQL, {}))  # id, name, ISSNs, works per source
            matches = journal_lists.match_sources(listing, sources)
            matches.attrs["label"] = listing.label
            cache[spec] = (version, matches)
        out = cache[spec][1].copy()
        out.attrs["label"] = cache[spec][1].attrs["label"]
        return out

    def journal_filter(self, spec: str, filters: Filters) -> Filters:
        """``filters`` restricted to the works of the journals of list ``spec`` (see :meth:`journals`)."""
        from collabatlas.counting.journals import NOT_APPLIED

        matched = self.journals(spec).dropna(subset=["source_name"])
        ids = tuple(sorted(set(matched["source_id"].dropna())))
        names = tuple(sorted(set(matched.loc[matched["source_id"].isna(), "source_name"])))
        label = f"{self.journals(spec).attrs['label']} ({NOT_APPLIED})"
        return dataclasses.replace(filters, journal_ids=ids, journal_names=names, journal_label=label)

    def _known_subjects(self, filters: Filters) -> Filters:
        """``filters``, once every subject given (other than ``ni:`` areas, checked by :mod:`.subjects`)
        names a domain, field or subfield (name or id) of some work in the store: a typo is an error,
        not an empty table. (DuckDB engine; the set is read once per data version.)"""
        if not filters.subjects or not self.has_store:
            return filters
        from collabatlas.counting.subjects import ni_field_ids

        wanted = [s for s in filters.subjects if ni_field_ids(s) is None]
        if not wanted:
            return filters
        version = self.data_version
        cached = getattr(self, "_subjects_known", None)
        if cached is None or cached[0] != version:
            rows = self.con.execute(
                "SELECT DISTINCT lower(domain), lower(field), lower(subfield), 'domains/' || domain_id, "
                "'fields/' || field_id, 'subfields/' || subfield_id FROM works").fetchall()
            from collabatlas.sources.subject_crosswalk import DOMAINS, FIELDS

            # every OpenAlex domain and field is a subject even when no work of this store has it
            # (an empty result, not an error); subfields are known from the store's works
            taxonomy = {name.lower() for name in DOMAINS.values()} | {f"domains/{d}" for d in DOMAINS}
            taxonomy |= {field[0].lower() for field in FIELDS.values()} | {f"fields/{f}" for f in FIELDS}
            cached = self._subjects_known = (version, taxonomy | {v for row in rows for v in row if v})
        unknown = [s for s in wanted if s.lower() not in cached[1]]
        if unknown:
            from collabatlas.counting.filters import FilterError

            raise FilterError(f"subject {', '.join(map(repr, unknown))}: no work in this store has this OpenAlex "
                              f"domain, field or subfield (name or id such as fields/17, or ni:<area>)")
        return filters

    @staticmethod
    def _unit_shares_stamp(version: int) -> str:
        """What ``unit_shares_version`` holds: the data version, the saved table's columns and the
        aggregates saved with them, and the pair cap they were built under (a copy saved by an older
        collabatlas is ignored like a stale one)."""
        return (f"{version}:" + ",".join(counting.SHARE_COLUMNS + counting.CONTEXT_COLUMNS)
                + f":agg_units,agg_partners:pair_cap={counting.MAX_PAIR_UNITS}")

    @property
    def unit_shares_saved(self) -> bool:
        """Whether the store holds unit shares saved for its current data (see :meth:`store_unit_shares`)."""
        known = getattr(self, "_saved_known", None)
        if known is not None and self._fixed_version is not None:  # read-only: cannot change
            return known
        saved = meta_get(self.con, "unit_shares_version") == self._unit_shares_stamp(self.data_version)
        self._saved_known = saved
        return saved

    def unit_shares_table(self, c: Counting) -> str:
        """Name of a temporary table holding every work's unit shares at ``c``'s level (built on
        first use in this connection, rebuilt when the data version changes). Every metric of the
        level reads it, so the per-author attribution is computed once, not once per metric."""
        if not self.has_store:  # the engine keeps its own (the Parquet data does not change under it)
            return self.works_engine.unit_shares_table(c)
        version = self.data_version
        if c.level in self.PERSISTED_LEVELS and not c.rollup and not c.exclude_dual and self.unit_shares_saved:
            return f"unit_shares_{c.level}"
        name = f"wu_{c.level}" + ("_rollup" if c.rollup else "") + ("_nodual" if c.exclude_dual else "")
        if self._unit_share_versions.get(name) != version:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {counting.base_unit_shares_sql(c)}")
            self._unit_share_versions[name] = version
        return name

    def _df(self, sql_params: tuple[str, dict]) -> pd.DataFrame:
        """Run a statement of :mod:`collabatlas.counting.rules` on this Atlas's engine."""
        sql, params = sql_params
        return self.works_engine.query(sql, params)

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run a statement of :mod:`collabatlas.counting` on the works engine (the analyses' interface)."""
        return self.works_engine.query(sql, params)

    def mapping(self, sql: str, params: dict | None = None) -> dict:
        """The first two columns of a statement's result as a dict (any engine; the analyses' interface)."""
        return self.works_engine.mapping(sql, params)

    _mapping = mapping

    @takes_options()
    def scores(self, level: str = "country", *, by_year: bool = False, base_year: int | None = None, ci: int = 0,
               country: str | None = None, sort: str | None = None, options: MetricOptions) -> pd.DataFrame:
        """Count and Share per unit (columns ``unit[, name][, year], count, share``).
        ``country`` keeps the institutions of that country (institution level); ``sort`` ranks by
        another numeric column (largest first) instead of ``share`` (see :meth:`_rank_by`).

        ``by_year`` gives one row per unit and year; ``base_year`` adds ``adjusted_share`` =
        Share × N_base / N_year (N = works in the data set under the same filters), and implies
        ``by_year``.
        """
        ci = uncertainty.check_replicates(ci)
        c = self.counting_for(level, options)
        by_year = by_year or base_year is not None
        if base_year is not None:
            self._check_base_year(c.filters, int(base_year))
            df = self._df(work_lists.adjusted_scores_sql(c, int(base_year)))
        else:
            df = self._df(counting.scores_sql(c, by_year=by_year))
        df = ranked(df, "share", ["unit"], ["year"] if by_year else None)
        df["count"] = df["count"].astype("int64")
        if ci:
            if by_year:
                raise counting.CountingError("confidence intervals are given for a whole period, not --by-year")
            bounds = self._intervals(c, ci)
            df["share_low"], df["share_high"] = df["unit"].map(bounds["low"]), df["unit"].map(bounds["high"])
        df = self._rank_by(df, level, country, sort, "share", ["year"] if by_year else None)
        return with_country_names(df, "unit") if level == "country" else df

    def _rank_by(self, df: pd.DataFrame, level: str, country: str | None, sort: str | None, default: str,
                 groups: list[str] | None = None) -> pd.DataFrame:
        """An institution ranking cut to ``country`` and ranked by ``sort`` (a numeric column of ``df``;
        ties by unit), each refused with the reason when it does not apply."""
        if country is not None:
            if level != "institution":
                raise counting.CountingError("--country keeps the institutions of a country: it applies to "
                                             "--level institution only")
            code = self.resolve_unit("country", country)
            located = self.institution_attributes()["country_code"]
            df = df[df["unit"].map(located).eq(code).to_numpy()].reset_index(drop=True)
        if sort is not None and sort != default:
            numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and c != "year"]
            if sort not in numeric:
                raise counting.CountingError(f"--sort {sort!r}: expected one of {', '.join(numeric)}")
            df = ranked(df, sort, ["unit"], groups)
        return df

    def _check_base_year(self, filters: Filters, base_year: int) -> None:
        n = self._mapping(*counting.works_per_year_sql(filters.without_years()))
        if base_year not in n:
            raise counting.CountingError(f"base year {base_year} has no works under these filters")

    @takes_options()
    def pairs(self, level: str = "country", *, by_year: bool = False, min_joint: int = 1, indices=None, ci: int = 0,
              source: str = "works", options: MetricOptions) -> pd.DataFrame:
        """Bilateral collaboration score per pair (columns ``unit_a, unit_b[, year], joint_count, cs``).

        ``indices`` (``"salton,jaccard,association,ric"`` or a list; ``ric`` brings ``ric_ba``) adds
        ``n_a, n_b, t`` and the normalised pair indices on full counts
        (:mod:`collabatlas.counting.pair_indices`); ``ci`` replicates add their bootstrap intervals
        (``_lo`` / ``_hi``). ``source="pairs"``: joint works of each country pair from the country-pair
        aggregates, where no index can be computed (they hold internationally co-authored works only)."""
        from collabatlas.counting import pair_indices

        check_range("min_joint", min_joint, 1)
        ci = uncertainty.check_replicates(ci)
        wanted = pair_indices.parse_indices(indices)
        if "ric" in wanted and "ric_ba" not in wanted:
            wanted = pair_indices.parse_indices([*wanted, "ric_ba"])
        engine = self.engine_for(source)
        if wanted:
            engine.capabilities.require("pair_indices")
        engine.capabilities.require("pairs", level=level, options=options, ci=ci, by_year=by_year)
        if engine.capabilities.answers_itself("pairs"):  # from its own table (full counts of joint works)
            df = engine.links(options.years)
            df = df[df["joint_count"] >= min_joint].reset_index(drop=True)
            df["counting"] = engine.capabilities.counting_label
            return self._captioned(with_country_names(df, "unit_a", "unit_b"), engine)
        if ci and not wanted:
            raise counting.CountingError("--ci gives intervals of the pair indices: add --indices")
        if ci and by_year:
            raise counting.CountingError("confidence intervals are given for a whole period, not --by-year")
        c = self.counting_for(level, options)
        if wanted:
            df = self._df(pair_indices.pair_indices_sql(c, wanted, by_year=by_year))
        else:
            df = self._df(counting.pairs_sql(c, by_year=by_year))
        if min_joint > 1:
            df = df[df["joint_count"] >= min_joint]
        df = ranked(df, "cs", ["unit_a", "unit_b"], ["year"] if by_year else None)
        df["joint_count"] = df["joint_count"].astype("int64")
        if wanted:
            for col in ("n_a", "n_b", "t"):
                df[col] = df[col].astype("int64")
            for col in wanted:
                df[col] = df[col].astype(float)
            if ci:
                from collabatlas.analyses.impact import index_intervals

                df = index_intervals(self, c, df, wanted, ci)
            df.attrs["counting"] = ("pair indices on full counts (N_x = works with Share > 0, T = works with a unit "
                                    "of the level); cs fractional")
            df.attrs["notes"] = [df.attrs["counting"]]
            df.attrs["counting_label"] = df.attrs["counting"]  # what the views name as its counting
        return with_country_names(df, "unit_a", "unit_b") if level == "country" else df

    @takes_options()
    def totals(self, level: str = "country", *, unit: str | None = None, source: str = "works",
               country: str | None = None, sort: str | None = None, options: MetricOptions) -> pd.DataFrame:
        """Count, Share and total CS per unit, split into domestic / international / industry.

        Columns: ``unit[, name], count, share, collab_count, intl_count, cs_total, cs_domestic,
        cs_international, cs_unknown_country, cs_industry`` (see :func:`counting.totals_sql`).
        ``unit`` restricts the table to that one unit (an id as in the output).
        ``source="pairs"``: per country from country-pair aggregates, full counts: ``unit, count,
        partner_links, partner_countries, counting`` (:func:`country_pairs.totals`).
        ``country`` and ``sort`` as for :meth:`scores` (default order: ``cs_total``).
        """
        engine = self.engine_for(source)
        engine.capabilities.require("totals", level=level, options=options)
        if engine.capabilities.answers_itself("totals"):  # from its own table (the country-pair table)
            df = self._rank_by(engine.totals(options.years), level, country, sort, "intl_works")
            df = df[df["unit"] == unit.strip().upper()].reset_index(drop=True) if unit else df
            return self._captioned(with_country_names(df, "unit"), engine)
        c = self.counting_for(level, options)
        df = self._df(counting.totals_sql(c, focus=unit))
        df = ranked(df, "cs_total", ["unit"])
        for col in ("count", "collab_count", "intl_count"):
            df[col] = df[col].astype("int64")
        if level != "institution":
            df = df.drop(columns=["cs_industry"] if level == "country"
                         else ["cs_domestic", "cs_international", "cs_unknown_country"])
        df = self._rank_by(df, level, country, sort, "cs_total")
        return with_country_names(df, "unit") if level == "country" else df

    @takes_options()
    def works(self, unit: str, partner: str | None = None, level: str = "country", figure: str | None = None, *,
              partner_country: str | None = None, limit: int | None = None, offset: int = 0,
              options: MetricOptions) -> pd.DataFrame:
        """The works behind a figure of ``unit`` (with ``partner``: their bilateral CS), one row each:
        ``work, doi, title, year, journal, sources, share, partner_share, contribution``, largest
        contribution first (see :func:`counting.works_sql`). ``contribution`` sums to the figure over
        all rows; ``attrs`` carries ``figure``, ``total`` (that sum) and ``rows`` (before paging).
        ``partner_country`` (an institution, in place of ``partner``): the works behind its CS with the
        institutions of that country, a hotspot of its profile (the contributions add up to its CS)."""
        check_range("limit", limit, 1)
        check_range("offset", offset, 0)
        if partner_country is not None:
            if partner is not None:
                raise counting.CountingError("give a partner or a partner country, not both")
            if level != "institution":
                raise counting.CountingError("a partner country applies to an institution's works (--level "
                                             "institution); at country level give the country as the partner")
            partner_country = self.resolve_unit("country", partner_country)
        unit = self.resolve_unit(level, unit)
        if partner is not None:
            partner = self.resolve_unit(level, partner)
        c = self.counting_for(level, options)
        df = self._df(work_lists.works_sql(dataclasses.replace(c, aggregated=False), unit, partner, figure,
                                           partner_country))
        total, rows = float(df["contribution"].sum()), len(df)
        if offset or limit:
            df = df.iloc[offset: offset + limit if limit else None].reset_index(drop=True)
        df.attrs.update(figure=figure or ("cs" if partner or partner_country else "share"), total=total, rows=rows)
        return df

    @staticmethod
    def _captioned(df: pd.DataFrame, engine: Engine) -> pd.DataFrame:
        """``df`` with its engine's caption words in ``attrs`` (``source_label``, ``counting_label``) and,
        beside its ``counting`` column, a ``source`` column naming the table (provider, retrieval date):
        a CSV of pair figures says where it comes from."""
        df.attrs.update(source_label=engine.capabilities.source_label,
                        counting_label=engine.capabilities.counting_label)
        if "counting" in df.columns and "source" not in df.columns:
            df.insert(df.columns.get_loc("counting") + 1, "source", engine.capabilities.source_label)
        return df

    # -- analyses over the counting statements -----------------------------------------------
    def resolve_unit(self, level: str, unit: str) -> str:
        """The store's id of ``unit`` at ``level``: a country by ISO2, ISO3 or name, an institution by
        id, ROR id or URL, or name (:mod:`collabatlas.analyses.units`); raises
        :class:`UnknownUnitError` when the store has no such unit, and lists the candidates when a name
        matches several."""
        return units.resolve(self._df, level, unit)

    def find(self, text: str, level: str | None = None, limit: int = units.CANDIDATES) -> pd.DataFrame:
        """Units whose id or name matches ``text`` (``collabatlas find``): level, id, name, country, works."""
        return units.find(self._df, text, level, limit)

    @takes_options()
    def partners(self, unit: str, level: str = "country", top: int | None = None, *, report_dual: bool = False,
                 ci: int = 0, source: str = "works", options: MetricOptions) -> pd.DataFrame:
        """Partners of ``unit`` by bilateral CS (Nature Index "top collaborators").

        ``source="pairs"`` answers from country-pair aggregates instead (full counts of joint works,
        see :mod:`collabatlas.store.country_pairs`); filters other than ``years`` do not apply there.

        Columns: ``partner[, name, country], joint_count, cs, pct_of_international_cs`` and, when
        ``years`` spans several years, ``cs_<year>`` for each year. The percentage is the partner's
        part of the unit's CS with partners in other countries (empty for a domestic partner).
        """
        check_range("top", top, 1)  # None: every partner
        ci = uncertainty.check_replicates(ci)
        engine = self.engine_for(source)
        engine.capabilities.require("partners", level=level, options=options, report_dual=report_dual, ci=ci)
        if engine.capabilities.answers_itself("partners"):  # from its own table
            df = engine.partners(country_code(unit) or unit, options.years)
            return self._captioned(with_country_names(df.head(top) if top else df, "partner"), engine)
        unit = self.resolve_unit(level, unit)
        c = self.counting_for(level, options)
        df = self.partner_detail(c, level, unit)
        df = df.drop(columns=["own_share", "partner_share", "own_pct"])
        if report_dual and not options.exclude_dual_affiliations:
            split = self._df(derived.partners_dual_sql(c, self.without_dual(c), unit)).set_index("partner")
            df["cs_without_dual"] = df["partner"].map(split["cs_without_dual"]).fillna(0.0)
            df["dual_cs"] = df["partner"].map(split["dual_cs"]).fillna(0.0)
        if ci:
            bounds = self._intervals(c, ci, focus=unit)
            df["cs_low"], df["cs_high"] = df["partner"].map(bounds["low"]), df["partner"].map(bounds["high"])
        if top:
            df = df.head(top)
        first_last = c.filters.years
        if first_last and first_last[1] > first_last[0] and not df.empty:
            per_year = self._df(counting.partners_sql(c, unit, by_year=True))
            wide = per_year.pivot_table(index="partner", columns="year", values="cs", aggfunc="sum", fill_value=0.0)
            for year in range(first_last[0], first_last[1] + 1):
                values = wide[year] if year in wide.columns else pd.Series(dtype=float)
                df[f"cs_{year}"] = df["partner"].map(values).fillna(0.0)
        return with_country_names(df, "partner") if level == "country" else df

    @takes_options()
    def partner_countries(self, institution: str, top: int | None = None, international_only: bool = False, *,
                          options: MetricOptions) -> pd.DataFrame:
        """CS of an institution with the partner institutions of each country: ``country, cs,
        joint_partners, domestic, pct_of_international_cs`` (``top``: the international countries,
        the largest ``top`` and ``rest of world``); see :func:`derived.partner_countries_sql`. The
        profile's hotspots and the institution partner map are this table."""
        check_range("top", top, 1)
        unit = self.resolve_unit("institution", institution)
        c = self.counting_for("institution", options)
        df = self._df(derived.partner_countries_sql(c, unit, top=top, international_only=international_only))
        df["joint_partners"] = df["joint_partners"].astype("int64")
        return df

    def without_dual(self, c: Counting) -> Counting:
        """``c`` without authors affiliated in several countries (``exclude_dual``), on its unit-share table."""
        c2 = dataclasses.replace(c, exclude_dual=True)
        return dataclasses.replace(c2, source=self.unit_shares_table(c2))

    def _intervals(self, c: Counting, ci: int, **which) -> pd.DataFrame:
        """key, low, high: bootstrap intervals (``ci`` replicates) of the sums behind a metric."""
        contrib = self._df(counting.contributions_sql(c, **which))
        out = uncertainty.intervals(contrib, replicates=ci)
        if c.level == "institution" and "unit_b" not in which:
            ids = self._mapping(f"SELECT ikey, unit_id FROM {counting.UNIT_IDS_SQL} u")
            out["key"] = out["key"].map(ids)
        return out.set_index("key")

    def partner_detail(self, c: Counting, level: str, unit: str) -> pd.DataFrame:
        """All partners of ``unit`` (already resolved) under counting ``c``, by CS, with country
        (institutions), both sides' Shares on joint works and % of international CS."""
        df = self._df(derived.partner_detail_sql(c, unit))  # the international part is SQL too
        df["joint_count"] = df["joint_count"].astype("int64")
        return ranked(df, "cs", ["partner"])

    def institution_attributes(self) -> pd.DataFrame:
        """country_code, lower-case type (the one its sector comes from: OpenAlex's, else ROR's) and name
        of every institution, indexed by the id outputs show (its ROR id where it has one)
        (read once per data version: partner tables look thousands of partners up in it)."""
        version = self.data_version
        cached = getattr(self, "_institution_attributes", None)
        if cached is None or cached[0] != version:
            df = self._df((f"SELECT u.unit_id, i.country_code, lower(coalesce(i.ror_type, i.type)) AS type, i.name "
                           f"FROM institutions i JOIN {counting.UNIT_IDS_SQL} u ON u.ikey = i.ikey", {}))
            cached = self._institution_attributes = (version, df.set_index("unit_id"))
        return cached[1]


def open(path: str | os.PathLike | None = None, read_only: bool = False,
         settings: EngineSettings | None = None) -> Atlas:
    """Open the store at ``path`` (default ``$COLLABATLAS_STORE`` or ``collabatlas.duckdb``)."""
    return Atlas(path, read_only=read_only, settings=settings)


def open_spark(parquet: str | os.PathLike, master: str | None = None) -> Atlas:
    """The metrics of the Parquet interchange directory ``parquet`` (``collabatlas export DIR``)
    computed on Apache Spark; ``master`` as for ``spark-submit`` (default ``local[*]``)."""
    return Atlas(engine="spark", parquet=parquet, spark_master=master)
