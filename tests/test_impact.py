"""Collaboration impact (issue 30): a tiny hand-built store where every figure — the collaboration type
of each work, p, p_frac, p_impact, mcs, mncs, pp_top10 under both normalisations and both countings, the
Waltman & Schreiber top-10 % shares — is worked out by hand below; the stored citation fields (OpenAlex,
WoS, Scopus) and the schema upgrade; hypothesis properties (top-10 % shares sum to n/10 per reference
set; the ``all`` row's p is the unit's Count); the CLI and API.

The store (every work has field 13 "Biochemistry, Genetics and Molecular Biology"):

    institutions: I1 JP education, I2 JP education, I3 US education, I4 JP company, I5 DE education

    work  year type     authors (institutions)    citations fwci top10   JP share  type
    W1    2020 article  [I1]                      10        2.0  true    1         single
    W2    2020 article  [I1] [I2]                 0         0.0  false   1         national (|C|=1, |I|=2)
    W3    2020 article  [I1] [I3]                 20        3.0  true    1/2       international
    W4    2020 article  [I1] [I4]                 5         1.0  false   1         national + industry (I4 company)
    W5    2020 article  {countries: JP}           5         -    -       1         none (|I|=0, |C|=1): `all` only
    W6    2020 article  [I3]                      20        1.5  false   -         (US single)
    W7    2020 article  [I1, I5] [I3]             10        1.0  false   1/4       international (JP, DE, US)
    W8    2020 article  [I5]                      10        1.2  true    -         (DE single)
    W9    2020 review   [I2]                      4         0.8  false   1         single
    W10   2021 article  [I2] [I3]                 0         0.0  false   1/2       international

JP: Count 8 (W1 W2 W3 W4 W5 W7 W9 W10), Share 1+1+1/2+1+1+1/4+1+1/2 = 6.25.
Rows: single W1 W9 (p 2, p_frac 2); national W2 W4 (2, 2); international W3 W7 W10 (3, 1/2+1/4+1/2 = 1.25);
industry W4 (1, 1); all (8, 6.25).

**openalex** (W5 has no fwci: not eligible; every other JP work is):
- full: single mcs (10+4)/2 = 7, mncs (2+0.8)/2 = 1.4, pp (1+0)/2 = 0.5; national 2.5, 0.5, 0;
  international (20+10+0)/3 = 10, (3+1+0)/3 = 4/3, 1/3; industry 5, 1, 0;
  all (7 works) 49/7 = 7, 7.8/7, 2/7.
- fractional (weights = JP Share): single and national and industry as full (weights 1);
  international Σw = 1.25: mcs (0.5·20+0.25·10)/1.25 = 10, mncs (0.5·3+0.25·1)/1.25 = 1.4, pp 0.5/1.25 = 0.4;
  all Σw = 5.25: mcs 31.5/5.25 = 6, mncs 5.55/5.25 = 37/35, pp 1.5/5.25 = 2/7.

**store** reference sets (year, field, type):
- A = 2020 article: W1 10, W2 0, W3 20, W4 5, W5 5, W6 20, W7 10, W8 10: n 8, mean 80/8 = 10;
  r = 0.8, t = citations at rank ⌈0.8⌉ = 1 = 20; none above, W3 and W6 at t share 0.8: 0.4 each.
  ncs: W1 1, W2 0, W3 2, W4 0.5, W5 0.5, W6 2, W7 1, W8 1.
- B = 2020 review: W9 alone: mean 4, ncs 1, r = 0.1 shared by the one work at t = 4: 0.1.
- C = 2021 article: W10 alone with 0 citations: mean 0, not eligible (its top share is 0.1 all the same).
- full: single (W1 W9) mcs 7, mncs 1, pp (0+0.1)/2 = 0.05; national (W2 W4) 2.5, 0.25, 0;
  international (W3 W7; W10 not eligible: p_impact 2) 15, 1.5, 0.4/2 = 0.2; industry 5, 0.5, 0;
  all (W1 W2 W3 W4 W5 W7 W9: 7) 54/7, 6/7, 0.5/7 = 1/14.
- fractional: international Σw = 0.75: mcs 12.5/0.75 = 50/3, mncs 1.25/0.75 = 5/3, pp 0.2/0.75 = 4/15;
  all Σw = 5.75: mcs 36.5/5.75 = 146/23, mncs 4.25/5.75 = 17/23, pp 0.3/5.75 = 6/115; others as full.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collabatlas
from collabatlas.counting import impact as impact_sql
from collabatlas.counting.options import MetricOptions, OptionsError
from collabatlas.counting.rules import CountingError, UnknownUnitError
from tests.conftest import institution, work, write_jsonl

I1, I2, I3 = ("I1", "JP", "education"), ("I2", "JP", "education"), ("I3", "US", "education")
I4, I5 = ("I4", "JP", "company"), ("I5", "DE", "education")


def cited(count, fwci=None, top10=None) -> dict:
    out = {"cited_by_count": count, "fwci": fwci}
    out["citation_normalized_percentile"] = None if top10 is None else {
        "value": 0.5, "is_in_top_10_percent": top10, "is_in_top_1_percent": False}
    return out


HAND_WORKS = [
    work("W1", [[I1]], **cited(10, 2.0, True)),
    work("W2", [[I1], [I2]], **cited(0, 0.0, False)),
    work("W3", [[I1], [I3]], **cited(20, 3.0, True)),
    work("W4", [[I1], [I4]], **cited(5, 1.0, False)),
    work("W5", [{"countries": ["JP"]}], **cited(5)),
    work("W6", [[I3]], **cited(20, 1.5, False)),
    work("W7", [[I1, I5], [I3]], **cited(10, 1.0, False)),
    work("W8", [[I5]], **cited(10, 1.2, True)),
    work("W9", [[I2]], type="review", **cited(4, 0.8, False)),
    work("W10", [[I2], [I3]], year=2021, **cited(0, 0.0, False)),
]

# (p, p_frac, p_impact, mcs, mncs, pp_top10) per row, worked out in the module docstring
EXPECTED = {
    ("openalex", "full"): {
        "single": (2, 2.0, 2, 7.0, 1.4, 0.5), "national": (2, 2.0, 2, 2.5, 0.5, 0.0),
        "international": (3, 1.25, 3, 10.0, 4 / 3, 1 / 3), "industry": (1, 1.0, 1, 5.0, 1.0, 0.0),
        "all": (8, 6.25, 7, 7.0, 7.8 / 7, 2 / 7)},
    ("openalex", "fractional"): {
        "single": (2, 2.0, 2, 7.0, 1.4, 0.5), "national": (2, 2.0, 2, 2.5, 0.5, 0.0),
        "international": (3, 1.25, 3, 10.0, 1.4, 0.4), "industry": (1, 1.0, 1, 5.0, 1.0, 0.0),
        "all": (8, 6.25, 7, 6.0, 37 / 35, 2 / 7)},
    ("store", "full"): {
        "single": (2, 2.0, 2, 7.0, 1.0, 0.05), "national": (2, 2.0, 2, 2.5, 0.25, 0.0),
        "international": (3, 1.25, 2, 15.0, 1.5, 0.2), "industry": (1, 1.0, 1, 5.0, 0.5, 0.0),
        "all": (8, 6.25, 7, 54 / 7, 6 / 7, 1 / 14)},
    ("store", "fractional"): {
        "single": (2, 2.0, 2, 7.0, 1.0, 0.05), "national": (2, 2.0, 2, 2.5, 0.25, 0.0),
        "international": (3, 1.25, 2, 50 / 3, 5 / 3, 4 / 15), "industry": (1, 1.0, 1, 5.0, 0.5, 0.0),
        "all": (8, 6.25, 7, 146 / 23, 17 / 23, 6 / 115)},
}


@pytest.fixture
def hand(atlas_of):
    return atlas_of(HAND_WORKS)


def test_stored_citation_fields(hand):
    rows = hand.con.execute("SELECT work_id, citations, fwci, top10 FROM works ORDER BY wkey").fetchall()
    assert rows[0] == ("W1", 10, 2.0, True)
    assert rows[4] == ("W5", 5, None, None)  # no fwci, no percentile: stored as empty


@pytest.mark.parametrize(("normalisation", "counting"), list(EXPECTED))
def test_hand_oracle(hand, normalisation, counting):
    df = hand.impact("JP", normalisation=normalisation, counting=counting)
    assert list(df["collab_type"]) == list(impact_sql.ROWS)
    assert list(df.columns) == ["unit", "name", "collab_type", *impact_sql.INDICATORS, "normalisation", "counting"]
    assert set(df["normalisation"]) == {normalisation} and set(df["counting"]) == {counting}
    for row in df.itertuples():
        want = EXPECTED[(normalisation, counting)][row.collab_type]
        got = (row.p, row.p_frac, row.p_impact, row.mcs, row.mncs, row.pp_top10)
        assert got[0] == want[0] and got[2] == want[2], row.collab_type
        assert got[1] == pytest.approx(want[1], abs=1e-12)
        assert got[3:] == pytest.approx(want[3:], abs=1e-12), row.collab_type
    assert normalisation in df.attrs["caption"].lower() and counting in df.attrs["caption"]


def test_all_row_is_the_count(hand):
    count = hand.scores().set_index("unit")["count"]
    for unit in count.index:
        df = hand.impact(unit).set_index("collab_type")
        assert df.loc["all", "p"] == count[unit]


def test_store_reference_sets_by_hand(hand):
    ref = hand._df((impact_sql.reference_sets_sql(), {})).merge(
        hand._df(("SELECT wkey, work_id FROM works", {})), on="wkey").set_index("work_id")
    # set A: W3 and W6 tie at t = 20 and share r = 0.8; the rest get 0
    assert ref.loc["W3", "top_share"] == pytest.approx(0.4) and ref.loc["W6", "top_share"] == pytest.approx(0.4)
    assert ref.loc[["W1", "W2", "W4", "W5", "W7", "W8"], "top_share"].eq(0).all()
    assert ref.loc["W1", "mean_citations"] == 10 and ref.loc["W1", "n"] == 8
    assert ref.loc["W9", "top_share"] == pytest.approx(0.1) and ref.loc["W10", "mean_citations"] == 0
    eligible = hand._df((impact_sql.work_impact_sql("store"), {}))
    assert 10 not in set(eligible["wkey"])  # W10: its set's mean is 0


def test_other_levels_and_empty_rows(hand):
    i1 = hand.impact("I1", level="institution").set_index("collab_type")
    # I1's works: W1 single, W2 national, W3 international, W4 national+industry, W7 international
    assert i1["p"].to_dict() == {"single": 1, "national": 2, "international": 2, "industry": 1, "all": 5}
    assert i1["name"].iloc[0] == "Institution I1"
    de = hand.impact("DE").set_index("collab_type")  # W7 (international), W8 (single); no national, no industry
    assert de.loc["national", "p"] == 0 and pd.isna(de.loc["national", "mncs"])
    assert de.loc["national", "p_frac"] == 0 and de.loc["industry", "p_impact"] == 0
    corporate = hand.impact("corporate", level="sector").set_index("collab_type")
    assert corporate.loc["industry", "p"] == 1 and corporate.loc["national", "p"] == 1


def test_filters_restrict_the_works_not_the_reference_sets(hand):
    df = hand.impact("JP", years="2020", normalisation="store").set_index("collab_type")
    assert df.loc["all", "p"] == 7  # W10 (2021) left out
    assert df.loc["international", "mncs"] == pytest.approx(1.5)  # the same reference sets


def test_refusals(hand):
    with pytest.raises(CountingError, match="normalisation"):
        hand.impact("JP", normalisation="world")
    with pytest.raises(CountingError, match="counting"):
        hand.impact("JP", counting="half")
    with pytest.raises(OptionsError, match="--rollup"):
        hand.impact("I1", level="institution", options=MetricOptions(rollup=True))
    with pytest.raises(UnknownUnitError):
        hand.impact("FR")


def test_bootstrap_intervals(hand):
    df = hand.impact("JP", ci=200).set_index("collab_type")
    again = hand.impact("JP", ci=200).set_index("collab_type")
    pd.testing.assert_frame_equal(df, again)  # seeded
    for col in impact_sql.INDICATORS:
        lo, hi = df[f"{col}_lo"], df[f"{col}_hi"]
        assert (lo.dropna() <= hi.dropna() + 1e-12).all()
    assert 0 <= df.loc["all", "pp_top10_lo"] <= df.loc["all", "pp_top10_hi"] <= 1
    assert df.loc["industry", "p_lo"] >= 0


# -- sources and schema -------------------------------------------------------------------------

def test_bad_citation_values_are_warned_and_stored_empty(tmp_path):
    records = [work("W1", [[I1]], cited_by_count=-3, fwci="high",
                    citation_normalized_percentile={"is_in_top_10_percent": "yes"}),
               work("W2", [[I1]], cited_by_count=7.0, fwci=2, citation_normalized_percentile=None)]
    with collabatlas.open(":memory:") as atlas:
        report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", records))
        rows = atlas.con.execute("SELECT citations, fwci, top10 FROM works ORDER BY work_id").fetchall()
    assert rows == [(None, None, None), (7, 2.0, None)]
    assert report.warnings["cited_by_count not a whole number >= 0 (stored as empty)"] == 1
    assert report.warnings["fwci not a number >= 0 (stored as empty)"] == 1
    assert report.warnings["citation_normalized_percentile.is_in_top_10_percent not a boolean (stored as empty)"] == 1


def test_export_citation_counts():
    from collabatlas.sources.exports import citation_count

    assert [citation_count(v) for v in ("12", " 0 ", "cited By 5", "cited By 3; All Open Access", "", None, "-1",
                                        "1.5", "many")] == [12, 0, 5, 3, None, None, None, None, None]


def test_schema_8_store_upgrades_with_identical_numbers(tmp_path):
    path = tmp_path / "old.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND_WORKS))
        before = atlas.scores(), atlas.pairs()
    con = duckdb.connect(str(path))  # back to schema 8: no citation columns
    for col in ("citations", "fwci", "top10"):
        con.execute(f"ALTER TABLE works DROP COLUMN {col}")
    con.execute("UPDATE store_meta SET value = '8' WHERE key = 'schema_version'")
    con.close()
    with collabatlas.open(path) as atlas:
        assert atlas.con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0] == "9"
        pd.testing.assert_frame_equal(atlas.scores(), before[0])
        pd.testing.assert_frame_equal(atlas.pairs(), before[1])
        df = atlas.impact("JP").set_index("collab_type")
        assert df.loc["all", "p"] == 8 and df.loc["all", "p_impact"] == 0  # no citation data until re-ingested
        assert "0 of 8 works" in df.attrs["caption"]


# -- properties ---------------------------------------------------------------------------------

sets_strategy = st.lists(st.tuples(st.integers(2018, 2020), st.sampled_from(["13", "27"]),
                                   st.sampled_from(["article", "review"]), st.integers(0, 6)),
                         min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(rows=sets_strategy)
def test_top10_shares_sum_to_a_tenth_of_each_set(rows):
    con = duckdb.connect()
    con.execute("CREATE TABLE works (wkey BIGINT, year INTEGER, field_id VARCHAR, type VARCHAR, citations BIGINT)")
    con.executemany("INSERT INTO works VALUES (?, ?, ?, ?, ?)", [(k, *r) for k, r in enumerate(rows)])
    ref = con.execute(impact_sql.reference_sets_sql()).df()
    con.close()
    assert len(ref) == len(rows)
    merged = ref.assign(key=[tuple(rows[k][:3]) for k in ref["wkey"]])
    for _key, part in merged.groupby("key"):
        n = len(part)
        assert part["top_share"].sum() == pytest.approx(n / 10, abs=1e-9)
        assert part["top_share"].between(-1e-12, 1 + 1e-12).all()
        cites = sorted(part["citations"], reverse=True)
        t = cites[math.ceil(n / 10 - 1e-12) - 1]
        assert (part.loc[part["citations"] > t, "top_share"] == 1).all()
        assert (part.loc[part["citations"] < t, "top_share"] == 0).all()
        assert part["mean_citations"].iloc[0] == pytest.approx(sum(cites) / n)


INSTITUTIONS = [("I1", "JP", "education"), ("I2", "JP", "company"), ("I3", "US", "education"),
                ("I4", "DE", "education"), ("I5", "US", "company")]
author_strategy = st.one_of(st.lists(st.sampled_from(range(len(INSTITUTIONS))), min_size=1, max_size=2, unique=True),
                            st.lists(st.sampled_from(["JP", "US", "FR"]), min_size=1, max_size=2, unique=True).map(
                                lambda cs: {"countries": cs}))
work_strategy = st.tuples(st.lists(author_strategy, min_size=1, max_size=4), st.integers(0, 30),
                          st.booleans(), st.sampled_from([2019, 2020]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(works=st.lists(work_strategy, min_size=1, max_size=10))
def test_all_row_p_is_the_count(tmp_path_factory, works):
    records = []
    for n, (authors, cites, top, year) in enumerate(works, start=1):
        people = [a if isinstance(a, dict) else [institution(*INSTITUTIONS[i][:2], INSTITUTIONS[i][2]) for i in a]
                  for a in authors]
        records.append(work(f"W{n}", people, year=year, **cited(cites, cites / 10, top)))
    folder = tmp_path_factory.mktemp("impact")
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(write_jsonl(folder / "w.jsonl", records))
        scores = atlas.scores()
        for unit, count, share in zip(scores["unit"], scores["count"], scores["share"], strict=True):
            for normalisation in ("openalex", "store"):
                df = atlas.impact(unit, normalisation=normalisation, counting="fractional").set_index("collab_type")
                assert df.loc["all", "p"] == count
                assert df.loc["all", "p_frac"] == pytest.approx(share, abs=1e-9)
                typed = df.loc[["single", "national", "international"], "p"].sum()
                assert typed <= count and df.loc["industry", "p"] <= count
                assert ((df["pp_top10"].dropna() >= -1e-12) & (df["pp_top10"].dropna() <= 1 + 1e-12)).all()


# -- CLI and API --------------------------------------------------------------------------------

def test_cli_impact_csv(tmp_path):
    from typer.testing import CliRunner

    from collabatlas.views.cli import app

    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND_WORKS))
    runner = CliRunner()
    result = runner.invoke(app, ["impact", "--level", "country", "--unit", "JP", "--normalisation", "store",
                                 "--counting", "fractional", "--format", "csv", "--store", str(path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith(("unit,", "JP,"))]
    assert lines[0] == "unit,name,collab_type,p,p_frac,p_impact,mcs,mncs,pp_top10,normalisation,counting"
    intl = next(line for line in lines if ",international," in line).split(",")
    assert float(intl[6]) == pytest.approx(50 / 3, rel=1e-9) and intl[-2:] == ["store", "fractional"]
    bad = runner.invoke(app, ["impact", "--unit", "JP", "--normalisation", "world", "--store", str(path)])
    assert bad.exit_code == 2
    chart = tmp_path / "impact.json"
    drawn = runner.invoke(app, ["impact", "--unit", "JP", "--ci", "50", "--chart", str(chart), "--store", str(path)])
    assert drawn.exit_code == 0, drawn.output
    assert '"mncs_lo"' in chart.read_text()


def test_api_impact_and_pair_indices(tmp_path):
    import warnings

    from collabatlas.views.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND_WORKS))
    with TestClient(create_app(path)) as client:
        response = client.get("/api/impact/JP?normalisation=store&counting=fractional")
        assert response.status_code == 200, response.text
        body = response.json()
        rows = {r["collab_type"]: r for r in body["rows"]}
        assert rows["all"]["mcs"] == pytest.approx(146 / 23) and rows["national"]["pp_top10"] == 0
        assert "store normalisation" in body["meta"]["counting"] and body["meta"]["coverage"]["works"] == 8
        assert client.get("/api/impact/JP?normalisation=world").status_code == 422
        assert client.get("/api/impact/JP?rollup=true").status_code == 422  # refused, never ignored
        assert client.get("/api/impact/FR").status_code == 404
        pairs = client.get("/api/pairs?indices=salton,jaccard,association,ric").json()
        jp_us = next(r for r in pairs["rows"] if (r["unit_a"], r["unit_b"]) == ("JP", "US"))
        assert jp_us["ric_ba"] == pytest.approx(0.9) and jp_us["jaccard"] == pytest.approx(1 / 3)
        assert client.get("/api/pairs?indices=cosine").status_code == 422


def test_reference_sets_follow_new_data(tmp_path):
    """The store's reference sets are cached per data version: a new work in set A changes JP's figures."""
    extra = [work("W11", [[I3]], **cited(90, 1.0, True))]  # set A: n 9, mean 170/9, t = 90 (r = 0.9)
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(write_jsonl(tmp_path / "a.jsonl", HAND_WORKS))
        before = atlas.impact("JP", normalisation="store").set_index("collab_type")
        atlas.ingest(write_jsonl(tmp_path / "b.jsonl", extra))
        after = atlas.impact("JP", normalisation="store").set_index("collab_type")
    assert before.loc["all", "mncs"] == pytest.approx(6 / 7)
    # set A members of JP: W1 10, W2 0, W3 20, W4 5, W5 5, W7 10 → Σ 50 / mean 170/9; W9 still 1
    assert after.loc["all", "mncs"] == pytest.approx((50 * 9 / 170 + 1) / 7)
    assert after.loc["all", "pp_top10"] == pytest.approx(0.1 / 7)  # W11 at t takes all of r = 0.9; W3 none
