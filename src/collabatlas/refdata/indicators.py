"""Country indicators for the landscape study, read from the real data directory as tidy frames.

Everything is keyed by ISO 3166-1 alpha-2 code (``iso2``), the code OpenAlex uses for countries.
Files are the packaged reference datasets (:mod:`collabatlas.refdata`; ``data_dir`` or
``$COLLABATLAS_DATA`` may hold other copies in the layout ``indicators/<file>``):

========================  ==========================================  ==============================
indicator                 file                                        source column value
========================  ==========================================  ==============================
gerd_pct_gdp              wdi_gerd_researchers_gdppc_long.csv         ``WDI GB.XPD.RSDV.GD.ZS``
researchers_per_million   wdi_gerd_researchers_gdppc_long.csv         ``WDI SP.POP.SCIE.RD.P6``
gdp_per_capita            wdi_gerd_researchers_gdppc_long.csv         ``WDI NY.GDP.PCAP.CD``
population                population.csv (Frictionless, WDI)         ``population.csv``
trust_pct                 Trust_World_Value_Survey.csv (OWID, WVS)    ``OWID Trust_World_Value_Survey``
gerd_ppp_musd             table_6304_data.csv, table_1875_data.csv    ``NSF NCSES table 6304 (...)``
========================  ==========================================  ==============================

Choices, each deliberate:

- **Aggregates are dropped.** A code is an aggregate when ``WDI_R_package_country_income_region.csv``
  gives it region ``Aggregates`` (World, income groups, regions, EU, ...). Aggregates are not
  countries, so they are not reported as unmapped either.
- **Codes.** ISO3 → ISO2 through ``country-codes.csv``; where ISO 3166 has no code, the World Bank's
  own two-letter code from the WDI R package file (``XK`` Kosovo, ``JG`` Channel Islands).
- **Names** (the OWID files have names only) are mapped by :func:`names_to_iso2`: a short list of
  explicit decisions, then ``country_converter``'s regular expressions, then an exact match on the
  names in ``country-codes.csv`` and the WDI file. Dissolved states (Czechoslovakia, Yugoslavia,
  Serbia and Montenegro, USSR, Netherlands Antilles, ...) are deliberately *not* mapped to a
  successor: their rows are left out and their names reported. Every name that is not mapped is
  reported — :func:`unmapped_names` (a list) and :func:`unmapped` (source, name, rows, reason) —
  and is never dropped silently.
- **NSF GERD in millions of PPP dollars** (``gerd_ppp_musd``; :func:`load_nsf_gerd`) comes from two
  editions of the NSF NCSES international comparison table: 6304 ("2019 or latest year", dataset
  ``nsf-gerd-2019``) and 1875 ("2017 or latest year", ``nsf-gerd-2017``). Each country has two rows
  labelled ``Region -> Country (YYYY)``: the first is GERD in millions of PPP $, the second GERD %
  of GDP (the latter is not read: WDI is the % of GDP series). **The year of a row is the year the
  table prints for that country** (e.g. Switzerland 2017 in the 2019 edition), not the edition's
  year. Where both editions give the same country and year, the newer edition (6304, revised
  figures) is kept. The region ``Selected country groups`` (EU, OECD, G20) holds aggregates,
  excluded like the WDI ones. Israel's figures are civilian R&D only (the table's note).
- ``gdp.csv`` (total GDP) is not used: GDP per capita comes from WDI directly, and ``gdp.csv`` is
  an older vintage that disagrees with WDI for some country-years.
- Current income groups come from the WDI R package file (``Not classified`` → missing);
  historical ones (1987–2016) from OWID's copy of the World Bank classification, codes
  1 low, 2 lower-middle, 3 upper-middle, 4 high.

Reads are cached per data directory (``functools.lru_cache``); every public function returns a copy.
A missing or damaged file raises :class:`IndicatorError` naming the file and how to repair it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from collabatlas import refdata, settings
from collabatlas.errors import UserError
from collabatlas.refdata import countries

ANNUAL_INDICATORS = ("gerd_pct_gdp", "researchers_per_million", "gdp_per_capita", "population", "trust_pct")
"""The annual (or survey-wave) series; the default of the landscape's gap report."""
NSF_INDICATORS = ("gerd_ppp_musd",)
"""From the NSF snapshot tables: one reference year per country and edition (:func:`load_nsf_gerd`)."""
INDICATORS = ANNUAL_INDICATORS + NSF_INDICATORS
INCOME_GROUPS = ("high", "upper-middle", "lower-middle", "low")

