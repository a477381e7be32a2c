"""Leiden-Ranking-style collaboration indicators and distances (issue 17): hand oracle with known
coordinates, coordinates from OpenAlex entities and ROR (which wins), schema migration, hypothesis
properties against a Python oracle, the real sample with the ROR registry, stability-interval
coverage on a seeded synthetic case, and the CLI."""

from __future__ import annotations

import itertools
import math
import statistics

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas.affiliations import geo
from collabatlas.affiliations.ror import load_ror
from collabatlas.analyses.collaboration import interval_columns
from collabatlas.counting.rules import CountingError
from collabatlas.store import schema as store
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl

TOKYO, TSUKUBA, KYOTO, BOSTON = (35.6895, 139.6917), (36.0835, 140.0764), (35.0116, 135.7681), (42.3601, -71.0589)
HONG_KONG, SHENZHEN = (22.3193, 114.1694), (22.5431, 114.0579)


def entity(iid: str, country: str | None, where: tuple[float, float] | None, type_: str = "education") -> dict:
    """An OpenAlex institution entity record with ``geo`` coordinates (or none)."""
    record = {**institution(iid, country, type_), "updated_date": "2024-01-01T00:00:00"}
    record["geo"] = {"country_code": country, "latitude": where[0], "longitude": where[1]} if where else {}
    return record


T, S, K, B = ("I1", "JP"), ("I2", "JP"), ("I3", "JP"), ("I4", "US")
X = ("I5", "US")                       # no coordinates anywhere
C = ("I6", "JP", "company")            # corporate, in Tokyo
H, P = ("I7", "HK"), ("I8", "CN")
ENTITIES = [entity("I1", "JP", TOKYO), entity("I2", "JP", TSUKUBA), entity("I3", "JP", KYOTO),
            entity("I4", "US", BOSTON), entity("I5", "US", None), entity("I6", "JP", TOKYO, "company"),
            entity("I7", "HK", HONG_KONG), entity("I8", "CN", SHENZHEN)]
WORKS = [
    work("W1", [[T], [S]]),            # JP only, Tokyo–Tsukuba ≈ 56 km: short
    work("W2", [[T], [K]]),            # Tokyo–Kyoto ≈ 364 km: neither
    work("W3", [[T], [B]], year=2019),  # Tokyo–Boston ≈ 10,791 km: long, international
    work("W4", [[T], [S], [B]]),       # three institutions: the largest pair (Tokyo–Boston)
    work("W5", [[T]]),                 # no collaboration
    work("W6", [[T], [X]]),            # international, one geocoded institution: distance unknown (neither)
    work("W7", [[C], [T]]),            # industry; same coordinates: distance 0 (short)
    work("W8", [[H], [P]]),            # HK–CN: international unless folded
]


@pytest.fixture
def hand(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", WORKS)
    write_jsonl(folder / "institutions.jsonl", ENTITIES)
    atlas = collabatlas.open(":memory:")
    atlas.ingest(folder)
    yield atlas
    atlas.close()


def d(a, b) -> float:
    return geo.haversine_km(*a, *b)


def test_known_distances():
    assert 45 < d(TOKYO, TSUKUBA) < 65
    assert 350 < d(TOKYO, KYOTO) < 380
    assert 10_700 < d(TOKYO, BOSTON) < 10_900
    assert d(TOKYO, TOKYO) == 0
    assert d(TOKYO, BOSTON) == pytest.approx(d(BOSTON, TOKYO), abs=1e-9)
    assert d((0, 0), (0, 180)) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)


