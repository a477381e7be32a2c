"""Measure the real distributions the synthetic generator is calibrated on, and compare.

Reads the public samples in ``../shared/data`` (``collabatlas.settings.data_dir()``) and writes the
derived statistics (histograms, shares, fitted parameters; no records) to
``benchmarks/calibration.json``, which ``benchmarks.synth.calibrated_profile()`` turns into a
generator profile. ``main`` then draws a seeded sample with that profile and prints the real and the
generated summary statistics side by side so the reader can judge the calibration::

    python -m benchmarks.calibration                 # measure, write calibration.json, compare on 20k works
    python -m benchmarks.calibration --compare-only  # compare only (reads calibration.json)

What is measured where (sources with their biases, see docs/performance.md "Calibration"):

* authors per work: every source that lists authors (OpenAlex API sample, the Walden works table,
  WoS tab-delimited and plain-text exports, Scopus CSV, PubMed MEDLINE), pooled one record one vote
  (the snapshot sample's works carry no authors); fitted as an empirical body for
  1..:data:`BODY_MAX` authors plus a discrete Pareto tail up to :data:`TAIL_MAX`;
* institutions per author and authors without an institution: OpenAlex authorships (the
  generator writes OpenAlex records); WoS C1 address groups are reported next to them;
* countries per work and the international share by year: OpenAlex API sample and WoS C1
  countries (the Walden table is a funder case study, 58 % international: reported, not used);
  the year trend is a logistic fit;
* works per year and country popularity: the OpenAlex country totals (1990-2023);
* institutions per country: the ROR registry subset (Zipf exponent of the counts reported).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
BODY_MAX = 30
"""Authors per work up to this value are drawn from the empirical distribution; above, a Pareto tail."""
TAIL_MAX = 499
"""Largest regular author count; 500-3,000 is the mega-author tail, set by a knob (not measurable here)."""
MEGA_AUTHOR_SHARE = 0.0003
"""Default share of 500-3,000-author works. None of the samples holds one (the Walden table caps author
lists at 100), so this is an assumption: a few thousand such works a year among ~10M in OpenAlex."""
YEARS = (2000, 2023)
PERIODS = ((1900, 2004), (2005, 2009), (2010, 2014), (2015, 2019), (2020, 2100))
QUANTILES = {"median": 0.5, "p90": 0.9, "p99": 0.99}


# ---------------------------------------------------------------------------------------------
# Small statistics
# ---------------------------------------------------------------------------------------------
def summary(values: Iterable[float]) -> dict[str, float]:
    """n, mean, median, p90, p99 and max of ``values`` (quantiles by linear interpolation)."""
    a = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    if a.size == 0:
        return {"n": 0}
    out = {"n": int(a.size), "mean": float(a.mean())}
    out.update({k: float(np.quantile(a, q)) for k, q in QUANTILES.items()})
    out["max"] = float(a.max())
    return out


def pareto_alpha(values: np.ndarray, x_min: float) -> float:
    """Maximum-likelihood exponent of a continuous Pareto tail above ``x_min`` (Hill estimator,
    with the usual half-integer shift for discrete counts)."""
    tail = np.asarray(values, dtype=np.float64)
    tail = tail[tail > x_min]
    if tail.size == 0:
        raise ValueError(f"no value above {x_min}")
    return float(tail.size / np.log(tail / (x_min + 0.5)).sum())


def zipf_exponent(counts: Iterable[int], top: int = 100) -> float:
    """Slope s of log(count) = c - s log(rank) over the ``top`` largest positive counts."""
    c = np.sort(np.asarray([x for x in counts if x > 0], dtype=np.float64))[::-1][:top]
    if c.size < 3:
        raise ValueError("need at least 3 positive counts")
    slope, _ = np.polyfit(np.log(np.arange(1, c.size + 1)), np.log(c), 1)
    return float(-slope)


def logistic_fit(x: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """(a, b) of P(y=1) = 1 / (1 + exp(-(a + b x))) by Newton's method (maximum likelihood)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    X = np.stack([np.ones_like(x), x], axis=1)
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ beta))
        hessian = X.T @ (X * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, X.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1])


# ---------------------------------------------------------------------------------------------
# Readers: one small parser per export format, each returning plain per-record facts
# ---------------------------------------------------------------------------------------------
WOS_GROUP = re.compile(r"\[([^\]]*)\]\s*([^\[]*)")