WDI_CODES = {
    "GB.XPD.RSDV.GD.ZS": "gerd_pct_gdp",
    "SP.POP.SCIE.RD.P6": "researchers_per_million",
    "NY.GDP.PCAP.CD": "gdp_per_capita",
}

DATASETS = {
    "wdi_long": "wdi", "population": "population", "income_current": "wb-countries",
    "income_history": "wb-income-history", "trust": "trust", "codes": "country-codes",
    "nsf_2019": "nsf-gerd-2019", "nsf_2017": "nsf-gerd-2017",
}
"""file key → reference dataset (:mod:`collabatlas.refdata`)."""

FILES = {
    "wdi_long": "wdi_gerd_researchers_gdppc_long.csv",
    "population": "population.csv",
    "income_current": "WDI_R_package_country_income_region.csv",
    "income_history": "Country_Income_Classification_-_World_Bank_2017_.csv",
    "trust": "Trust_World_Value_Survey.csv",
    "codes": "country-codes.csv",
    "nsf_2019": "table_6304_data.csv",
    "nsf_2017": "table_1875_data.csv",
}

NSF_TABLES = (("nsf_2019", "6304", "2019 or latest year"), ("nsf_2017", "1875", "2017 or latest year"))
"""(file key, NSF table id, the table's own year rule), newest edition first: it wins a tie."""
_NSF_LABEL = re.compile(r"^(?P<region>[^>]+?) -> (?P<name>.+?) \((?P<year>\d{4})\)(?:<sup>[^<]*</sup>)*$")
_NSF_AGGREGATE_REGION = "Selected country groups"

_CURRENT_LABELS = {
    "High income": "high",
    "Upper middle income": "upper-middle",
    "Lower middle income": "lower-middle",
    "Low income": "low",
}
_HISTORICAL_LABELS = {1: "low", 2: "lower-middle", 3: "upper-middle", 4: "high"}

# Explicit decisions, checked before country_converter. A name → None means "do not map".
_NAME_DECISIONS: dict[str, str | None] = {
    "timor": "TL",  # OWID's short name for Timor-Leste; country_converter wants "East Timor"/"Timor-Leste"
}
# Dissolved states: country_converter's regexes would attach some of them to a successor
# (Czechoslovakia matches Czechia's regex), which would merge two different entities.
_FORMER_STATES = re.compile(
    r"czechoslovakia|yugoslavia|serbia (and|&) montenegro|ussr|soviet union|"
    r"east germany|west germany|german democratic|netherlands antilles|zanzibar|tanganyika",
    re.IGNORECASE,
)

ENV_VAR = settings.env_var("data")


class IndicatorError(UserError):
    """An indicator file is missing or inconsistent."""


# ---------------------------------------------------------------------------------------------
# paths and cached reads


def _base(data_dir) -> str:
    """Cache key of a reference-data choice: the explicit directory or "", and the refdata generation."""
    return f"{Path(data_dir).resolve() if data_dir else ''}|{refdata.generation()}"


def _path(base: str, key: str) -> Path:
    try:
        directory = base.rpartition("|")[0]
        return refdata.path(DATASETS[key], directory or None)
    except refdata.RefDataError as exc:
        raise IndicatorError(str(exc)) from exc


def _read(base: str, key: str) -> pd.DataFrame:
    # keep_default_na=False: Namibia's ISO2 code is "NA"
    return pd.read_csv(_path(base, key), keep_default_na=False, na_values=[""], encoding="utf-8-sig")


@lru_cache(maxsize=8)
def _code_tables(base: str) -> dict:
    """ISO3 → ISO2, aggregate ISO3 codes, and exact-name → ISO2 lookups."""
    codes = _read(base, "codes")
    wdi = _read(base, "income_current")
    iso3_to_iso2 = {
        r3: r2 for r3, r2 in zip(codes["ISO3166-1-Alpha-3"], codes["ISO3166-1-Alpha-2"], strict=False)
        if isinstance(r3, str) and isinstance(r2, str)
    }
    aggregate = wdi["region"].eq("Aggregates")
    aggregates = dict(zip(wdi.loc[aggregate, "iso3c"], wdi.loc[aggregate, "country"], strict=False))
    for r3, r2 in zip(wdi.loc[~aggregate, "iso3c"], wdi.loc[~aggregate, "iso2c"], strict=False):
        iso3_to_iso2.setdefault(r3, r2)  # XKX → XK, CHI → JG: World Bank codes where ISO has none
    by_name: dict[str, str] = {}
    for col in ("CLDR display name", "official_name_en", "UNTERM English Short", "ISO4217-currency_country_name"):
        for name, r2 in zip(codes[col], codes["ISO3166-1-Alpha-2"], strict=False):
            if isinstance(name, str) and isinstance(r2, str):
                by_name.setdefault(name.strip().casefold(), r2)
    for name, r2 in zip(wdi.loc[~aggregate, "country"], wdi.loc[~aggregate, "iso2c"], strict=False):
        by_name.setdefault(str(name).strip().casefold(), r2)
    aggregate_names = {str(n).casefold() for n in aggregates.values()}
    return {
        "iso3_to_iso2": iso3_to_iso2,
        "aggregates": aggregates,
        "aggregate_names": aggregate_names,
        "aggregate_iso2": set(wdi.loc[aggregate, "iso2c"].dropna()),
        "by_name": by_name,
        "known_iso2": set(iso3_to_iso2.values()),
    }