def test_entity_coordinates_are_stored(hand):
    rows = hand.con.execute("SELECT i.institution_id, g.lat, g.lon, g.origin FROM institution_geo g "
                            "JOIN institutions i USING (ikey) ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == ["I1", "I2", "I3", "I4", "I6", "I7", "I8"]  # I5 has none
    assert rows[0][1:] == (TOKYO[0], TOKYO[1], "openalex")


def test_hand_oracle_full_counting(hand):
    df = hand.indicators("country").set_index("unit")
    jp = df.loc["JP"]
    assert (jp.p, jp.p_collab, jp.p_int_collab, jp.p_industry, jp.p_short_dist, jp.p_long_dist) == (7, 6, 3, 1, 2, 2)
    # W6's distance is unknown: neither short nor long, and out of the distance shares' base (issue 29)
    assert (jp.p_dist_known, jp.pp_dist_known) == (6, pytest.approx(6 / 7))
    assert jp.pp_collab == pytest.approx(6 / 7) and jp.pp_short_dist == pytest.approx(2 / 6)
    assert jp.pp_long_dist == pytest.approx(2 / 6)
    # collaborative works with a measured distance: W1 56, W2 364, W3 10,791, W4 10,791, W7 0
    assert jp.median_dist_km == pytest.approx(d(TOKYO, KYOTO))
    us = df.loc["US"]
    assert (us.p, us.p_collab, us.p_int_collab, us.p_short_dist, us.p_long_dist, us.p_dist_known) == (3, 3, 3, 0, 2, 2)
    assert (us.pp_short_dist, us.pp_long_dist) == (0, 1)
    assert us.median_dist_km == pytest.approx(d(TOKYO, BOSTON))
    assert list(df.reset_index().columns) == ["unit", "p", "p_collab", "pp_collab", "p_int_collab", "pp_int_collab",
                                              "p_industry", "pp_industry", "p_short_dist", "pp_short_dist",
                                              "p_long_dist", "pp_long_dist", "p_dist_known", "pp_dist_known",
                                              "median_dist_km"]
    cov = hand.indicators("country").attrs["coverage"]
    assert cov["institutions"] == 8 and cov["institutions_without_coordinates"] == 1
    assert cov["collab_works_without_distance"] == 1  # W6


def test_hand_oracle_fractional_counting(hand):
    jp = hand.indicators("country", counting="fractional").set_index("unit").loc["JP"]
    p = 1 + 1 + 0.5 + 2 / 3 + 1 + 0.5 + 1
    assert jp.p == pytest.approx(p)
    assert jp.p_collab == pytest.approx(p - 1)
    assert jp.p_int_collab == pytest.approx(0.5 + 2 / 3 + 0.5)
    assert jp.p_short_dist == pytest.approx(1 + 1)  # W1, W7 (W6's distance is unknown)
    assert jp.p_long_dist == pytest.approx(0.5 + 2 / 3)
    assert jp.p_dist_known == pytest.approx(p - 0.5)
    assert jp.pp_long_dist == pytest.approx((0.5 + 2 / 3) / (p - 0.5))


def test_hand_oracle_institutions(hand):
    df = hand.indicators("institution").set_index("unit")
    assert df.loc["I1", "name"] == "Institution I1"
    tokyo = df.loc["I1"]
    assert (tokyo.p, tokyo.p_collab, tokyo.p_int_collab, tokyo.p_short_dist, tokyo.p_long_dist) == (7, 6, 3, 2, 2)
    kyoto = df.loc["I3"]
    assert (kyoto.p, kyoto.p_collab, kyoto.p_short_dist, kyoto.p_long_dist) == (1, 1, 0, 0)
    assert kyoto.median_dist_km == pytest.approx(d(TOKYO, KYOTO))
    assert df.loc["I6", "p_industry"] == 1 and df.loc["I1", "p_industry"] == 1


def test_no_coordinates_no_distance_share(tmp_path):
    """Issue 29: with no institution geocoded (0 of 135 in the report), the US showed 54 % short-distance
    collaboration; now a collaborative work without a measured distance is neither short nor long, and a
    unit none of whose collaborations is measured has no distance share at all."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", [work("W1", [[T], [S]]), work("W2", [[T], [B]]), work("W3", [[T]])])
    write_jsonl(folder / "institutions.jsonl", [entity(i, c, None) for i, c in (T, S, B)])
    db = tmp_path / "s.duckdb"
    with collabatlas.open(db) as atlas:
        atlas.ingest(folder)
        df = atlas.indicators("country").set_index("unit")
    jp = df.loc["JP"]
    # no institution has coordinates: not even the single-institution work W3 has a known distance class,
    # so no unit gets a distance share (AU-like units without collaborations included)
    assert (jp.p, jp.p_collab, jp.p_short_dist, jp.p_long_dist, jp.p_dist_known) == (3, 2, 0, 0, 0)
    assert pd.isna(jp.pp_short_dist) and pd.isna(jp.pp_long_dist) and jp.pp_dist_known == 0
    assert pd.isna(df.loc["US", "pp_short_dist"])
    out = CliRunner().invoke(app, ["indicators", "--level", "country", "--store", str(db), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = pd.read_csv(__import__("io").StringIO(out.stdout)).set_index("unit")
    assert rows["pp_short_dist"].isna().all() and rows["pp_long_dist"].isna().all()
    assert rows.loc["JP", "p_dist_known"] == 0


def test_no_coordinates_no_distance_share_without_collaborations(tmp_path):
    """A unit none of whose works is collaborative: with no coordinates in the store its distance class is
    unknown too (it used to read 0 % short distance); with coordinates somewhere it is known (0 %)."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", [work("W1", [[T], [S]]), work("W2", [[B]])])
    write_jsonl(folder / "institutions.jsonl", [entity(i, c, None) for i, c in (T, S, B)])
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        atlas.ingest(folder)
        us = atlas.indicators("country").set_index("unit").loc[B[1]]
    assert us.p_collab == 0 and us.p_dist_known == 0 and pd.isna(us.pp_short_dist) and pd.isna(us.pp_long_dist)
    folder2 = tmp_path / "in2"
    folder2.mkdir()
    write_jsonl(folder2 / "works.jsonl", [work("W1", [[T], [S]]), work("W2", [[B]])])
    write_jsonl(folder2 / "institutions.jsonl", [entity(T[0], T[1], TOKYO),
                                                 *(entity(i, c, None) for i, c in (S, B))])
    with collabatlas.open(tmp_path / "s2.duckdb") as atlas:
        atlas.ingest(folder2)
        us = atlas.indicators("country").set_index("unit").loc[B[1]]
    assert us.p_dist_known == 1 and us.pp_short_dist == 0 and us.pp_long_dist == 0


