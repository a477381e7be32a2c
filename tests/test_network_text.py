"""Pajek .net and VOSviewer map/network .txt exports (analyses.network_text), read back by hand and by igraph."""

from __future__ import annotations

import csv
import io

import igraph
import pandas as pd
import pytest
from typer.testing import CliRunner

from collabatlas.analyses import network as N
from collabatlas.views.cli import app
from tests.conftest import work, write_jsonl


def small() -> N.Network:
    """Three units: a–b weight 2.5, b–c weight 1; a's label holds a quote, a comma and a tab."""
    pairs = pd.DataFrame({"unit_a": ["a", "b"], "unit_b": ["b", "c"], "cs": [2.5, 1.0], "joint_count": [3, 1]})
    totals = pd.DataFrame({"unit": ["a", "b", "c"], "count": [3, 4, 1], "share": [1.5, 2.0, 0.5],
                           "cs_total": [2.5, 3.5, 1.0], "name": ['Alpha "A", Inc\tX', "Beta", "Gamma"]})
    net = N.network_from_frames(pairs, totals, "institution")
    return net.cluster(seed=1).layout("fr", seed=1)


def test_pajek_by_hand_and_with_igraph(tmp_path):
    net = small()
    path = N.write(net, tmp_path / "n.net")[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    order = list(net.nodes["id"])
    assert lines[0] == "*Vertices 3" and lines[4] == "*Edges"
    labels = dict(zip(net.nodes["id"], net.nodes["label"], strict=True))
    assert lines[1 + order.index("a")].split(" ", 1)[1].startswith('"Alpha \'A\', Inc X" ')
    edges = {tuple(sorted((order[int(a) - 1], order[int(b) - 1]))): float(w)
             for a, b, w in (line.split() for line in lines[5:])}
    assert edges == {("a", "b"): 2.5, ("b", "c"): 1.0}
    g = igraph.Graph.Read_Pajek(str(path))
    assert g.vcount() == 3 and g.ecount() == 2 and sorted(g.es["weight"]) == [1.0, 2.5]
    assert sorted(g.vs["name"]) == sorted(labels[u].replace('"', "'").replace("\t", " ") for u in order)
    assert all(0 <= v <= 1 for v in g.vs["x"] + g.vs["y"])


def test_vosviewer_map_and_network_files(tmp_path):
    net = small()
    written = N.write(net, tmp_path / "vos", "vosviewer")
    assert [p.name for p in written] == ["map.txt", "network.txt"]
    rows = list(csv.DictReader(io.StringIO(written[0].read_text(encoding="utf-8")), delimiter="\t"))
    assert list(rows[0]) == ["id", "label", "description", "x", "y", "cluster", "weight<Links>",
                             "weight<Total link strength>", "weight<Count>", "weight<Total CS>", "score<Share>"]
    by_unit = {r["description"]: r for r in rows}
    assert by_unit["a"]["label"] == "Alpha 'A', Inc X"  # quoted in the file (it holds a comma)
    assert '"Alpha \'A\', Inc X"' in written[0].read_text(encoding="utf-8")
    assert by_unit["b"]["weight<Links>"] == "2" and by_unit["b"]["weight<Total CS>"] == "3.5"
    assert by_unit["c"]["score<Share>"] == "0.5" and by_unit["a"]["weight<Count>"] == "3"
    assert {r["id"] for r in rows} == {"1", "2", "3"}
    ids = {r["description"]: r["id"] for r in rows}
    links = {tuple(line.split("\t")) for line in written[1].read_text().splitlines()}
    assert links == {(ids["a"], ids["b"], "2.5"), (ids["b"], ids["c"], "1")} or \
        links == {(ids["b"], ids["a"], "2.5"), (ids["c"], ids["b"], "1")}
    json_path = N.write(net, tmp_path / "m.json", "vosviewer")[0]  # .json: VOSviewer Online JSON as before
    assert json_path.read_text().startswith("{")


def test_format_from_suffix_and_refusals(tmp_path):
    assert N.format_of(tmp_path / "x.net") == "pajek"
    (tmp_path / "file").write_text("")
    with pytest.raises(N.NetworkError, match="go into a directory"):
        N.write(small(), tmp_path / "file", "vosviewer")


def test_cli_pajek_and_vosviewer(tmp_path):
    records = [work("W1", [[("I1", "JP")], [("I2", "US")], [("I3", "CN")]], year=2020),
               work("W2", [[("I1", "JP")], [("I2", "US")]], year=2020)]
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "w.jsonl", records)),
                               "--store", str(store)]).exit_code == 0
    result = runner.invoke(app, ["network", "--format", "pajek", "--out", str(tmp_path / "n.net"),
                                 "--store", str(store)])
    assert result.exit_code == 0, result.output
    g = igraph.Graph.Read_Pajek(str(tmp_path / "n.net"))
    assert g.vcount() == 3 and g.ecount() == 3
    # JP–US: W1 1/3 + 1/3 and W2 1/2 + 1/2 = 5/3
    weights = {frozenset((g.vs[e.source]["name"], g.vs[e.target]["name"])): e["weight"] for e in g.es}
    assert weights[frozenset(("Japan", "United States"))] == pytest.approx(5 / 3)
    result = runner.invoke(app, ["network", "--format", "vosviewer", "--out", str(tmp_path / "vos"),
                                 "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "vos" / "map.txt").is_file() and (tmp_path / "vos" / "network.txt").is_file()


def formula_net() -> N.Network:
    pairs = pd.DataFrame({"unit_a": ["a"], "unit_b": ["b"], "cs": [1.0], "joint_count": [1]})
    totals = pd.DataFrame({"unit": ["a", "b"], "count": [1, 1], "share": [0.5, 0.5], "cs_total": [1.0, 1.0],
                           "name": ["=cmd|' /C calc'!A0", "@SUM(1)"]})
    return N.network_from_frames(pairs, totals, "institution").cluster(seed=1).layout("fr", seed=1)


def test_pajek_and_vosviewer_labels_get_the_csv_formula_guard(tmp_path):
    """A label starting with = or @ is a formula in a spreadsheet that opens the tab-separated map
    file (or the .net file): it gets the leading ' of every CSV collabatlas writes, unless raw."""
    net = formula_net()
    vos = N.write(net, tmp_path / "vos", "vosviewer")[0].read_text(encoding="utf-8")
    rows = {r["description"]: r["label"] for r in csv.DictReader(io.StringIO(vos), delimiter="\t")}
    assert rows == {"a": "'=cmd|' /C calc'!A0", "b": "'@SUM(1)"}
    net_text = N.write(net, tmp_path / "n.net")[0].read_text(encoding="utf-8")
    assert '"\'=cmd|\' /C calc\'!A0"' in net_text and '"\'@SUM(1)"' in net_text
    raw_vos = N.write(net, tmp_path / "raw", "vosviewer", raw_csv=True)[0].read_text(encoding="utf-8")
    assert "\t=cmd|' /C calc'!A0\t" in raw_vos
    assert '"=cmd|\' /C calc\'!A0"' in N.write(net, tmp_path / "r.net", raw_csv=True)[0].read_text(encoding="utf-8")