def _classify(name: str, tables: dict) -> tuple[str | None, str]:
    """(iso2, how) for one name; iso2 None with the reason when not mapped."""
    key = name.strip().casefold()
    if key in _NAME_DECISIONS:
        code = _NAME_DECISIONS[key]
        return (code, "explicit") if code else (None, "explicitly not mapped")
    if _FORMER_STATES.search(name):
        return None, "former state, no successor code"
    if key in tables["aggregate_names"]:
        return None, "aggregate"
    with countries.quiet():
        code = countries.converter().convert(name, src="regex", to="ISO2", not_found=None)
    if isinstance(code, str) and code in tables["known_iso2"]:
        return code, "country_converter"
    if isinstance(code, list):
        return None, f"ambiguous: {', '.join(map(str, code))}"
    code = tables["by_name"].get(key)
    if code:
        return code, "exact name"
    return None, "not recognised"


def names_to_iso2(names, data_dir=None) -> tuple[dict[str, str], list[str]]:
    """Map country names to ISO2. Returns ``(mapping, unmapped)``: ``mapping`` holds every name that
    was mapped, ``unmapped`` (sorted) every other name except aggregates. Nothing is dropped silently."""
    tables = _code_tables(_base(data_dir))
    mapping, missing = {}, []
    for name in sorted({str(n) for n in names}):
        code, how = _classify(name, tables)
        if code:
            mapping[name] = code
        elif how != "aggregate":
            missing.append(name)
    return mapping, missing


# ---------------------------------------------------------------------------------------------
# per-source readers: (tidy frame, unmapped rows)


def _from_iso3(df: pd.DataFrame, code_col: str, name_col: str, source: str, tables: dict):
    codes = df[code_col]
    aggregate = codes.isin(tables["aggregates"])
    iso2 = codes.map(tables["iso3_to_iso2"])
    lost = df[~aggregate & iso2.isna()]
    unmapped = [
        {"source": source, "name": name, "code": code, "rows": int(n), "reason": "ISO3 code not in country-codes.csv"}
        for (name, code), n in lost.groupby([name_col, code_col]).size().items()
    ]
    keep = ~aggregate & iso2.notna()
    return df[keep].assign(iso2=iso2[keep]), unmapped


def _from_names(df: pd.DataFrame, name_col: str, source: str, tables: dict):
    mapping, unmapped = {}, []
    for name, n in df.groupby(name_col).size().items():
        code, how = _classify(str(name), tables)
        if code:
            mapping[name] = code
        elif how != "aggregate":
            unmapped.append({"source": source, "name": name, "code": None, "rows": int(n), "reason": how})
    iso2 = df[name_col].map(mapping)
    by_code: dict[str, list] = {}
    for name, code in mapping.items():
        by_code.setdefault(code, []).append(name)
    clash = {code: names for code, names in by_code.items() if len(names) > 1}
    if clash:
        raise IndicatorError(f"{source}: several names map to one code: {clash}")
    keep = iso2.notna()
    return df[keep].assign(iso2=iso2[keep]), unmapped


@lru_cache(maxsize=8)
def _wdi(base: str):
    tables = _code_tables(base)
    df = _read(base, "wdi_long")
    df = df[df["Indicator Code"].isin(WDI_CODES) & df["value"].notna()]
    df, unmapped = _from_iso3(df, "Country Code", "Country Name", FILES["wdi_long"], tables)
    out = pd.DataFrame({
        "iso2": df["iso2"], "year": df["year"].astype("int64"),
        "indicator": df["Indicator Code"].map(WDI_CODES), "value": df["value"].astype(float),
        "source": "WDI " + df["Indicator Code"],
    })
    return out, unmapped


@lru_cache(maxsize=8)
def _population(base: str):
    tables = _code_tables(base)
    df = _read(base, "population")
    df = df[df["Value"].notna()]
    df, unmapped = _from_iso3(df, "Country Code", "Country Name", FILES["population"], tables)
    out = pd.DataFrame({
        "iso2": df["iso2"], "year": df["Year"].astype("int64"), "indicator": "population",
        "value": df["Value"].astype(float), "source": "population.csv",
    })
    return out, unmapped