def test_filters_apply(hand):
    jp = hand.indicators("country", years="2020").set_index("unit").loc["JP"]
    assert (jp.p, jp.p_long_dist) == (6, 1)  # W3 is from 2019


def test_hong_kong_macao_folding(hand):
    apart = hand.indicators("country").set_index("unit")
    assert apart.loc["HK", "p_int_collab"] == 1 and apart.loc["CN", "p_int_collab"] == 1
    folded = hand.indicators("country", fold_hk_mo=True)
    assert "HK" not in set(folded["unit"]) and folded.attrs["fold_hk_mo"]
    cn = folded.set_index("unit").loc["CN"]
    assert (cn.p, cn.p_collab, cn.p_int_collab) == (1, 1, 0)  # two institutions, one country
    assert "counted as China" in folded.attrs["caption"] and "apart" in apart.attrs["caption"]
    # institution level: folding changes whether the work is international
    inst = hand.indicators("institution", fold_hk_mo=True).set_index("unit")
    assert inst.loc["I7", "p_int_collab"] == 0
    assert hand.distance("HK", fold_hk_mo=True).attrs["unit"] == "CN"


def test_distance_per_year(hand):
    df = hand.distance("JP", years="2019-2020").set_index("period")
    assert list(df.index) == [2019, 2020]
    assert (df.loc[2019, "intl_works"], df.loc[2019, "measured_works"], df.loc[2019, "ge_5000"]) == (1, 1, 1)
    # 2020: W4 measured (long), W6 not (one geocoded institution)
    assert (df.loc[2020, "intl_works"], df.loc[2020, "measured_works"], df.loc[2020, "ge_5000"]) == (2, 1, 1)
    assert df.loc[2020, "pct_ge_5000"] == 100
    assert df.loc[2020, "median_dist_km"] == pytest.approx(d(TOKYO, BOSTON))
    # partner distance on W4: the largest distance between a JP and a US institution, weight 2/3 + 1/3
    assert df.loc[2020, "cs_weighted_dist_km"] == pytest.approx(max(d(TOKYO, BOSTON), d(TSUKUBA, BOSTON)))
    partners = hand.distance("JP", partners=True).set_index("partner")
    assert partners.loc["US", "joint_works"] == 2 and partners.loc["US", "cs"] == pytest.approx(2.0)
    assert partners.loc["US", "distance_km"] == pytest.approx(d(TOKYO, BOSTON))
    inst = hand.distance("I2", level="institution", partners=True).set_index("partner")
    assert inst.loc["I4", "distance_km"] == pytest.approx(d(TSUKUBA, BOSTON))  # the pair's own distance


