"""Network maps: normalisations against hand-computed values, thresholds, Leiden clusters and layouts,
exports read back (VOSviewer JSON, GEXF, GraphML, CSV), and real data: edges = Atlas.pairs, node
weights = Atlas.scores / Atlas.totals."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import igraph
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import collabatlas
from collabatlas import rounding
from collabatlas.analyses import network as N
from collabatlas.views.cli import app

# -- a hand graph -------------------------------------------------------------------------------
# edges A-B 2, A-C 1, B-C 1, C-D 2 → total link strength w: A 3, B 3, C 4, D 2; W = Σ w = 12.
# unit totals (sizes) s: A 4, B 5, C 4, D 2.
SRC, DST, RAW = ["A", "A", "B", "C"], ["B", "C", "C", "D"], [2.0, 1.0, 1.0, 2.0]
SIZE = {"A": 4.0, "B": 5.0, "C": 4.0, "D": 2.0}


def test_association_strength_by_hand():
    # s_ij = c_ij · W / (w_i w_j): AB 2·12/9, AC 1·12/12, BC 1·12/12, CD 2·12/8
    got = N.normalize(SRC, DST, RAW, "association")
    assert got == pytest.approx([8 / 3, 1.0, 1.0, 3.0], abs=1e-12)


def test_cosine_by_hand():
    got = N.normalize(SRC, DST, RAW, "cosine", SIZE)
    assert got == pytest.approx([2 / math.sqrt(20), 1 / 4, 1 / math.sqrt(20), 2 / math.sqrt(8)], abs=1e-12)


def test_jaccard_by_hand():
    got = N.normalize(SRC, DST, RAW, "jaccard", SIZE)
    assert got == pytest.approx([2 / 7, 1 / 7, 1 / 8, 1 / 2], abs=1e-12)


def test_none_and_bad_options():
    assert list(N.normalize(SRC, DST, RAW, "none")) == RAW
    with pytest.raises(N.NetworkError, match="expected one of"):
        N.normalize(SRC, DST, RAW, "salton")
    with pytest.raises(N.NetworkError, match="needs each unit's total"):
        N.normalize(SRC, DST, RAW, "cosine")
    with pytest.raises(N.NetworkError, match="no total for units"):
        N.normalize(SRC, DST, RAW, "jaccard", {"A": 1.0})


def hand_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = pd.DataFrame({"unit_a": SRC, "unit_b": DST, "joint_count": [2, 1, 1, 2], "cs": RAW})
    totals = pd.DataFrame({"unit": ["A", "B", "C", "D", "E"], "count": [4, 5, 4, 2, 9],
                           "share": [2.0, 3.0, 1.5, 1.0, 9.0], "cs_total": [3.0, 3.0, 4.0, 2.0, 0.0]})
    return pairs, totals


def test_frames_to_network_with_association_and_max_edges():
    pairs, totals = hand_frames()
    net = N.network_from_frames(pairs, totals, "sector", normalize_by="association", max_edges=1)
    # E never collaborates: not a node. Strongest edge of A and B is AB (8/3), of C and D is CD (3).
    assert list(net.nodes["id"]) == ["C", "A", "B", "D"]  # by cs_total, ties by id
    assert set(zip(net.edges["source"], net.edges["target"], strict=True)) == {("A", "B"), ("C", "D")}
    assert net.edges.set_index("source").loc["A", "weight"] == pytest.approx(8 / 3)
    assert net.graph.vcount() == 4 and net.graph.ecount() == 2
    assert dict(zip(net.nodes["id"], net.nodes["links"], strict=True)) == {"A": 1, "B": 1, "C": 1, "D": 1}


def test_top_and_min_weight_and_isolated():
    pairs, totals = hand_frames()
    top = N.network_from_frames(pairs, totals, "sector", top=3)  # C, A, B: the triangle
    assert sorted(top.nodes["id"]) == ["A", "B", "C"] and len(top.edges) == 3
    thin = N.network_from_frames(pairs, totals, "sector", min_weight=1.5)  # AB and CD only
    assert len(thin.edges) == 2 and sorted(thin.nodes["id"]) == ["A", "B", "C", "D"]
    lone = N.network_from_frames(pairs, totals, "sector", top=3, min_weight=1.5)  # C loses its edges
    assert sorted(lone.nodes["id"]) == ["A", "B"] and lone.meta["isolated_dropped"] == 1
    kept = N.network_from_frames(pairs, totals, "sector", top=3, min_weight=1.5, keep_isolated=True)
    assert sorted(kept.nodes["id"]) == ["A", "B", "C"]
    by_count = N.network_from_frames(pairs, totals, "sector", weight="joint_count", top=2, top_by="count")
    assert sorted(by_count.nodes["id"]) == ["A", "B"] and list(by_count.edges["raw"]) == [2.0]
    with pytest.raises(N.NetworkError, match="nothing to draw"):
        N.network_from_frames(pairs.head(0), totals)


def two_cliques() -> N.Network:
    """Two 4-cliques (weight 5) joined by one edge of weight 1."""
    left, right = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    rows = [(u, v, 5.0) for group in (left, right) for i, u in enumerate(group) for v in group[i + 1:]]
    rows.append(("a1", "b1", 1.0))
    pairs = pd.DataFrame(rows, columns=["unit_a", "unit_b", "cs"]).assign(joint_count=1)
    units = left + right
    totals = pd.DataFrame({"unit": units, "count": 1, "share": 1.0,
                           "cs_total": [float(len(units) - i) for i in range(8)]})
    return N.network_from_frames(pairs, totals, "sector")


@pytest.mark.parametrize("quality,resolution", [("modularity", 1.0), ("cpm", 0.5)])
def test_leiden_finds_the_two_cliques_deterministically(quality, resolution):
    first = two_cliques().cluster(resolution=resolution, quality=quality, seed=7)
    membership = dict(zip(first.nodes["id"], first.nodes["cluster"], strict=True))
    assert {membership[u] for u in ("a1", "a2", "a3", "a4")} == {1}  # equal sizes: a1 comes first
    assert {membership[u] for u in ("b1", "b2", "b3", "b4")} == {2}
    again = two_cliques().cluster(resolution=resolution, quality=quality, seed=7)
    assert list(again.nodes["cluster"]) == list(first.nodes["cluster"])
    assert first.meta["n_clusters"] == 2 and first.meta["modularity"] > 0.4


def test_cpm_resolution_splits_more():
    coarse = two_cliques().cluster(resolution=0.1, quality="cpm", seed=1)
    fine = two_cliques().cluster(resolution=6.0, quality="cpm", seed=1)  # above the clique weight 5
    assert coarse.meta["n_clusters"] <= 2 < fine.meta["n_clusters"]


@pytest.mark.parametrize("method", N.LAYOUTS)
def test_layouts_are_seeded_and_normalised(method):
    a = two_cliques().layout(method, seed=3)
    b = two_cliques().layout(method, seed=3)
    xy = a.nodes[["x", "y"]].to_numpy()
    assert np.array_equal(xy, b.nodes[["x", "y"]].to_numpy())
    assert np.allclose(xy.mean(axis=0), 0, atol=1e-9)
    assert math.isclose(np.sqrt((xy ** 2).sum(axis=1).mean()), 1.0, rel_tol=1e-9)
    # the strongly tied cliques sit apart: mean within-clique distance < mean between-clique distance
    d = np.linalg.norm(xy[:, None] - xy[None, :], axis=2)
    left = a.nodes["id"].str.startswith("a").to_numpy()
    within = (d[np.ix_(left, left)].sum() + d[np.ix_(~left, ~left)].sum()) / (2 * 12)
    assert within < d[np.ix_(left, ~left)].mean()


# -- properties of the normalisations ----------------------------------------------------------

@st.composite
def weighted_graphs(draw):
    n = draw(st.integers(2, 8))
    nodes = [f"U{i}" for i in range(n)]
    possible = [(nodes[i], nodes[j]) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(possible), min_size=1, max_size=len(possible), unique=True))
    raw = draw(st.lists(st.floats(0.01, 100.0), min_size=len(chosen), max_size=len(chosen)))
    extra = draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n))
    src, dst = [a for a, _ in chosen], [b for _, b in chosen]
    incident = pd.concat([pd.Series(raw, index=src), pd.Series(raw, index=dst)]).groupby(level=0).sum()
    size = {u: float(incident.get(u, 0.0)) + e for u, e in zip(nodes, extra, strict=True)}  # s_i >= every c_ij
    return src, dst, np.asarray(raw), size


@settings(max_examples=60, deadline=None)
@given(weighted_graphs(), st.sampled_from(N.NORMALIZATIONS))
def test_normalisations_are_symmetric(graph, method):
    src, dst, raw, size = graph
    assert np.allclose(N.normalize(src, dst, raw, method, size), N.normalize(dst, src, raw, method, size))


@settings(max_examples=60, deadline=None)
@given(weighted_graphs(), st.sampled_from(["cosine", "jaccard"]))
def test_cosine_and_jaccard_lie_in_zero_one(graph, method):
    src, dst, raw, size = graph
    got = N.normalize(src, dst, raw, method, size)
    assert ((got > 0) & (got <= 1 + 1e-12)).all()


@settings(max_examples=60, deadline=None)
@given(weighted_graphs(), st.floats(0.001, 1000.0))
def test_association_strength_ignores_the_scale(graph, factor):
    src, dst, raw, size = graph
    base = N.normalize(src, dst, raw, "association")
    scaled = N.normalize(src, dst, raw * factor, "association")
    assert np.allclose(base, scaled, rtol=1e-9)
    rank = pd.Series(base.round(9)).rank(method="min")
    assert rank.equals(pd.Series(scaled.round(9)).rank(method="min"))  # the same ranking of the edges
    for method in ("cosine", "jaccard"):  # scaling weights and totals together changes nothing either
        big = {u: s * factor for u, s in size.items()}
        assert np.allclose(N.normalize(src, dst, raw, method, size), N.normalize(src, dst, raw * factor, method, big))


# -- real data ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_atlas(shared_data):
    atlas = collabatlas.open(":memory:")
    atlas.ingest(shared_data / "openalex")
    yield atlas
    atlas.close()


@pytest.mark.parametrize("level", ["country", "institution", "sector"])
def test_real_edges_are_atlas_pairs_and_nodes_atlas_scores(real_atlas, level):
    net = N.build_network(real_atlas, level, seed=1)
    pairs = real_atlas.pairs(level=level)
    got = net.edges.set_index(["source", "target"]).sort_index()
    want = pairs.set_index(["unit_a", "unit_b"]).sort_index()
    assert list(got.index) == list(want.index)
    assert np.array_equal(got["joint_count"].to_numpy(), want["joint_count"].to_numpy())
    assert np.allclose(got["cs"], want["cs"], rtol=0, atol=1e-12)
    assert np.allclose(got["weight"], want["cs"], rtol=0, atol=1e-12)  # weight cs, no normalisation
    scores = real_atlas.scores(level=level).set_index("unit")
    nodes = net.nodes.set_index("id")
    assert set(nodes.index) == set(pairs["unit_a"]) | set(pairs["unit_b"])
    assert (nodes["count"] == scores.loc[nodes.index, "count"]).all()
    assert np.allclose(nodes["share"], scores.loc[nodes.index, "share"], atol=1e-12)
    totals = real_atlas.totals(level=level).set_index("unit")
    assert np.allclose(nodes["cs_total"], totals.loc[nodes.index, "cs_total"], atol=1e-12)
    # every partner is in the graph, so a node's total link strength is its total CS
    assert np.allclose(nodes["link_strength"], nodes["cs_total"], atol=1e-9)
    assert nodes["cluster"].min() == 1 and nodes[["x", "y"]].notna().all().all()


def test_real_filters_and_names(real_atlas):
    net = N.build_network(real_atlas, "country", years="2015-2020", weight="joint_count", normalize_by="cosine")
    pairs = real_atlas.pairs(level="country", years="2015-2020")
    assert len(net.edges) == len(pairs) and net.meta["filters"] == "years 2015-2020"
    counts = real_atlas.scores(level="country", years="2015-2020").set_index("unit")["count"]
    edge = net.edges.iloc[0]
    salton = edge["joint_count"] / math.sqrt(counts[edge["source"]] * counts[edge["target"]])
    assert edge["weight"] == pytest.approx(salton)
    labels = dict(zip(net.nodes["id"], net.nodes["label"], strict=True))
    assert labels.get("US", "United States") == "United States"
    inst = N.build_network(real_atlas, "institution", top=10)
    names = real_atlas.totals(level="institution").set_index("unit")["name"]
    assert all(label == names[unit] for unit, label in zip(inst.nodes["id"], inst.nodes["label"], strict=True))


@pytest.fixture(scope="module")
def real_network(real_atlas):
    return N.build_network(real_atlas, "country", normalize_by="association", seed=5)


def test_real_clusters_and_layout_repeat_with_the_seed(real_atlas, real_network):
    again = N.build_network(real_atlas, "country", normalize_by="association", seed=5)
    pd.testing.assert_frame_equal(again.nodes, real_network.nodes)


def test_vosviewer_json_reads_back(real_network, tmp_path):
    path = N.write(real_network, tmp_path / "map.json")[0]
    doc = json.loads(path.read_text(encoding="utf-8"))
    items, links = doc["network"]["items"], doc["network"]["links"]
    nodes = real_network.nodes.set_index("id")
    assert [i["id"] for i in items] == list(real_network.nodes["id"]) and len(items) >= 3
    for item in items:
        row = nodes.loc[item["id"]]
        assert item["label"] == row["label"] and item["cluster"] == row["cluster"]
        assert 1 <= item["cluster"] <= 1000  # coordinates by the one rounding rule of every output
        assert (item["x"], item["y"]) == (rounding.number(row["x"]), rounding.number(row["y"]))
        assert item["weights"]["Total CS"] == pytest.approx(row["cs_total"])
        assert item["weights"]["Count"] == row["count"]
        assert all(v >= 0 for v in item["weights"].values())
        assert set(item["scores"]) == {"Count", "Share", "Total CS"}
    got = {(lk["source_id"], lk["target_id"]): lk["strength"] for lk in links}
    want = dict(zip(zip(real_network.edges["source"], real_network.edges["target"], strict=False),
                    real_network.edges["weight"], strict=False))
    assert got == pytest.approx(want)
    assert len({(i["x"], i["y"]) for i in items}) > 1
    assert doc["config"]["terminology"]["items"] == "countries"
    assert doc["config"]["terminology"]["link_strength"] == "association strength of CS"
    assert {c["cluster"] for c in doc["network"]["clusters"]} == {i["cluster"] for i in items}
    assert "association strength" in doc["info"]["description"]


def test_gexf_reads_back(real_network, tmp_path):
    path = N.write(real_network, tmp_path / "map.gexf")[0]
    ns = {"g": N.GEXF_NS, "viz": N.VIZ_NS}
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{N.GEXF_NS}}}gexf" and root.get("version") == "1.3"
    graph = root.find("g:graph", ns)
    assert graph.get("defaultedgetype") == "undirected"
    declared = {a.get("id"): a.get("type") for a in graph.findall("g:attributes[@class='node']/g:attribute", ns)}
    assert declared == N.NODE_ATTRIBUTES
    nodes = real_network.nodes.set_index("id")
    found = graph.findall("g:nodes/g:node", ns)
    assert [n.get("id") for n in found] == list(nodes.index)
    for node in found:
        row = nodes.loc[node.get("id")]
        values = {v.get("for"): v.get("value") for v in node.findall("g:attvalues/g:attvalue", ns)}
        assert node.get("label") == row["label"] and int(values["cluster"]) == row["cluster"]
        # every number by the one rule (collabatlas.rounding), as in CSV and JSON
        assert float(values["cs_total"]) == rounding.number(row["cs_total"]) and int(values["count"]) == row["count"]
        position = node.find("viz:position", ns)
        assert float(position.get("x")) == pytest.approx(row["x"] * N.COORDINATE_SCALE)
        assert float(position.get("y")) == pytest.approx(row["y"] * N.COORDINATE_SCALE)
        assert node.find("viz:color", ns) is not None and node.find("viz:size", ns) is not None
    edges = graph.findall("g:edges/g:edge", ns)
    got = {(e.get("source"), e.get("target")): float(e.get("weight")) for e in edges}
    frame = real_network.edges
    assert got == dict(zip(zip(frame["source"], frame["target"], strict=False), rounding.numbers(frame["weight"]),
                           strict=False))
    assert len({e.get("id") for e in edges}) == len(edges)


def test_graphml_reads_back_with_igraph(real_network, tmp_path):
    path = N.write(real_network, tmp_path / "map.graphml")[0]
    g = igraph.Graph.Read_GraphML(str(path))
    assert not g.is_directed()
    assert (g.vcount(), g.ecount()) == (len(real_network.nodes), len(real_network.edges))
    assert g.vs["id"] == list(real_network.nodes["id"]) and g.vs["label"] == list(real_network.nodes["label"])
    assert g.vs["cs_total"] == pytest.approx(list(real_network.nodes["cs_total"]))
    assert [int(c) for c in g.vs["cluster"]] == list(real_network.nodes["cluster"])
    assert g.vs["x"] == pytest.approx(list(real_network.nodes["x"] * N.COORDINATE_SCALE))
    ids = g.vs["id"]
    got = {tuple(sorted((ids[e.source], ids[e.target]))): e["weight"] for e in g.es}
    want = {tuple(sorted(p)): w
            for p, w in zip(zip(real_network.edges["source"], real_network.edges["target"], strict=False),
                            real_network.edges["weight"], strict=False)}
    assert got == pytest.approx(want)
    assert "association strength" in g["description"]


def test_csv_reads_back(real_network, tmp_path):
    written = N.write(real_network, tmp_path / "map", "csv")
    assert [p.name for p in written] == ["nodes.csv", "edges.csv"]
    nodes = pd.read_csv(written[0], keep_default_na=False, na_values=[""])
    edges = pd.read_csv(written[1], keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(nodes, real_network.nodes, check_dtype=False)
    pd.testing.assert_frame_equal(edges, real_network.edges, check_dtype=False)


def test_vosviewer_limits_and_format_errors(tmp_path):
    pairs, totals = hand_frames()
    small = N.network_from_frames(pairs.head(1), totals).cluster()
    with pytest.raises(N.NetworkError, match="at least three items"):
        N.write(small, tmp_path / "x.json")
    with pytest.raises(N.NetworkError, match="run network.cluster"):
        N.write(N.network_from_frames(pairs, totals), tmp_path / "x.json")
    with pytest.raises(N.NetworkError, match="cannot tell the format"):
        N.format_of(tmp_path / "x.txt")
    (tmp_path / "file").write_text("")
    with pytest.raises(N.NetworkError, match="writes a directory"):
        N.write_csv(small, tmp_path / "file")


def test_cli_network(real_atlas, shared_data, tmp_path):
    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(shared_data / "openalex")
    runner = CliRunner()
    out = tmp_path / "countries.json"
    result = runner.invoke(app, ["network", "--store", str(store), "--normalize", "association", "--seed", "5",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    expected = N.build_network(real_atlas, "country", normalize_by="association", seed=5)
    assert [i["id"] for i in doc["network"]["items"]] == list(expected.nodes["id"])
    assert [i["cluster"] for i in doc["network"]["items"]] == list(expected.nodes["cluster"])
    shown = runner.invoke(app, ["network", "--store", str(store), "--level", "sector"])
    assert shown.exit_code == 0 and "clusters" in shown.output
    bad = runner.invoke(app, ["network", "--store", str(store), "--years", "1800", "--out", str(tmp_path / "x.gexf")])
    assert bad.exit_code == 2 and "nothing to draw" in bad.output