def _owid_values(base: str, key: str) -> tuple[pd.DataFrame, str]:
    """An OWID file (Entity, Code, Year, one value column): its rows with a value, and that column's name."""
    df = _read(base, key)
    value_col = [c for c in df.columns if c not in ("Entity", "Code", "Year")][0]
    return df[df[value_col].notna()], value_col


@lru_cache(maxsize=8)
def _trust(base: str):
    tables = _code_tables(base)
    df, value_col = _owid_values(base, "trust")
    df, unmapped = _from_names(df, "Entity", FILES["trust"], tables)
    out = pd.DataFrame({
        "iso2": df["iso2"], "year": df["Year"].astype("int64"), "indicator": "trust_pct",
        "value": df[value_col].astype(float), "source": "OWID Trust_World_Value_Survey",
    })
    return out, unmapped


@lru_cache(maxsize=8)
def _historical(base: str):
    tables = _code_tables(base)
    df, value_col = _owid_values(base, "income_history")
    bad = set(df[value_col].astype(int)) - set(_HISTORICAL_LABELS)
    if bad:
        raise IndicatorError(f"{FILES['income_history']}: unknown income codes {sorted(bad)}")
    df, unmapped = _from_names(df, "Entity", FILES["income_history"], tables)
    out = pd.DataFrame({
        "iso2": df["iso2"], "year": df["Year"].astype("int64"),
        "group": df[value_col].astype(int).map(_HISTORICAL_LABELS),
    }).sort_values(["iso2", "year"], ignore_index=True)
    return out, unmapped


def nsf_source(table_id: str, rule: str) -> str:
    """The ``source`` label of an NSF row, naming the table, its year rule and the packaged file."""
    key = next(k for k, t, _ in NSF_TABLES if t == table_id)
    return f"NSF NCSES table {table_id} ({rule}; {FILES[key]})"


