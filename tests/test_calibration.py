"""Tests of the generator calibration (benchmarks.calibration, the calibrated synth profile) and of the
scale benchmark's pure parts (benchmarks.bench_scale: sizes, workload counts, projection)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from benchmarks import bench_scale, calibration, synth


# --- small statistics, on hand examples -------------------------------------------------------
def test_summary_hand_example():
    s = calibration.summary([1, 2, 3, 4, 100])
    assert s == {"n": 5, "mean": 22.0, "median": 3.0, "p90": pytest.approx(61.6), "p99": pytest.approx(96.16),
                 "max": 100.0}
    assert calibration.summary([]) == {"n": 0}


def test_zipf_exponent_recovers_a_power_law():
    counts = [round(1e6 * r ** -1.3) for r in range(1, 101)]
    assert calibration.zipf_exponent(counts) == pytest.approx(1.3, abs=0.01)


def test_pareto_alpha_recovers_the_exponent():
    rng = np.random.default_rng(0)
    x = 10.5 * (1 - rng.random(200_000)) ** (-1 / 1.5)  # continuous Pareto above 10.5
    assert calibration.pareto_alpha(x, 10) == pytest.approx(1.5, rel=0.02)
    with pytest.raises(ValueError):
        calibration.pareto_alpha(np.array([1, 2]), 10)


def test_logistic_fit_recovers_the_coefficients():
    rng = np.random.default_rng(1)
    x = rng.uniform(-10, 10, 100_000)
    y = rng.random(x.size) < 1 / (1 + np.exp(-(-1.5 + 0.1 * x)))
    a, b = calibration.logistic_fit(x, y)
    assert a == pytest.approx(-1.5, abs=0.03) and b == pytest.approx(0.1, abs=0.005)


# --- export parsers, on hand examples ------------------------------------------------------------
def test_parse_wos_c1():
    c1 = ("[Luo, Z; Li, W] Huazhong Univ Sci & Technol, Sch Elect, Wuhan 430074, Peoples R China; "
          "[Li, W] ZTE Corp, Dept, Shenzhen, Peoples R China; [Bian, L] Stanford Univ, Stanford, CA 94305 USA")
    per_author, countries = calibration.parse_wos_c1(c1)
    assert per_author == {"Luo, Z": {"Huazhong Univ Sci & Technol"},
                          "Li, W": {"Huazhong Univ Sci & Technol", "ZTE Corp"},
                          "Bian, L": {"Stanford Univ"}}
    assert countries == {"Peoples R China", "USA"}
    assert calibration.parse_wos_c1("Univ Oslo, Oslo, Norway.") == ({}, {"Norway"})
    assert calibration.parse_wos_c1(float("nan")) == ({}, set())


def test_tagged_records_wos_and_medline():
    wos = "\ufeffFN Clarivate\nVR 1.0\nPT J\nAU Lang, XN\n   Li, L\nTI A title\nER\n\nPT J\nAU Solo, A\nER\nEF\n"
    recs = calibration.tagged_records(wos, "ER")
    assert [r.get("AU") for r in recs if "PT" in r] == [["Lang, XN", "Li, L"], ["Solo, A"]]
    medline = "PMID- 1\nAU  - Smith J\nAU  - Doe A\nAD  - Somewhere,\n      Norway\n\nPMID- 2\nAU  - Roe R\n"
    recs = calibration.tagged_records(medline, "")
    assert [len(r["AU"]) for r in recs] == [2, 1]
    assert recs[0]["AD"] == ["Somewhere,", "Norway"]


# --- the real samples -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def measured(shared_data):
    return calibration.calibrate(shared_data)


def test_committed_table_is_the_measurement(measured):
    """benchmarks/calibration.json is what calibrate() measures now (rerun the module if not)."""
    assert calibration.load() == json.loads(json.dumps(measured))


def test_real_statistics_are_plausible(measured):
    authors = measured["authors_per_work"]
    assert authors["summary"]["n"] > 5000 and authors["summary"]["median"] == 4
    assert len(authors["by_source"]) == 6 and all(s["n"] > 100 for s in authors["by_source"].values())
    fit = authors["fit"]
    assert sum(fit["body_pmf"]) == pytest.approx(1, abs=1e-4) and 0 < fit["tail_share"] < 0.05
    inst = measured["institutions"]
    assert sum(inst["institutions_per_author_pmf"]) == pytest.approx(1, abs=1e-3)
    assert inst["institutions_per_author_pmf"][0] > 0.8
    ctry = measured["countries_per_work"]
    assert 0.7 < ctry["share_single_country"] < 0.95
    years = ctry["international_by_year"]
    assert years["2023"] > years["2000"]  # international collaboration grows
    world = measured["world"]
    assert world["works_by_year"]["2023"] > world["works_by_year"]["2000"]
    assert 0.8 < world["institutions_per_country_zipf_exponent"] < 2.5


# --- the generator against the table ----------------------------------------------------------
def _tables(tmp_path, n: int, seed: int, mega: float) -> dict[str, pd.DataFrame]:
    synth.write_store_parquet(tmp_path, n, seed, mega_share=mega, profile=synth.calibrated_profile())
    return {t: pd.read_parquet(tmp_path / t) for t in synth.TABLES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """20k seeded works, calibrated profile, no mega-author works (none of the samples has one)."""
    return calibration.generated_statistics(_tables(tmp_path_factory.mktemp("cal"), 20_000, 1, 0.0))


def test_authors_per_work_match(generated):
    real, gen = calibration.load()["authors_per_work"]["summary"], generated["authors_per_work"]["summary"]
    for stat in ("mean", "median", "p90", "p99"):
        assert gen[stat] == pytest.approx(real[stat], rel=0.10), stat
    assert gen["max"] <= calibration.TAIL_MAX


def test_affiliations_and_countries_match(generated):
    table = calibration.load()
    inst, gen_inst = table["institutions"], generated["institutions"]
    assert gen_inst["institutions_per_author_pmf"] == pytest.approx(inst["institutions_per_author_pmf"], abs=0.02)
    assert gen_inst["institutions_per_author"]["mean"] == pytest.approx(inst["institutions_per_author"]["mean"],
                                                                        rel=0.10)
    # authorships without an institution: within 0.1 (the samples' bare works are small ones, see docs)
    assert gen_inst["share_without_institution"] == pytest.approx(inst["share_without_institution"], abs=0.10)
    ctry, gen_ctry = table["countries_per_work"], generated["countries_per_work"]
    assert gen_ctry["share_no_country_openalex"] == pytest.approx(ctry["share_no_country_openalex"], abs=0.03)
    assert gen_ctry["share_single_country"] == pytest.approx(ctry["share_single_country"], abs=0.04)
    for stat in ("median", "p90", "p99"):
        assert gen_ctry["summary"][stat] == pytest.approx(ctry["summary"][stat], rel=0.10), stat
    assert gen_ctry["mean_if_international"] == pytest.approx(ctry["mean_if_international"], rel=0.10)
    world = table["world"]["institutions_per_country_zipf_exponent"]
    assert generated["world"]["institutions_per_country_zipf_exponent"] == pytest.approx(world, rel=0.10)


def test_international_share_grows_with_year_like_the_fit(generated):
    periods = generated["countries_per_work"]["international_by_period"]
    recent = next(v for p, v in periods.items() if p.startswith("2020"))
    early = next(v for p, v in periods.items() if p.startswith("2010"))
    target = calibration.load()["countries_per_work"]["international_by_year"]
    assert recent[1] > early[1]
    assert recent[1] == pytest.approx(np.mean([target[str(y)] for y in range(2020, 2024)]), abs=0.05)


@pytest.mark.parametrize("mega", [0.0, 0.002, 0.02])
def test_mega_author_share_knob(tmp_path, mega):
    works = _tables(tmp_path, 10_000, 3, mega)["works"]
    n = works["n_authors"]
    big = n.between(500, 3000)
    assert n.max() <= 3000
    assert (n >= 500).sum() == big.sum()
    # binomial: 10k works, within 4 standard deviations of the knob
    assert abs(big.mean() - mega) <= 4 * math.sqrt(mega * (1 - mega) / len(n)) + 1e-12
    if mega:
        assert n[big].median() < 1200  # Pareto: most mega-author works are near 500


def test_default_profile_is_unchanged():
    # the hand-set profile the bench_spine figures were measured with, field by field
    assert dataclasses.asdict(synth.DEFAULT_PROFILE) == {
        "name": "default", "year_weights": None, "author_body_pmf": None, "author_tail_share": 0.0,
        "author_tail_alpha": 1.0, "author_tail_max": 99, "mega_min": 100, "mega_max": 3000, "mega_alpha": 1.0,
        "mega_share": 0.001, "p_work_without_affiliations": 0.0, "p_no_affiliation": 0.02, "p_country_only": 0.03,
        "p_institutions_2": 0.15, "p_institutions_3": 0.05, "international_by_year": None, "partners_pmf": None,
        "p_foreign_slot": 0.30, "country_weights": None, "institution_country_weights": None,
    }


def test_calibrated_profile_follows_calibration_json():
    table = json.loads(calibration.CALIBRATION_FILE.read_text())
    fit, ctry = table["authors_per_work"]["fit"], table["countries_per_work"]
    profile = synth.calibrated_profile()
    assert profile.name == "calibrated" and profile.mega_min == 500 and profile.mega_max == 3000
    assert profile.author_body_pmf == tuple(fit["body_pmf"])
    assert (profile.author_tail_share, profile.author_tail_alpha, profile.author_tail_max) == (
        fit["tail_share"], fit["tail_alpha"], fit["tail_max"])
    assert profile.mega_share == table["mega_author_share"]["default"]
    assert profile.partners_pmf == tuple(ctry["partners_pmf"])
    assert profile.international_by_year == tuple(ctry["international_by_year"][str(y)] for y in synth.YEARS.tolist())
    assert profile.p_country_only == table["institutions"]["in_works_with_country"]["share_country_only"]
    assert len(profile.country_weights) == len(profile.institution_country_weights) == len(synth.COUNTRIES)
    assert profile.country_weights[synth.COUNTRIES.index("US")] == table["world"]["country_works_latest_year"]["US"]


# --- bench_scale pure parts ---------------------------------------------------------------------
def test_parse_size():
    assert [bench_scale.parse_size(s) for s in ("100k", "1M", "2.5m", "2500", "10_000")] == [
        100_000, 1_000_000, 2_500_000, 2500, 10_000]


def test_workload_counts_distinct_unit_pairs(tmp_path):
    n, mega = 2000, 0.01
    tables = _tables(tmp_path, n, 5, mega)
    got = bench_scale.workload(tmp_path)
    nw = tables["works"]["n_authors"]
    k = tables["affiliations"].groupby("work_id")["institution_id"].nunique()
    c = tables["author_countries"].groupby("work_id")["country_code"].nunique()
    assert got == {"authorships": int(nw.sum()), "affiliation_rows": len(tables["affiliations"]),
                   "author_pairs": int((nw * (nw - 1) // 2).sum()), "institution_pairs": int((k * (k - 1) // 2).sum()),
                   "country_pairs": int((c * (c - 1) // 2).sum()), "max_authors": int(nw.max())}
    assert got["institution_pairs"] < got["author_pairs"] / 10  # mega-author works: units, not authors


def test_projection_hand_example():
    results = [
        {"engine": "ingest", "works": 1_000_000, "mega_share": 0.001, "cores": 2, "works_per_s": 25_000,
         "gz_mb_per_s": 25.0, "inner_seconds": 40.0},
        {"engine": "duckdb", "works": 1_000_000, "mega_share": 0.001, "cores": 2, "inner_seconds": 6.0},
        {"engine": "duckdb", "works": 100_000, "mega_share": 0.001, "cores": 2, "inner_seconds": 1.0},
        {"engine": "duckdb", "works": 1_000_000, "mega_share": 0.01, "cores": 2, "inner_seconds": 60.0},
        {"engine": "spark", "works": 1_000_000, "mega_share": 0.001, "cores": 2, "inner_seconds": 50.0,
         "per_metric_s": {"session": 10.0}},
    ]
    p = bench_scale.projection(results, works=270e6, gzip_gb=330, mega_share=0.0003, cores=(2, 16),
                               spark_nodes=(4,), cores_per_node=16, efficiency=0.5)
    one = p["single_machine"]["2_cores"]
    assert one["ingest_h"] == pytest.approx(330e3 / 25 / 3600, abs=0.01)  # 3.67 h
    assert one["ingest_h_by_works"] == pytest.approx(270e6 / 25_000 / 3600, abs=0.01)  # 3.0 h
    assert one["metrics_h"] == pytest.approx(6.0 * 270 / 3600, abs=0.01)  # 0.45 h, from the largest N
    assert p["single_machine"]["16_cores"]["metrics_h"] == pytest.approx(6.0 * 270 / 3600 / 4, abs=0.01)
    spark = p["spark_cluster"]["4_nodes"]
    assert spark["metrics_h"] == pytest.approx((10 + 40e-6 * 270e6 * 2 / (64 * 0.5)) / 3600, abs=0.01)
    # the Spark ingest from its own per-core rate, not DuckDB's: 270M works / (34 works/s x 64 cores x 0.5)
    assert spark["ingest_h"] == pytest.approx(270e6 / (34 * 64 * 0.5) / 3600, abs=0.01)  # 68.9 h
    faster = bench_scale.projection(results, works=270e6, gzip_gb=330, mega_share=0.0003, spark_nodes=(4,),
                                    cores_per_node=16, efficiency=0.5, spark_ingest_works_per_core_s=240)
    assert faster["spark_cluster"]["4_nodes"]["ingest_h"] == pytest.approx(270e6 / (240 * 32) / 3600, abs=0.01)
    assert bench_scale.projection([])["error"]