def test_distance_windows(hand):
    df = hand.distance("JP", window_end_month=3)  # June works fall in the window ending the next year
    assert list(df["period"]) == [2020, 2021]


def test_distance_refuses_sector(hand):
    with pytest.raises(CountingError):
        hand.distance("academic", level="sector")
    with pytest.raises(CountingError):
        hand.indicators("country", counting="both")


def ror_v2(rid: str, name: str, country: str, lat, lng) -> dict:
    return {"id": f"https://ror.org/{rid}", "names": [{"value": name, "types": ["ror_display"]}],
            "types": ["education"], "status": "active",
            "locations": [{"geonames_details": {"country_code": country, "lat": lat, "lng": lng}}]}


def test_coordinates_from_ror_and_openalex_wins(tmp_path):
    with_ror = {**institution("I10", "US"), "ror": "https://ror.org/0abcdef12"}
    both = {**institution("I11", "JP"), "ror": "https://ror.org/0bcdefg34"}
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", [work("W1", [[with_ror], [both]])])
    write_jsonl(folder / "inst.jsonl", [{**entity("I11", "JP", TOKYO), "ror": "https://ror.org/0bcdefg34"}])
    ror = write_jsonl(tmp_path / "ror.jsonl", [ror_v2("0abcdef12", "Boston U", "US", *BOSTON),
                                               ror_v2("0bcdefg34", "Tokyo U", "JP", 35.0, 139.0),
                                               {"id": "https://ror.org/0cdefgh56", "name": "Old",
                                                "types": ["Education"], "addresses": [{"lat": 10.0, "lng": 20.0}],
                                                "country": {}}])
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(folder)
        assert atlas.indicators("country").attrs["coverage"]["institutions_without_coordinates"] == 1
        version = atlas.data_version
        report = load_ror(atlas.con, [ror])
        assert report.coordinates_changed == 1 and atlas.data_version == version + 1
        assert atlas.con.execute("SELECT lat, lon FROM ror_institutions "
                                 "WHERE ror_id = '0cdefgh56'").fetchone() == (10, 20)
        rows = dict(atlas.con.execute("SELECT i.institution_id, g.origin || ':' || g.lat FROM institution_geo g "
                                      "JOIN institutions i USING (ikey)").fetchall())
        assert rows == {"I10": f"ror:{BOSTON[0]}", "I11": f"openalex:{TOKYO[0]}"}  # OpenAlex wins over ROR
        jp = atlas.indicators("country").set_index("unit").loc["JP"]
        assert jp.p_long_dist == 1 and jp.median_dist_km == pytest.approx(d(TOKYO, BOSTON))
        assert geo.coverage(atlas.con) == {"institutions": 2, "from_openalex": 1, "from_ror": 1,
                                           "without_coordinates": 0}
        # a re-ingest of the same files changes nothing; a newer entity record without geo drops it
        assert atlas.ingest(folder).changed is False
        write_jsonl(folder / "inst.jsonl", [{**entity("I11", "JP", None), "ror": "https://ror.org/0bcdefg34",
                                             "updated_date": "2025-01-01T00:00:00"}])
        atlas.ingest(folder)
        origin = atlas.con.execute("SELECT g.origin, g.lat FROM institution_geo g JOIN institutions i USING (ikey) "
                                   "WHERE i.institution_id = 'I11'").fetchone()
        assert origin == ("ror", 35.0)  # ROR fills in once OpenAlex gives none