def _nsf_table(base: str, key: str, table_id: str, rule: str, tables: dict):
    """One NSF table: tidy GERD in millions of PPP $ with each country's stated year, and its unmapped names."""
    file = FILES[key]
    df = pd.read_csv(_path(base, key), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expected = ["table_id", "row_id", "time_period", "value"]
    if list(df.columns) != expected:
        raise IndicatorError(f"{file}: columns {list(df.columns)}, expected {expected}")
    if len(df) % 2:
        raise IndicatorError(f"{file}: {len(df)} rows; expected pairs (millions of PPP $, % of GDP) per country")
    records = []
    for i in range(0, len(df), 2):
        first, second = df.iloc[i], df.iloc[i + 1]
        where = f"{file} rows {first['row_id']}/{second['row_id']}"
        if first["time_period"] != second["time_period"]:
            raise IndicatorError(f"{where}: a pair's labels differ ({first['time_period']!r}, "
                                 f"{second['time_period']!r}); expected millions of PPP $ then % of GDP per country")
        if first["table_id"] != table_id or second["table_id"] != table_id:
            raise IndicatorError(f"{where}: table_id {first['table_id']!r}, expected {table_id!r}")
        match = _NSF_LABEL.match(first["time_period"].strip())
        if not match:
            raise IndicatorError(f"{where}: label {first['time_period']!r} is not 'Region -> Country (YYYY)'")
        try:
            ppp, pct = float(first["value"]), float(second["value"])
        except ValueError as exc:
            raise IndicatorError(f"{where}: value {first['value']!r} / {second['value']!r} is not a number "
                                 "(NSF flags such as i, r or D are not read)") from exc
        if not (0 <= pct <= 10 and ppp > pct):
            raise IndicatorError(f"{where}: {ppp} and {pct} do not look like millions of PPP $ then % of GDP")
        records.append({"region": match["region"].strip(), "name": match["name"].strip(),
                        "year": int(match["year"]), "value": ppp})
    rows = pd.DataFrame(records, columns=["region", "name", "year", "value"])
    rows = rows[rows["region"] != _NSF_AGGREGATE_REGION]
    rows, unmapped = _from_names(rows, "name", file, tables)
    if rows["iso2"].duplicated().any():
        raise IndicatorError(f"{file}: several rows for {sorted(rows.loc[rows['iso2'].duplicated(), 'iso2'])}")
    out = pd.DataFrame({"iso2": rows["iso2"], "year": rows["year"].astype("int64"), "indicator": "gerd_ppp_musd",
                        "value": rows["value"].astype(float), "source": nsf_source(table_id, rule)})
    return out, unmapped


@lru_cache(maxsize=8)
def _nsf(base: str):
    tables = _code_tables(base)
    parts = [_nsf_table(base, key, table_id, rule, tables) for key, table_id, rule in NSF_TABLES]
    df = pd.concat([p[0] for p in parts], ignore_index=True)  # newest edition first
    df = df.drop_duplicates(["iso2", "year"], keep="first").sort_values(["iso2", "year"], ignore_index=True)
    return df, [u for p in parts for u in p[1]]


@lru_cache(maxsize=8)
def _indicators(base: str):
    parts = [_wdi(base), _population(base), _trust(base), _nsf(base)]
    df = pd.concat([p[0] for p in parts], ignore_index=True)
    dup = df.duplicated(["iso2", "year", "indicator"], keep=False)
    if dup.any():
        raise IndicatorError(f"duplicate indicator values after mapping to ISO2:\n{df[dup].head(10)}")
    df = df.sort_values(["iso2", "indicator", "year"], ignore_index=True)
    return df, [u for p in parts for u in p[1]]


# ---------------------------------------------------------------------------------------------
# public API


def load_indicators(data_dir=None) -> pd.DataFrame:
    """Tidy ``iso2, year, indicator, value, source`` for the indicators in :data:`INDICATORS` (the
    five annual series and NSF's ``gerd_ppp_musd``, as :func:`load_nsf_gerd` gives it).

    Aggregates are dropped; rows whose country cannot be mapped to ISO2 are left out and listed in
    ``result.attrs["unmapped"]`` (names, as :func:`unmapped_names` returns them)."""
    df, missing = _indicators(_base(data_dir))
    out = df.copy()
    out.attrs["unmapped"] = sorted({u["name"] for u in missing})
    return out


def load_nsf_gerd(data_dir=None) -> pd.DataFrame:
    """GERD in millions of PPP dollars from the NSF NCSES tables 6304 (2019 or latest year) and 1875
    (2017 or latest year): tidy ``iso2, year, indicator, value, source`` with ``indicator`` =
    ``gerd_ppp_musd``, ``year`` the year the table states for that country, ``source`` naming the
    table and its file. A country-year in both editions keeps the newer (6304). Aggregates (EU, OECD,
    G20) are excluded; names not mapped to ISO2 are in ``result.attrs["unmapped"]`` and :func:`unmapped`."""
    df, missing = _nsf(_base(data_dir))
    out = df.copy()
    out.attrs["unmapped"] = sorted({u["name"] for u in missing})
    return out


def income_groups(data_dir=None) -> pd.Series:
    """Current World Bank income group per ISO2 (``high``, ``upper-middle``, ``lower-middle``,
    ``low``; ``Not classified`` countries are present with a missing value). Aggregates excluded."""
    base = _base(data_dir)
    wdi = _read(base, "income_current")
    wdi = wdi[wdi["region"].ne("Aggregates") & wdi["iso2c"].notna()]
    unknown = set(wdi["income"]) - set(_CURRENT_LABELS) - {"Not classified"}
    if unknown:
        raise IndicatorError(f"{FILES['income_current']}: unknown income labels {sorted(unknown)}")
    groups = pd.Series(wdi["income"].map(_CURRENT_LABELS).values, index=wdi["iso2c"].values, name="income_group")
    groups.index.name = "iso2"
    return groups.sort_index()


def historical_income(data_dir=None) -> pd.DataFrame:
    """``iso2, year, group``: the World Bank income group each year 1987–2016 (OWID). Names that
    cannot be mapped are listed in ``result.attrs["unmapped"]``."""
    df, missing = _historical(_base(data_dir))
    out = df.copy()
    out.attrs["unmapped"] = sorted({u["name"] for u in missing})
    return out


def unmapped(data_dir=None) -> pd.DataFrame:
    """Every country name (or code) in the indicator files that could not be mapped to ISO2:
    ``source, name, code, rows, reason``. Aggregates are not countries and are not listed."""
    base = _base(data_dir)
    rows = _indicators(base)[1] + _historical(base)[1]
    cols = ["source", "name", "code", "rows", "reason"]
    return pd.DataFrame(rows, columns=cols).sort_values(["source", "name"], ignore_index=True)


def unmapped_names(data_dir=None) -> list[str]:
    """The sorted, distinct names behind :func:`unmapped`."""
    return sorted(set(unmapped(data_dir)["name"]))


def clear_cache() -> None:
    """Forget cached reads (after the files change)."""
    for fn in (_code_tables, _wdi, _population, _trust, _nsf, _historical, _indicators):
        fn.cache_clear()
