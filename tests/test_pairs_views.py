"""Country-pair aggregates through the views: charts, the report and totals, each naming its source."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.counting.rules import FULL_COUNT_LABEL, CountingError
from collabatlas.views import report as report_lib
from collabatlas.views.cli import app

from .conftest import pair_store

PAIRS = """year,country_a,country_b,works
2020,JP,JP,100
2020,JP,US,10
2020,US,JP,10
2020,JP,CN,4
2020,CN,JP,4
2021,JP,JP,110
2021,JP,US,12
2021,US,JP,12
2021,JP,CN,8
2021,CN,JP,8
2021,JP,PK,1
2021,PK,JP,1
"""


@pytest.fixture
def store(tmp_path):
    return pair_store(tmp_path, PAIRS)


def _data(spec: dict) -> list[dict]:
    """Every inline data row of a Vega-Lite spec (top level and datasets)."""
    rows = list(spec.get("data", {}).get("values", []))
    for values in spec.get("datasets", {}).values():
        rows += values
    return rows


def test_totals_from_pairs_by_hand(store):
    with collabatlas.open(store, read_only=True) as atlas:
        t = atlas.totals(source="pairs", years="2020-2021").set_index("unit")
        # JP: international works (the diagonal) 100 + 110, links 10 + 4 + 12 + 8 + 1 = 35, partners US, CN, PK
        assert t.loc["JP", ["intl_works", "partner_links", "partner_countries"]].tolist() == [210, 35, 3]
        assert t.loc["US", "intl_works"] == 0 and t.loc["US", "partner_links"] == 22
        assert set(t["counting"]) == {FULL_COUNT_LABEL}
        assert atlas.totals(source="pairs", years="2021", unit="jp")["intl_works"].tolist() == [110]
        # no international share: not computable from the pair table (domestic-only works are not in it)
        assert not {"intl_share_min", "intl_share_max", "count", "total_works"} & set(t.columns)
        with pytest.raises(CountingError, match="--subject: not available with --source pairs"):
            atlas.totals(source="pairs", subject="Life Sciences")


def test_an_unknown_source_is_refused_not_taken_for_works(store):
    with collabatlas.open(store, read_only=True) as atlas:
        for call in (lambda: atlas.partners("JP", source="pair"), lambda: atlas.trend("JP", "US", source="Pairs"),
                     lambda: atlas.totals(source="x"), lambda: report_lib.make_chart(atlas, "partners", "JP",
                                                                                      source="aggregates")):
            with pytest.raises(CountingError, match="expected one of works, pairs"):
                call()


@pytest.mark.parametrize("kind, expected", [
    ("partners", {"US": 22, "CN": 12, "PK": 1}),
    ("map", {"US": 22, "CN": 12, "PK": 1}),
])
def test_partner_charts_draw_joint_works(store, kind, expected):
    with collabatlas.open(store, read_only=True) as atlas:
        chart = report_lib.make_chart(atlas, kind, unit="JP", years="2020-2021", source="pairs")
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert FULL_COUNT_LABEL in text and "country-pair table (ingest-pairs)" in text and "Joint works" in text
    key, value = ("partner", "joint_works") if kind == "partners" else ("country", "value")
    drawn = {r[key]: r[value] for r in _data(spec) if key in r and value in r}
    assert drawn == expected
    assert "Bilateral CS =" not in text


def test_trend_and_group_charts_draw_joint_works(store):
    with collabatlas.open(store, read_only=True) as atlas:
        trend = report_lib.make_chart(atlas, "trend", unit="JP", partners=["US", "CN"], years="2020-2021",
                                      source="pairs").to_dict()
        group = report_lib.make_chart(atlas, "group", unit="JP", group="bri", periods=["2020", "2021"],
                                      source="pairs").to_dict()
    lines = {(r["partner"], r["period"]): r["joint_works"] for r in _data(trend)}
    assert lines == {("US", 2020): 10, ("US", 2021): 12, ("CN", 2020): 4, ("CN", 2021): 8}
    circles = {(r["partner"], r["period"]): r["joint_works"] for r in _data(group) if "joint_works" in r}
    assert circles[("PK", "2020")] == 0 and circles[("PK", "2021")] == 1
    assert "joint works in two periods" in json.dumps(group)


@pytest.mark.parametrize("kind", ["subjects", "contribution", "hotspots", "landscape", "industry"])
def test_charts_that_need_works_are_refused_with_pairs(store, kind):
    with collabatlas.open(store, read_only=True) as atlas:
        with pytest.raises(CountingError, match="needs work-level data"):
            report_lib.make_chart(atlas, kind, unit="JP", source="pairs")


def test_pair_charts_refuse_filters_and_institutions(store):
    with collabatlas.open(store, read_only=True) as atlas:
        with pytest.raises(CountingError, match="--subject: not available"):
            report_lib.make_chart(atlas, "partners", unit="JP", subject="ni:chemistry", source="pairs")
        with pytest.raises(CountingError, match="country level only"):
            report_lib.make_chart(atlas, "partners", unit="I1", level="institution", source="pairs")


@pytest.mark.slow  # writes a whole report (~6 s): make test, not make test-fast
def test_report_from_pairs(store, tmp_path):
    with collabatlas.open(store, read_only=True) as atlas:
        built = report_lib.build_report(atlas, "JP", source="pairs")
        paths = report_lib.write_report(built, tmp_path / "rep", formats=())
    assert [s.key for s in built.sections] == ["partners", "trend", "map", "group", "absent"]
    assert dict(built.headline)["internationally co-authored works"] == "210"
    html = paths[0].read_text()
    assert FULL_COUNT_LABEL in html and "need work-level data" in html
    partners = built.sections[0].tables[0][1]
    assert partners["joint_works"].tolist() == [22, 12, 1]
    per_year = built.sections[1].tables[0][1]  # joint works per year: counts, never "16,102.000"
    assert all(str(per_year[c].dtype) == "int64" for c in per_year.columns if c != "partner")
    assert not re.search(r"\d\.000<", html.split("Joint works per year")[1].split("</table>")[0])


def test_cli_chart_and_report_take_source(store, tmp_path):
    runner = CliRunner()
    out = tmp_path / "jp.json"
    done = runner.invoke(app, ["chart", "partners", "--unit", "JP", "--source", "pairs", "--out", str(out),
                               "--store", str(store)])
    assert done.exit_code == 0, done.output
    assert FULL_COUNT_LABEL in out.read_text()
    refused = runner.invoke(app, ["report", "--focus", "JP", "--source", "pairs", "--pdf", "--out",
                                  str(tmp_path / "r"), "--store", str(store)])
    assert refused.exit_code == 2 and "not available with --source pairs" in refused.output
    group = runner.invoke(app, ["group", "JP", "--group", "bri", "--periods", "2020,2021", "--source", "pairs",
                                "--format", "json", "--store", str(store)])
    body = json.loads(group.output)
    assert body["source"] == "pairs" and body["counting"] == FULL_COUNT_LABEL
    assert {p["partner"]: p["joint_2021"] for p in body["partners"]} == {"PK": 1}


def test_network_from_pair_aggregates(store, tmp_path):
    """Edges are the joint works of each pair (both directions of the file read once), nodes their
    countries sized by works; CS, Share and work filters are refused with the reason."""
    from collabatlas.analyses import network as net_lib

    with collabatlas.open(store, read_only=True) as atlas:
        net = net_lib.build_network(atlas, "country", source="pairs", years="2021", weight="joint_count",
                                    top_by="count", keep_isolated=True)
        edges = {(e.source, e.target): e.joint_count for e in net.edges.itertuples()}
        assert edges == {("JP", "US"): 12, ("CN", "JP"): 8, ("JP", "PK"): 1}
        assert dict(zip(net.nodes["id"], net.nodes["count"], strict=True))["JP"] == 110
        assert net.meta["source"] == "pairs" and "full counts" in net.meta["counting"]
        with pytest.raises(CountingError, match="--weight joint_count"):  # CS asked of full counts
            net_lib.build_network(atlas, "country", source="pairs", weight="cs", top_by="count")
        with pytest.raises(CountingError, match="--top-by count"):
            net_lib.build_network(atlas, "country", source="pairs", top_by="cs_total")
        # not given: the engine's weight and node measure (joint works, works), as the API chose them
        default = net_lib.build_network(atlas, "country", source="pairs", years="2021", keep_isolated=True)
        assert default.edges.equals(net.edges) and default.nodes.equals(net.nodes)
        works = net_lib.build_network(atlas, "country", keep_isolated=True)  # the words of every other result
        assert works.meta["counting"] == atlas.capabilities().counting_label == "fractional counting (Share and CS)"
        with pytest.raises(CountingError, match="--subject: not available with --source pairs"):
            net_lib.build_network(atlas, "country", source="pairs", weight="joint_count", top_by="count",
                                  subject="Chemistry")
        with pytest.raises(CountingError, match="country level only"):
            net_lib.build_network(atlas, "institution", source="pairs", weight="joint_count", top_by="count")
    out = tmp_path / "world.json"
    result = CliRunner().invoke(app, ["network", "--store", str(store), "--source", "pairs", "--weight", "joint_count",
                                      "--top-by", "count", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {item["label"] for item in json.loads(out.read_text())["network"]["items"]} >= {"Japan", "United States"}
    plain = CliRunner().invoke(app, ["network", "--store", str(store), "--source", "pairs", "--out",
                                     str(tmp_path / "plain.json")])  # refused before: "use --weight joint_count"
    assert plain.exit_code == 0, plain.output
    assert json.loads((tmp_path / "plain.json").read_text()) == json.loads(out.read_text())


def test_world_scale_totals_and_landscape_from_pairs(store):
    runner = CliRunner()
    out = runner.invoke(app, ["collaboration", "--store", str(store), "--level", "country", "--source", "pairs",
                              "--years", "2021", "--format", "json"])
    assert out.exit_code == 0, out.output
    jp = next(r for r in json.loads(out.stdout) if r["unit"] == "JP")
    assert (jp["intl_works"], jp["partner_links"]) == (110, 21) and "intl_share_max" not in jp
    refused = runner.invoke(app, ["landscape", "--store", str(store), "--year", "2021", "--source", "pairs"])
    assert refused.exit_code == 2 and "international share is not computable" in refused.output


CROWDED = "year,country_a,country_b,works\n2021,JP,JP,500\n" + "".join(
    f"2021,JP,{c},{n}\n2021,{c},JP,{n}\n" for c, n in [("DE", 50), ("FR", 40), ("GB", 35), ("KR", 30), ("ES", 25),
                                                       ("BE", 20), ("NL", 18), ("LU", 3), ("SE", 2), ("EG", 2),
                                                       ("TH", 2), ("CH", 2), ("AT", 2)])


def test_map_from_pairs_labels_the_five_largest_partners(tmp_path):
    from collabatlas.views.chart_base import country_name

    store = pair_store(tmp_path, CROWDED)
    out = tmp_path / "m.svg"
    done = CliRunner().invoke(app, ["chart", "map", "--unit", "JP", "--source", "pairs", "--out", str(out),
                                    "--store", str(store)])
    assert done.exit_code == 0, done.output
    svg = out.read_text()
    for code in ("DE", "FR", "GB", "KR", "ES"):  # crowded in Europe, still named
        assert f">{country_name(code)}</text>" in svg, code
    with collabatlas.open(store, read_only=True) as atlas:
        spec = report_lib.make_chart(atlas, "map", unit="JP", source="pairs").to_dict()
    labels = [r for r in _data(spec) if "ink" in r]
    assert {r["country"] for r in labels} >= {"DE", "FR", "GB", "KR", "ES"}
    assert any(r["leader"] for r in labels)  # moved off its capital, drawn with a line back