def test_bad_coordinates_are_none(tmp_path):
    records = [{**entity("I1", "JP", None), "geo": {"latitude": "35.6", "longitude": 139.6}},
               {**entity("I2", "JP", None), "geo": {"latitude": 95.0, "longitude": 10.0}},
               {**entity("I3", "JP", None), "geo": {"latitude": [1], "longitude": {"a": 1}}}]
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", [work("W1", [[T], [S], [K]])])
    write_jsonl(folder / "inst.jsonl", records)
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(folder)
        assert atlas.con.execute("SELECT count(*) FROM institution_geo").fetchone()[0] == 0


def test_schema_5_store_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    con.execute("DROP TABLE institution_geo")
    store.meta_set(con, "schema_version", "5")
    con.close()
    con = store.connect(path)
    assert store.meta_get(con, "schema_version") == store.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM institution_geo").fetchone()[0] == 0
    con.close()


# -- properties against a Python oracle ---------------------------------------------------------

PLACES = [TOKYO, TSUKUBA, KYOTO, BOSTON, HONG_KONG, None]
INSTITUTIONS = {f"I{n}": (country, PLACES[n % len(PLACES)]) for n, country in
                enumerate(["JP", "JP", "JP", "US", "HK", "CN", "US", "JP", "CN"], start=1)}

authors = st.lists(st.sampled_from(sorted(INSTITUTIONS)), min_size=1, max_size=2, unique=True)
works_strategy = st.lists(st.lists(authors, min_size=1, max_size=4), min_size=1, max_size=12)


def oracle(works: list[list[list[str]]]) -> dict[str, dict[str, float]]:
    """Full-counting P, P(collab), P(short), P(long) per country, straight from the definitions."""
    out: dict[str, dict[str, float]] = {}
    for authors_ in works:
        insts = {i for a in authors_ for i in a}
        countries = {INSTITUTIONS[i][0] for i in insts}
        placed = [INSTITUTIONS[i][1] for i in sorted(insts) if INSTITUTIONS[i][1]]
        dist = max((d(a, b) for a, b in itertools.combinations(placed, 2)), default=0.0)
        collab = len(insts) > 1 or len(countries) > 1
        measured = collab and len(placed) >= 2  # fewer than two geocoded: distance unknown, neither class
        # a work without collaborations has a known class only when the selection has coordinates at all
        anywhere = any(INSTITUTIONS[i][1] for w in works for a in w for i in a)
        for c in countries:
            row = out.setdefault(c, {"p": 0, "p_collab": 0, "p_short_dist": 0, "p_long_dist": 0, "p_dist_known": 0})
            row["p"] += 1
            row["p_collab"] += collab
            row["p_short_dist"] += measured and dist <= 100
            row["p_long_dist"] += measured and dist >= 5000
            row["p_dist_known"] += (not collab and anywhere) or measured
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(works=works_strategy)
def test_properties_against_oracle(tmp_path_factory, works):
    folder = tmp_path_factory.mktemp("prop")
    records = [work(f"W{n}", [[(i, INSTITUTIONS[i][0]) for i in a] for a in authors_])
               for n, authors_ in enumerate(works, start=1)]
    write_jsonl(folder / "works.jsonl", records)
    write_jsonl(folder / "inst.jsonl", [entity(i, c, where) for i, (c, where) in INSTITUTIONS.items()])
    with collabatlas.open(":memory:") as atlas:
        atlas.ingest(folder)
        full = atlas.indicators("country")
        frac = atlas.indicators("country", counting="fractional")
    expected = oracle(works)
    got = full.set_index("unit")[["p", "p_collab", "p_short_dist", "p_long_dist", "p_dist_known"]].to_dict("index")
    assert got == expected
    for df in (full, frac):
        pp = df[[c for c in df.columns if c.startswith("pp_")]].to_numpy()
        assert ((pp >= -1e-12) & (pp <= 1 + 1e-12) | np.isnan(pp)).all()  # NaN: no distance measured
        no_share = df["pp_short_dist"].isna()
        # no share: collaborations none of which is measured, or no coordinates in the selection at all
        assert (df["pp_long_dist"].isna() == no_share).all()
        assert ((df.loc[no_share, "p_collab"] > 0) | (df.loc[no_share, "p_dist_known"] == 0)).all()
        assert (df["p_short_dist"] + df["p_long_dist"] <= df["p_collab"] + 1e-9).all()
        assert (df["p_collab"] <= df["p"] + 1e-9).all() and (df["p_int_collab"] <= df["p_collab"] + 1e-9).all()
        assert (df["median_dist_km"].dropna() >= 0).all()


