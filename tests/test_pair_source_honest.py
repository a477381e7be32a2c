"""Issue 26: the country-pair source, honest. Its diagonal is each country's internationally co-authored
works (never total output); a country's international share is not computable from it; group results
give pair links and distinct-work bounds; captions name the source (provider, retrieval date) and
full counting. Hand-built table: every pair count below comes from the works listed, so the distinct
works are known exactly."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.engines import CapabilityError
from collabatlas.views.cli import app

from .conftest import pair_store

#: internationally co-authored works of CN (the table holds no domestic-only work)
WORKS = {
    2015: [{"CN", "PK", "RU"},  # two Belt and Road partners: two links, one work
           {"CN", "PK"}, {"CN", "US"}, {"CN", "US", "PK"}],
    2023: [{"CN", "PK", "RU"}, {"CN", "RU"}, {"CN", "US"}, {"CN", "DE"}, {"CN", "DE"}],
}


def pair_csv(works: dict[int, list[set[str]]]) -> str:
    counts: dict = {}
    for year, listed in works.items():
        for countries in listed:
            for a in countries:
                for b in countries:
                    counts[(year, a, b)] = counts.get((year, a, b), 0) + 1
    lines = ["year,country_a,country_b,works"] + [f"{y},{a},{b},{n}" for (y, a, b), n in sorted(counts.items())]
    return "\n".join(lines) + "\n"


@pytest.fixture
def store(tmp_path):
    (tmp_path / "README.md").write_text("# data\n\n## pairs.csv (OpenAlex, CC0)\nThe country-pair table as "
                                        "retrieved on\n27 Aug 2024 by someone.\n\n## other\nretrieved on 1 Jan 2000\n")
    return pair_store(tmp_path, pair_csv(WORKS))


def _csv(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


def test_collaboration_from_pairs_gives_intl_works_not_total_works(store):
    result = CliRunner().invoke(app, ["collaboration", "--level", "country", "--source", "pairs", "--years", "2015",
                                      "--format", "csv", "--store", str(store)])
    assert result.exit_code == 0, result.output
    rows = {r["unit"]: r for r in _csv(result.stdout)}
    columns = set(next(iter(rows.values())))
    assert "intl_works" in columns
    assert not {"total_works", "count", "intl_share_max", "intl_share_min"} & columns
    # CN 2015: 4 international works; links 3 (PK) + 1 (RU) + 2 (US) = 6 ≥ 4
    assert (rows["CN"]["intl_works"], rows["CN"]["partner_links"], rows["CN"]["partner_countries"]) == ("4", "6", "3")
    assert rows["PK"]["intl_works"] == "3" and rows["RU"]["intl_works"] == "1"
    assert "full counting" in rows["CN"]["counting"]
    assert rows["CN"]["source"] == "OpenAlex country-pair table, as retrieved on 27 Aug 2024"


def test_group_from_pairs_gives_links_and_distinct_work_bounds(store):
    result = CliRunner().invoke(app, ["group", "CN", "--group", "bri", "--periods", "2015,2023", "--source", "pairs",
                                      "--format", "json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    p2015, p2023 = report["periods"]
    # 2015: links 3 (PK) + 1 (RU) = 4; distinct works with the group W1, W2, W4 = 3 ∈ [largest pair 3, min(4, 4)]
    assert p2015["group_pair_links"] == 4 and p2015["intl_works"] == 4
    assert (p2015["group_works_min"], p2015["group_works_max"]) == (3, 4)
    assert (p2015["group_pct_of_intl_works_min"], p2015["group_pct_of_intl_works_max"]) == (75.0, 100.0)
    # 2023: links 1 (PK) + 2 (RU) = 3; distinct 2 ∈ [2, min(3, 5) = 3]; 40 %..60 % of 5 international works
    assert p2023["group_pair_links"] == 3 and p2023["intl_works"] == 5
    assert (p2023["group_works_min"], p2023["group_works_max"]) == (2, 3)
    assert p2023["group_pct_of_intl_works_min"] == pytest.approx(40.0)
    assert p2023["group_pct_of_intl_works_max"] == pytest.approx(60.0)
    # no field called works sums pair links
    for row in report["periods"]:
        assert not [k for k in row if "works" in k and k not in ("intl_works", "group_works_min", "group_works_max",
                                                                  "group_pct_of_intl_works_min",
                                                                  "group_pct_of_intl_works_max")]
    assert {g["measure"] for g in report["growth"]} == {"group_pair_links", "all_pair_links", "intl_works"}
    assert report["source"] == "pairs" and "full counting" in report["counting"]
    assert report["source_label"] == "OpenAlex country-pair table, as retrieved on 27 Aug 2024"


def test_the_international_share_is_refused_with_pairs(store):
    with collabatlas.open(store, read_only=True) as atlas:
        with pytest.raises(CapabilityError, match="international share is not computable"):
            atlas.landscape(2015, source="pairs")
        assert "intl_share_max" not in atlas.totals(source="pairs").columns


def test_captions_name_the_provider_the_date_and_full_counting(store, tmp_path):
    with collabatlas.open(store, read_only=True) as atlas:
        caps = atlas.capabilities("pairs")
        assert caps.source_label == "OpenAlex country-pair table, as retrieved on 27 Aug 2024"
        assert caps.counting_label == "full counting (country-pair table)"
        df = atlas.partners("CN", source="pairs")
        assert df.attrs["source_label"] == caps.source_label
        assert "27 Aug 2024" in next(v for k, v in atlas.summary().items() if "--source pairs" in k)
    table = CliRunner().invoke(app, ["partners", "CN", "--source", "pairs", "--store", str(store)],
                               env={"COLUMNS": "240"})  # the title on one line
    assert "as retrieved on 27 Aug 2024" in table.output and "full counting" in table.output


def test_provenance_given_or_said_missing(tmp_path):
    from collabatlas.store.pair_provenance import detect

    bare = tmp_path / "x.csv"
    bare.write_text("year,country_a,country_b,works\n")
    assert detect(bare).label == "country-pair table (ingest-pairs), retrieval date not recorded"
    assert detect(bare, provider="OpenAlex", retrieved="2024-08-27").label == \
        "OpenAlex country-pair table, as retrieved on 2024-08-27"
    result = CliRunner().invoke(app, ["ingest-pairs", str(bare), "--retrieved", "2024-08-27", "--provider", "OpenAlex",
                                      "--store", str(tmp_path / "p.duckdb")])
    assert result.exit_code == 0 and "as retrieved on 2024-08-27" in result.output


def test_the_report_does_not_present_the_diagonal_as_total_works(store):
    from collabatlas.views import report as report_lib

    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "CN", years="2015-2023", source="pairs")
    headline = dict(built.headline)
    assert headline["internationally co-authored works"] == "9"
    assert not [k for k in headline if "full count" in k or k.startswith("works")]


def test_the_real_pair_table(shared_data, tmp_path_factory):
    path = shared_data / "country_pairs" / "openalex_country_coauthorship_pairs_1990_2023.csv.gz"
    store = tmp_path_factory.mktemp("realpairs") / "p.duckdb"
    with collabatlas.open(store) as atlas:
        report = atlas.ingest_country_pairs(path)
        assert report.provenance.label == "OpenAlex country-pair table, as retrieved on 27 Aug 2024"
        # the diagonal is international works: every country-year's pairs sum to at least it, none exceeds it
        bad = atlas.con.execute("""
            SELECT count(*) FROM (SELECT country_a, year,
                   sum(works) FILTER (WHERE country_b = country_a) AS diag,
                   sum(works) FILTER (WHERE country_b <> country_a) AS links,
                   max(works) FILTER (WHERE country_b <> country_a) AS largest
            FROM country_pair_works GROUP BY ALL) WHERE diag > links OR largest > diag""").fetchone()[0]
        assert bad == 0
        jp = atlas.totals(source="pairs", years=2015, unit="JP").iloc[0]
        assert jp["intl_works"] == 43_512 and jp["partner_links"] >= jp["intl_works"]
        group = atlas.group("CN", "bri", ["2015", "2023"], source="pairs")
    for row in group.periods.to_dict("records"):
        assert row["group_works_min"] <= row["group_works_max"] <= min(row["group_pair_links"], row["intl_works"])
        assert 0 < row["group_pct_of_intl_works_min"] <= row["group_pct_of_intl_works_max"] <= 100
    result = CliRunner().invoke(app, ["collaboration", "--level", "country", "--source", "pairs", "--years", "2015",
                                      "--format", "csv", "--store", str(store)])
    rows = {r["unit"]: r for r in _csv(result.stdout)}
    assert rows["JP"]["intl_works"] == "43512" and "intl_share_max" not in rows["JP"]