def wos_country(address: str) -> str:
    """Country of a WoS C1 address: the last comma part; US addresses end in ``... USA``."""
    last = address.strip().rstrip(".;").rsplit(",", 1)[-1].strip()
    return "USA" if last.endswith(" USA") or last == "USA" else last


def parse_wos_c1(c1: str) -> tuple[dict[str, set[str]], set[str]]:
    """Institutions per author (first part of each address) and the countries of one C1 field.

    ``[A; B] Univ X, Dept, City, Country; [C] Inst Y, City, Country`` gives
    ``{A: {Univ X}, B: {Univ X}, C: {Inst Y}}`` and ``{Country}``. Addresses without an author group
    add their country only."""
    per_author: dict[str, set[str]] = {}
    countries: set[str] = set()
    if not isinstance(c1, str) or not c1.strip():
        return per_author, countries
    groups = WOS_GROUP.findall(c1)
    if not groups:
        groups = [("", part) for part in c1.split(";")]
    for authors, address in groups:
        address = address.strip().rstrip(";").strip()
        if not address:
            continue
        countries.add(wos_country(address))
        institution = address.split(",", 1)[0].strip()
        for author in filter(None, (a.strip() for a in authors.split(";"))):
            per_author.setdefault(author, set()).add(institution)
    return per_author, countries


def read_wos_tab(data: Path) -> pd.DataFrame:
    """WoS tab-delimited exports: one row per record (UT) with year, n_authors, C1."""
    frames = [pd.read_csv(p, sep="\t", quoting=3, encoding="utf-8-sig", dtype=str, index_col=False)
              for p in sorted((data / "wos").glob("wos_*.txt.gz"))]
    df = pd.concat(frames, ignore_index=True).drop_duplicates("UT")
    return pd.DataFrame({
        "year": pd.to_numeric(df["PY"], errors="coerce"),
        "n_authors": df["AU"].fillna("").map(lambda s: len([a for a in s.split(";") if a.strip()])),
        "c1": df["C1"],
    })


def tagged_records(text: str, end: str) -> list[dict[str, list[str]]]:
    """Records of a tagged export (WoS plain text ``XX value`` / MEDLINE ``XXXX- value``): tag -> lines.

    WoS tags are two characters (``AU Lang, XN``), MEDLINE tags four then ``- `` (``AU  - Smith J``).
    Continuation lines (leading spaces) extend the previous tag; ``end`` is the WoS record separator
    tag (``ER``); with ``end`` empty the format is MEDLINE, whose records are separated by blank lines."""
    records, current, tag = [], {}, None
    for raw in text.splitlines():
        line = raw.lstrip("\ufeff")
        if not line.strip():
            if not end and current:
                records.append(current)
                current, tag = {}, None
            continue
        if line.startswith(" ") and tag:
            current[tag].append(line.strip())
            continue
        tag, value = (line[:2], line[3:]) if end else (line[:4].strip(), line[6:])
        current.setdefault(tag, []).append(value.strip())
        if end and tag == end:
            records.append(current)
            current, tag = {}, None
    if current:
        records.append(current)
    return records


def authors_by_source(data: Path) -> dict[str, np.ndarray]:
    """Authors per work (records listing at least one author), per source."""
    out: dict[str, np.ndarray] = {}
    api = [json.loads(line) for line in gzip.open(data / "openalex" / "works_api_sample.jsonl.gz")]
    out["openalex_api_sample"] = np.array([len(w["authorships"]) for w in api])
    out["openalex_walden_table"] = pd.read_parquet(
        data / "openalex" / "walden_funder_case_works_flat.parquet", columns=["n_authors"]
    )["n_authors"].to_numpy()
    out["wos_tab_exports"] = read_wos_tab(data).n_authors.to_numpy()
    plain = tagged_records((data / "wos" / "biblium_wos_plaintext.txt").read_text(encoding="utf-8-sig"), "ER")
    out["wos_plaintext"] = np.array([len(r.get("AU", [])) for r in plain if "PT" in r])
    scopus = []
    for name in ("biblium_scopus.csv", "metaknowledge_scopus.csv"):
        authors = pd.read_csv(data / "scopus" / name, dtype=str)["Authors"].fillna("")
        scopus += [len([a for a in re.split(";" if ";" in s else r"\.,", s) if a.strip()]) for s in authors]
    out["scopus_csv"] = np.array(scopus)
    medline = []
    for name in ("medline_test.medline", "pybibx_pubmed.medline"):
        recs = tagged_records((data / "pubmed" / name).read_text(encoding="utf-8", errors="replace"), "")
        medline += [len(r.get("AU", [])) for r in recs if "PMID" in r]
    out["pubmed_medline"] = np.array(medline)
    return {k: v[v > 0].astype(np.int64) for k, v in out.items()}