@pytest.fixture(scope="module")
def duck():
    import duckdb

    con = duckdb.connect()
    yield con
    con.close()


@settings(deadline=None)  # no timing assertion: one DuckDB statement per example
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_haversine_symmetric_nonnegative_and_sql_agrees(duck, lat1, lon1, lat2, lon2):
    forward, back = geo.haversine_km(lat1, lon1, lat2, lon2), geo.haversine_km(lat2, lon2, lat1, lon1)
    assert forward >= 0 and forward == pytest.approx(back, abs=1e-6)
    assert forward <= math.pi * geo.EARTH_RADIUS_KM + 1e-6
    sql = geo.haversine_sql("$a", "$b", "$c", "$e")
    got = duck.execute(f"SELECT {sql}", {"a": lat1, "b": lon1, "c": lat2, "e": lon2}).fetchone()[0]
    assert got == pytest.approx(forward, abs=1e-6)


# -- stability intervals -------------------------------------------------------------------------

@pytest.mark.slow  # 200 bootstrap runs of 200 resamples
def test_interval_coverage_on_a_seeded_synthetic_case():
    """PP(collab) of a unit whose works are collaborative with probability 0.3: the 95 % bootstrap
    interval covers 0.3 in about 95 % of 200 seeded data sets of 300 works."""
    rng = np.random.default_rng(17)
    truth, covered = 0.3, 0
    for trial in range(200):
        n = 300
        flags = rng.random(n) < truth
        rows = pd.DataFrame({"unit": "A", "wkey": np.arange(n), "wt": 1.0, "collab": flags, "int_collab": flags,
                             "industry": False, "short_dist": False, "long_dist": flags, "dist_known": True})
        bounds = interval_columns(rows, 200, seed=trial).loc["A"]
        covered += bounds["pp_collab_lo"] <= truth <= bounds["pp_collab_hi"]
        assert bounds["p_lo"] <= n <= bounds["p_hi"]
    assert 0.89 <= covered / 200 <= 0.99


def test_intervals_on_the_hand_case_are_seeded(hand):
    a = hand.indicators("country", ci=300)
    b = hand.indicators("country", ci=300)
    pd.testing.assert_frame_equal(a, b)
    jp = a.set_index("unit").loc["JP"]
    assert jp.pp_collab_lo <= jp.pp_collab <= jp.pp_collab_hi
    assert jp.p_long_dist_lo <= jp.p_long_dist <= jp.p_long_dist_hi
    assert list(a.columns[:5]) == ["unit", "p", "p_lo", "p_hi", "p_collab"]
    with pytest.raises(CountingError):
        hand.indicators("country", ci=10**6)
    inst = hand.indicators("institution", counting="fractional", ci=100).set_index("unit")
    assert inst.loc["I1", "p_lo"] <= inst.loc["I1", "p"] <= inst.loc["I1", "p_hi"]