def openalex_authorships(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """OpenAlex API sample: one row per authorship (n_institutions, n_countries) and one per work
    with authors (year, n_countries = distinct countries over its authorships)."""
    au, works = [], []
    for line in gzip.open(data / "openalex" / "works_api_sample.jsonl.gz"):
        w = json.loads(line)
        if not w["authorships"]:
            continue
        countries = set()
        for a in w["authorships"]:
            insts = {i["id"] for i in a["institutions"] if i.get("id")}
            own = set(a.get("countries") or [])
            countries |= own
            au.append({"n_institutions": len(insts), "n_countries": len(own), "work": len(works)})
        works.append({"year": w["publication_year"], "n_countries": len(countries)})
    works = pd.DataFrame(works)
    au = pd.DataFrame(au)
    au["work_has_country"] = works["n_countries"].to_numpy()[au.pop("work")] > 0
    return au, works


def wos_structure(data: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """WoS tab exports: per work (year, n_countries) for works with a C1, and institutions per author."""
    works, per_author = [], []
    for row in read_wos_tab(data).itertuples():
        authors, countries = parse_wos_c1(row.c1)
        if countries:
            works.append({"year": row.year, "n_countries": len(countries)})
        per_author += [len(v) for v in authors.values()]
    return pd.DataFrame(works), np.array(per_author)


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------
def fit_authors(n: np.ndarray) -> dict:
    """Empirical pmf for 1..BODY_MAX, share and Pareto exponent of the tail (BODY_MAX, TAIL_MAX]."""
    n = n[n <= TAIL_MAX]
    body = np.bincount(n[n <= BODY_MAX], minlength=BODY_MAX + 1)[1:].astype(np.float64)
    return {"body_pmf": (body / body.sum()).round(6).tolist(),
            "tail_share": round(float((n > BODY_MAX).mean()), 6),
            "tail_alpha": round(pareto_alpha(n, BODY_MAX), 4),
            "body_max": BODY_MAX, "tail_max": TAIL_MAX}


def periods(years: pd.Series, international: pd.Series) -> dict[str, list]:
    """``{"2005-2009": [works, international share]}`` for each period with works."""
    out = {}
    for lo, hi in PERIODS:
        sel = years.between(lo, hi)
        if sel.any():
            label = f"{max(lo, int(years[sel].min()))}-{min(hi, int(years[sel].max()))}"
            out[label] = [int(sel.sum()), round(float(international[sel].mean()), 4)]
    return out


def country_structure(data: Path) -> dict:
    """Countries per work (works with a country) and the international share by year."""
    _, oa = openalex_authorships(data)
    wos, _ = wos_structure(data)
    walden = pd.read_parquet(data / "openalex" / "walden_funder_case_works_flat.parquet", columns=["countries"])
    walden_k = walden["countries"].fillna("").map(lambda s: len({c for c in s.split("|") if c}))
    walden_k = walden_k[walden_k > 0]
    pooled = pd.concat([oa[oa.n_countries > 0], wos.dropna()], ignore_index=True)
    k = pooled["n_countries"].to_numpy()
    intl = k >= 2
    a, b = logistic_fit(pooled["year"].to_numpy() - 2015, intl)
    by_year = {str(y): round(1 / (1 + np.exp(-(a + b * (y - 2015)))), 4) for y in range(YEARS[0], YEARS[1] + 1)}
    extra = np.bincount(k[intl] - 1)[1:].astype(np.float64)
    return {
        "summary": summary(k),
        "share_single_country": round(float((k == 1).mean()), 4),
        "mean_if_international": round(float(k[intl].mean()), 4),
        "partners_pmf": (extra / extra.sum()).round(6).tolist(),
        "share_no_country_openalex": round(float((oa.n_countries == 0).mean()), 4),
        "international_by_period": periods(pooled["year"], pd.Series(intl)),
        "international_fit": {"a": round(a, 4), "b_per_year": round(b, 4), "centre_year": 2015},
        "international_by_year": by_year,
        "by_source": {"openalex_api_sample": summary(oa.n_countries[oa.n_countries > 0]),
                      "wos_c1": summary(wos.n_countries),
                      "walden_table_not_used": {**summary(walden_k),
                                                "share_international": round(float((walden_k >= 2).mean()), 4)}},
    }


def institution_structure(data: Path) -> dict:
    """Institutions per author and authors without institutions (OpenAlex), WoS next to it."""
    au, _ = openalex_authorships(data)
    _, wos_per_author = wos_structure(data)
    with_inst = au.n_institutions[au.n_institutions > 0]
    pmf = np.bincount(np.minimum(with_inst, 3), minlength=4)[1:] / len(with_inst)
    no_inst = au.n_institutions == 0
    in_works = au[au.work_has_country]
    in_no_inst = in_works.n_institutions == 0
    return {
        "authorships": int(len(au)),
        "institutions_per_author_pmf": [round(float(p), 4) for p in pmf],
        "institutions_per_author": summary(with_inst),
        "share_without_institution": round(float(no_inst.mean()), 4),
        "share_country_only": round(float((no_inst & (au.n_countries > 0)).mean()), 4),
        "in_works_with_country": {
            "share_without_institution": round(float(in_no_inst.mean()), 4),
            "share_country_only": round(float((in_no_inst & (in_works.n_countries > 0)).mean()), 4)},
        "wos_c1_institutions_per_author": summary(wos_per_author),
    }


def world_structure(data: Path) -> dict:
    """Works per year and country popularity (OpenAlex totals), institutions per country (ROR)."""
    totals = pd.read_csv(data / "country_pairs" / "openalex_country_totals_1990_2023.csv", keep_default_na=False)
    by_year = totals.groupby("year")["works_T"].sum()
    latest = totals[totals.year == totals.year.max()].set_index("country")["works_T"]
    ror = pd.read_csv(data / "ror" / "ror_subset_flat.csv.gz", usecols=["country_code", "status"],
                      keep_default_na=False)
    per_country = ror[(ror.status == "active") & (ror.country_code != "")].groupby("country_code").size()
    return {
        "works_by_year": {str(y): int(v) for y, v in by_year.items() if YEARS[0] <= y <= YEARS[1]},
        "country_works_latest_year": {c: int(v) for c, v in latest.items() if v > 0},
        "country_zipf_exponent": round(zipf_exponent(latest.to_numpy()), 4),
        "institutions_per_country": {c: int(v) for c, v in per_country.items()},
        "institutions_per_country_zipf_exponent": round(zipf_exponent(per_country.to_numpy()), 4),
    }


def calibrate(data: Path) -> dict:
    """Every statistic the generator's calibrated profile needs, from the samples in ``data``."""
    by_source = authors_by_source(data)
    pooled = np.concatenate(list(by_source.values()))
    return {
        "about": "Derived statistics of the public samples in ../shared/data (benchmarks/calibration.py); no records.",
        "authors_per_work": {
            "summary": summary(pooled),
            "share_ge_100": round(float((pooled >= 100).mean()), 5),
            "by_source": {k: summary(v) for k, v in by_source.items()},
            "fit": fit_authors(pooled),
        },
        "mega_author_share": {"observed_ge_500": int((pooled >= 500).sum()), "default": MEGA_AUTHOR_SHARE},
        "institutions": institution_structure(data),
        "countries_per_work": country_structure(data),
        "world": world_structure(data),
    }


def load(path: Path = CALIBRATION_FILE) -> dict:
    """The committed calibration table."""
    return json.loads(Path(path).read_text())


# ---------------------------------------------------------------------------------------------
# The same statistics of generated store tables
# ---------------------------------------------------------------------------------------------
def generated_statistics(tables: dict[str, pd.DataFrame]) -> dict:
    """Statistics of store tables (``benchmarks.synth.write_store_parquet``), keyed like ``calibrate``."""
    works, au = tables["works"], tables["authorships"]
    k = tables["author_countries"].groupby("work_id")["country_code"].nunique()
    k = k.reindex(works["work_id"]).fillna(0).astype(np.int64)
    k.index = works.index
    with_country = k > 0
    inst = au["n_institutions"]
    with_inst = inst[inst > 0]
    pmf = np.bincount(np.minimum(with_inst, 3), minlength=4)[1:] / len(with_inst)
    kk = k[with_country].to_numpy()
    per_country = tables["institutions"]["country_code"].dropna().value_counts()
    return {
        "authors_per_work": {"summary": summary(works["n_authors"].to_numpy()),
                             "share_ge_100": float((works["n_authors"] >= 100).mean()),
                             "share_500_3000": float(works["n_authors"].between(500, 3000).mean())},
        "institutions": {"institutions_per_author_pmf": pmf.tolist(),
                         "institutions_per_author": summary(with_inst.to_numpy()),
                         "share_without_institution": float((inst == 0).mean()),
                         "share_country_only": float(((inst == 0) & (au["n_countries"] > 0)).mean())},
        "countries_per_work": {"summary": summary(kk),
                               "share_single_country": float((kk == 1).mean()),
                               "mean_if_international": float(kk[kk >= 2].mean()),
                               "share_no_country_openalex": float((~with_country).mean()),
                               "international_by_period": periods(works["year"][with_country],
                                                                  pd.Series(kk >= 2, index=k[with_country].index))},
        "world": {"institutions_per_country_zipf_exponent": zipf_exponent(per_country.to_numpy())},
    }


def comparison_rows(real: dict, generated: dict) -> list[tuple[str, float | None, float | None]]:
    """(statistic, real, generated) rows for the side-by-side print."""
    rows = []
    for section, key in (("authors_per_work", "authors per work"), ("countries_per_work", "countries per work*")):
        for stat in ("mean", "median", "p90", "p99", "max"):
            rows.append((f"{key}: {stat}", real[section]["summary"][stat], generated[section]["summary"][stat]))
    rows.append(("share of works with >= 100 authors", real["authors_per_work"]["share_ge_100"],
                 generated["authors_per_work"]["share_ge_100"]))
    c_real, c_gen = real["countries_per_work"], generated["countries_per_work"]
    for stat in ("share_single_country", "mean_if_international", "share_no_country_openalex"):
        rows.append((stat.replace("_", " ") + ("" if "no_country" in stat else "*"), c_real[stat], c_gen[stat]))
    for period, (_, share) in c_real["international_by_period"].items():
        gen = next((v[1] for p, v in c_gen["international_by_period"].items() if p[:4] == period[:4]), None)
        rows.append((f"international share {period}*", share, gen))
    i_real, i_gen = real["institutions"], generated["institutions"]
    for j, label in enumerate(("1", "2", "3+")):
        rows.append((f"institutions per author = {label}", i_real["institutions_per_author_pmf"][j],
                     i_gen["institutions_per_author_pmf"][j]))
    rows.append(("authorships without institution", i_real["share_without_institution"],
                 i_gen["share_without_institution"]))
    rows.append(("  of which with a country", i_real["share_country_only"], i_gen["share_country_only"]))
    rows.append(("institutions per country: Zipf exponent", real["world"]["institutions_per_country_zipf_exponent"],
                 generated["world"]["institutions_per_country_zipf_exponent"]))
    return rows


def generate_and_measure(n: int, seed: int, mega_share: float | None = None) -> dict:
    """Draw ``n`` works with the calibrated profile and return their ``generated_statistics``."""
    from benchmarks import synth

    with tempfile.TemporaryDirectory() as tmp:
        synth.write_store_parquet(tmp, n, seed, mega_share=mega_share, profile=synth.calibrated_profile())
        tables = {t: pd.read_parquet(Path(tmp) / t) for t in synth.TABLES}
    return generated_statistics(tables)


def print_comparison(real: dict, generated: dict, n: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"calibration: real samples vs {n:,} generated works",
                  caption="* among works with at least one country")
    for col in ("statistic", "real", "generated"):
        table.add_column(col, justify="left" if col == "statistic" else "right")
    fmt = lambda v: "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")  # noqa: E731
    for name, r, g in comparison_rows(real, generated):
        table.add_row(name, fmt(r), fmt(g))
    Console(width=110).print(table)


def main(argv: list[str] | None = None) -> None:
    from collabatlas.settings import data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibration", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="sample data (default: collabatlas data_dir())")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--works", type=int, default=20_000, help="generated works to compare (default 20k)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare-only", action="store_true", help="do not re-measure; read --out")
    args = parser.parse_args(argv)
    if args.compare_only:
        real = load(args.out)
    else:
        real = calibrate(data_dir(args.data))
        args.out.write_text(json.dumps(real, indent=1, sort_keys=False) + "\n")
        print(f"wrote {args.out}")
    print_comparison(real, generate_and_measure(args.works, args.seed), args.works)


if __name__ == "__main__":
    main()