# -- the real sample with the ROR registry --------------------------------------------------------

def test_real_sample_with_ror(sample_store, shared_data):
    with collabatlas.open(sample_store) as atlas:
        before = geo.coverage(atlas.con)
        load_ror(atlas.con, sorted((shared_data / "ror").glob("ror_v*_records.jsonl.gz")))
        after = geo.coverage(atlas.con)
        assert after["from_openalex"] == before["from_openalex"] > 600  # the snapshot's institution entities
        assert after["from_ror"] > 100 and after["without_coordinates"] < before["without_coordinates"]
        # where both exist, they mostly agree within a city (OpenAlex's are finer: the institution, ROR's the
        # city centre); the few large gaps are ROR's wrong city (Wellington Community Hospital, Somerset, in
        # Wellington, Shropshire): one reason OpenAlex wins
        gaps = atlas.con.execute(f"""
            SELECT {geo.haversine_sql('g.lat', 'g.lon', 'r.lat', 'r.lon')} FROM institution_geo g
            JOIN institutions i USING (ikey) JOIN ror_institutions r ON r.ror_id = i.ror
            WHERE g.origin = 'openalex' AND r.lat IS NOT NULL""").fetchall()
        assert len(gaps) > 30 and statistics.median(g[0] for g in gaps) < 10
        df = atlas.indicators("country")
        cov = df.attrs["coverage"]
        assert 0 < cov["institutions_without_coordinates"] < cov["institutions"]
        assert df.set_index("unit").loc["US", "p"] == atlas.scores("country").set_index("unit").loc["US", "count"]
        assert ((df["pp_collab"] >= 0) & (df["pp_collab"] <= 1)).all()
        assert (df["p_short_dist"] + df["p_long_dist"] <= df["p_collab"]).all()
        assert df["median_dist_km"].notna().sum() > 10
        us = atlas.distance("US")
        assert us["intl_works"].sum() > 0 and us["measured_works"].sum() > 0
        bands = ["lt_1000", "1000_3000", "3000_5000", "ge_5000"]
        assert (us[bands].sum(axis=1) == us["measured_works"]).all()
        cn = atlas.distance("CN")
        assert cn["intl_works"].sum() >= 1


# -- CLI ----------------------------------------------------------------------------------------

def test_cli_indicators_and_distance(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "works.jsonl", WORKS)
    write_jsonl(folder / "institutions.jsonl", ENTITIES)
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(folder)
    runner = CliRunner()
    result = runner.invoke(app, ["indicators", "--store", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["unit"]: r for r in orjson.loads(result.stdout.splitlines()[-1])}
    assert rows["JP"]["p_long_dist"] == 2
    result = runner.invoke(app, ["indicators", "--store", str(path), "--counting", "fractional", "--ci", "50",
                                 "--fold-hk-mo", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "pp_collab_lo" in result.stdout.splitlines()[0] and "counted as China" in result.output
    chart = tmp_path / "jp.json"
    result = runner.invoke(app, ["distance", "JP", "--store", str(path), "--years", "2019-2020", "--chart", str(chart),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("period,intl_works,measured_works,lt_1000")
    assert orjson.loads(chart.read_bytes())["mark"]["type"] == "bar"
    result = runner.invoke(app, ["distance", "JP", "--store", str(path), "--level", "sector"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["distance", "ZZ", "--store", str(path)])
    assert result.exit_code == 2 and "unknown country" in result.output
    for command in ("indicators", "distance"):
        assert "Example" in runner.invoke(app, [command, "--help"]).output
