"""Collaboration network maps: a graph of countries, institutions or sectors, clustered and laid out.

Every number comes from the Atlas: edges are ``Atlas.pairs`` (joint_count, cs) and node weights are
``Atlas.totals`` (count, share, cs_total; the same Count and Share as ``Atlas.scores``). Nothing is
recounted here. The steps, in this order (docs/network.md gives the formulas with a worked example):

1. **nodes**: the units that collaborate (appear in a pair); with ``top`` the N largest by ``top_by``
   (``cs_total``, ``count`` or ``share``; ties by id);
2. **edges**: the pairs between selected nodes; ``raw`` is the chosen ``weight`` (``cs`` or
   ``joint_count``) and pairs with ``raw < min_weight`` are dropped;
3. **normalisation** of ``raw`` into ``weight``: ``none``, ``association`` (VOSviewer's association
   strength, from the total link strength in this graph), ``cosine`` (Salton) or ``jaccard`` (from
   the units' totals: Count for joint_count, total CS for cs);
4. ``max_edges``: each node keeps its ``max_edges`` strongest edges (an edge stays if it is among
   the strongest of either end); then nodes left without an edge are dropped (``keep_isolated``
   keeps them);
5. **clusters**: Leiden (leidenalg) on ``weight``, modularity with a resolution (RB configuration
   model; resolution 1 is Newman's modularity) or CPM, seeded; ids 1..k by cluster size;
6. **layout**: Fruchterman-Reingold (``fr``) or DrL (``drl``) from igraph, or the VOS mapping
   (``vos``), seeded; coordinates centred with unit root-mean-square radius.

``build_network(atlas, ...)`` runs it all; :func:`network_from_frames` does the same on frames the
caller already has (the dashboard's cache). ``write(network, path, fmt)`` exports VOSviewer JSON,
GEXF 1.3, GraphML or CSV.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from collabatlas.counting.options import MetricOptions, accepts_options
from collabatlas.counting.rules import CountingError

if TYPE_CHECKING:
    import igraph

EXTRA_MESSAGE = ("network clustering and layout need igraph and leidenalg, the optional `network` extra: "
                 "pip install 'collabatlas[network]'")


def _igraph():
    """igraph (the ``network`` extra), imported on first use; a plain error when it is not installed."""
    try:
        import igraph
    except ImportError as exc:
        raise CountingError(EXTRA_MESSAGE) from exc
    return igraph


def _leidenalg():
    try:
        import leidenalg
    except ImportError as exc:
        raise CountingError(EXTRA_MESSAGE) from exc
    return leidenalg


class Weight(str, Enum):
    """Edge weight: bilateral CS or number of joint works."""
    cs = "cs"
    joint_count = "joint_count"


class Normalization(str, Enum):
    """Edge normalisation (formulas in :func:`normalize`)."""
    none = "none"
    association = "association"
    cosine = "cosine"
    jaccard = "jaccard"


class NodeMeasure(str, Enum):
    """Node measure for ``top`` and node size."""
    cs_total = "cs_total"
    count = "count"
    share = "share"


class Quality(str, Enum):
    """Leiden quality function."""
    modularity = "modularity"
    cpm = "cpm"


class Layout(str, Enum):
    """Layout algorithm."""
    fr = "fr"
    drl = "drl"
    vos = "vos"


class ExportFormat(str, Enum):
    """File format of :func:`write`."""
    vosviewer = "vosviewer"
    gexf = "gexf"
    graphml = "graphml"
    csv = "csv"
    pajek = "pajek"


WEIGHTS = tuple(m.value for m in Weight)
NORMALIZATIONS = tuple(m.value for m in Normalization)
NODE_MEASURES = tuple(m.value for m in NodeMeasure)
QUALITIES = tuple(m.value for m in Quality)
LAYOUTS = tuple(m.value for m in Layout)
FORMATS = tuple(m.value for m in ExportFormat)
#: the unit total each edge weight is set against by cosine and Jaccard
SIZE_OF_WEIGHT = {"joint_count": "count", "cs": "cs_total"}
NODE_COLUMNS = ["id", "label", "count", "share", "cs_total", "links", "link_strength", "cluster", "x", "y"]
EDGE_COLUMNS = ["source", "target", "joint_count", "cs", "raw", "weight"]
VOS_MAX_NODES = 3000
VOS_MAX_CLUSTERS = 1000


class NetworkError(CountingError):
    """A network that cannot be built or written (bad option, nothing to draw, format limit)."""


def _choice(name: str, value: str | Enum, allowed: tuple[str, ...]) -> str:
    """``value`` as a plain string (an Enum member gives its value), checked against ``allowed``."""
    value = value.value if isinstance(value, Enum) else value
    if value not in allowed:
        raise NetworkError(f"{name} {value!r}: expected one of {', '.join(allowed)}")
    return value


# -- normalisation ------------------------------------------------------------------------------

def normalize(source, target, raw, method: str, size: dict | pd.Series | None = None) -> np.ndarray:
    """Normalised weights of the undirected edges ``source[k]``–``target[k]`` with raw weight ``raw[k]``.

    - ``none``: the raw weight;
    - ``association``: s_ij = c_ij · W / (w_i · w_j), w_i = Σ_j c_ij (total link strength over these
      edges), W = Σ_i w_i (twice the total edge weight) — VOSviewer's association strength, the
      ratio of c_ij to its expectation in the configuration model (1 = as expected);
    - ``cosine`` (Salton): c_ij / √(s_i · s_j), s = ``size`` (each unit's total);
    - ``jaccard``: c_ij / (s_i + s_j − c_ij).
    Both cosine and Jaccard are in [0, 1] when c_ij <= min(s_i, s_j). A zero denominator gives 0.
    """
    method = _choice("normalisation", method, NORMALIZATIONS)
    c = np.asarray(raw, dtype=float)
    src, dst = pd.Index(source), pd.Index(target)
    if method == "none":
        return c.copy()
    if method == "association":
        strength = pd.concat([pd.Series(c, index=src), pd.Series(c, index=dst)]).groupby(level=0).sum()
        wi, wj = strength.reindex(src).to_numpy(), strength.reindex(dst).to_numpy()
        denominator = wi * wj / strength.sum() if len(c) else wi
    else:
        if size is None:
            raise NetworkError(f"{method} normalisation needs each unit's total (size)")
        sizes = pd.Series(size, dtype=float)
        missing = sorted(set(src.append(dst)) - set(sizes.index))
        if missing:
            raise NetworkError(f"{method} normalisation: no total for units {missing[:5]}")
        si, sj = sizes.reindex(src).to_numpy(), sizes.reindex(dst).to_numpy()
        denominator = np.sqrt(si * sj) if method == "cosine" else si + sj - c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, c / np.where(denominator > 0, denominator, 1.0), 0.0)


# -- the network --------------------------------------------------------------------------------

@dataclass
class Network:
    """Nodes and edges as DataFrames (columns :data:`NODE_COLUMNS`, :data:`EDGE_COLUMNS`) and the
    igraph ``graph`` built from them (vertex ``name`` = node id, edge ``weight``); ``meta`` holds
    how it was made (level, weight, normalisation, filters, thresholds, clustering, layout)."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    meta: dict = field(default_factory=dict)
    graph: igraph.Graph = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index = {unit: i for i, unit in enumerate(self.nodes["id"])}
        pairs = list(zip(self.edges["source"].map(index), self.edges["target"].map(index), strict=True))
        self.graph = _igraph().Graph(n=len(self.nodes), edges=pairs, directed=False)
        self.graph.vs["name"] = list(self.nodes["id"])
        self.graph.es["weight"] = [float(w) for w in self.edges["weight"]]
        degree = pd.concat([self.edges["source"], self.edges["target"]]).value_counts()
        strength = pd.concat([self.edges.set_index("source")["weight"],
                              self.edges.set_index("target")["weight"]]).groupby(level=0).sum()
        self.nodes["links"] = self.nodes["id"].map(degree).fillna(0).astype("int64")
        self.nodes["link_strength"] = self.nodes["id"].map(strength).fillna(0.0).astype(float)

    def cluster(self, resolution: float = 1.0, quality: str = "modularity", seed: int = 0) -> Network:
        """Leiden clusters on the edge weights; sets ``nodes.cluster`` (1 = largest cluster)."""
        quality = _choice("quality", quality, QUALITIES)
        leidenalg = _leidenalg()
        kind = leidenalg.RBConfigurationVertexPartition if quality == "modularity" else leidenalg.CPMVertexPartition
        weights = "weight" if self.graph.ecount() else None
        partition = leidenalg.find_partition(self.graph, kind, weights=weights, resolution_parameter=resolution,
                                             seed=seed, n_iterations=-1)
        membership = np.asarray(partition.membership)
        sizes = pd.Series(membership).value_counts()
        first = pd.Series(np.arange(len(membership))).groupby(membership).min()
        order = sorted(sizes.index, key=lambda c: (-sizes[c], first[c]))
        renumber = {c: i + 1 for i, c in enumerate(order)}
        self.nodes["cluster"] = [renumber[c] for c in membership]
        modularity = self.graph.modularity(list(membership), weights=weights) if self.graph.ecount() else 0.0
        self.meta.update(quality=quality, resolution=resolution, cluster_seed=seed, n_clusters=len(order),
                         quality_value=float(partition.quality()), modularity=float(modularity))
        return self

    def layout(self, method: str = "fr", seed: int = 0) -> Network:
        """Node coordinates ``x``, ``y`` (centred, unit root-mean-square radius; ``y`` grows upwards)."""
        method = _choice("layout", method, LAYOUTS)
        n = len(self.nodes)
        start = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
        weights = np.asarray(self.graph.es["weight"], dtype=float) if self.graph.ecount() else np.zeros(0)
        if len(weights) and weights.mean() > 0:
            weights = weights / weights.mean()
        if n < 2:
            xy = np.zeros((n, 2))
        elif method == "vos":
            xy = vos_layout(n, self._index_pairs(), weights, start)
        else:
            with _igraph_seed(seed):
                w = list(weights) if len(weights) else None
                if method == "fr":
                    found = self.graph.layout_fruchterman_reingold(weights=w, seed=start.tolist(), niter=1000)
                else:
                    found = self.graph.layout_drl(weights=w, seed=start.tolist())
            xy = np.asarray(found.coords, dtype=float)
        xy = xy - xy.mean(axis=0) if n else xy
        radius = np.sqrt((xy ** 2).sum(axis=1).mean()) if n else 0.0
        if radius > 0:
            xy = xy / radius
        self.nodes["x"], self.nodes["y"] = xy[:, 0] if n else [], xy[:, 1] if n else []
        self.meta.update(layout=method, layout_seed=seed)
        return self

    def _index_pairs(self) -> np.ndarray:
        return np.asarray(self.graph.get_edgelist(), dtype=int).reshape(-1, 2)

    def to_dict(self) -> dict:
        """JSON-ready ``{"meta", "nodes": [...], "edges": [...]}`` (records of the two frames)."""
        return {"meta": self.meta,
                "nodes": json.loads(self.nodes.to_json(orient="records", double_precision=15)),
                "edges": json.loads(self.edges.to_json(orient="records", double_precision=15))}


@contextmanager
def _igraph_seed(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random`` module: give it a seeded generator for one call."""
    igraph = _igraph()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def vos_layout(n: int, pairs: np.ndarray, weights: np.ndarray, start: np.ndarray,
               attraction: int = 2, repulsion: int = 1) -> np.ndarray:
    """VOS mapping (van Eck, Waltman, Dekker & van den Berg 2010): minimise
    Σ_{i<j} s_ij d_ij^a / a − Σ_{i<j} d_ij^r / r with a = 2, r = 1, from ``start`` (L-BFGS).
    When the graph is not connected every pair gets 0.01 added to its weight (as VOSviewer does) so
    that components stay at a finite distance."""
    from scipy.optimize import minimize

    if n > VOS_MAX_NODES:
        raise NetworkError(f"vos layout: {n} nodes, at most {VOS_MAX_NODES} (use --layout fr or --top)")
    s = np.zeros((n, n))
    s[pairs[:, 0], pairs[:, 1]] = weights
    s = s + s.T
    graph = _igraph().Graph(n=n, edges=pairs.tolist())
    if len(graph.connected_components()) > 1:
        s = s + 0.01
    np.fill_diagonal(s, 0.0)
    upper = np.triu_indices(n, 1)

    def energy(flat: np.ndarray) -> tuple[float, np.ndarray]:
        xy = flat.reshape(n, 2)
        diff = xy[:, None, :] - xy[None, :, :]
        d = np.sqrt((diff ** 2).sum(axis=2)) + np.eye(n)
        value = (s[upper] * d[upper] ** attraction).sum() / attraction - (d[upper] ** repulsion).sum() / repulsion
        coef = s * d ** (attraction - 2) - d ** (repulsion - 2)
        np.fill_diagonal(coef, 0.0)
        grad = (coef[:, :, None] * diff).sum(axis=1)
        return float(value), grad.ravel()

    result = minimize(energy, start.ravel(), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return result.x.reshape(n, 2)


# -- building -----------------------------------------------------------------------------------

def unit_labels(level: str, nodes: pd.DataFrame) -> list[str]:
    """Display names: institution names, country short names (country_converter), sector names."""
    ids = [str(u) for u in nodes["id"]]
    if level == "institution" and "name" in nodes:
        return [str(name) if isinstance(name, str) and name else unit
                for unit, name in zip(ids, nodes["name"], strict=True)]
    if level == "country":
        from collabatlas.refdata.countries import short_names

        names = short_names()
        return [names.get(unit, unit) for unit in ids]
    return ids


def network_from_frames(pairs: pd.DataFrame, totals: pd.DataFrame, level: str = "country", *, weight: str = "cs",
                        normalize_by: str = "none", min_weight: float = 0.0, top: int | None = None,
                        top_by: str = "cs_total", max_edges: int | None = None, keep_isolated: bool = False,
                        meta: dict | None = None) -> Network:
    """The network from ``Atlas.pairs`` (``unit_a, unit_b, joint_count, cs``) and ``Atlas.totals``
    (``unit[, name], count, share, cs_total``) frames; no clusters or layout yet (all 0)."""
    weight = _choice("weight", weight, WEIGHTS)
    normalize_by = _choice("normalisation", normalize_by, NORMALIZATIONS)
    top_by = _choice("top_by", top_by, NODE_MEASURES)
    if top is not None and top < 1:
        raise NetworkError(f"top {top}: must be at least 1")
    if max_edges is not None and max_edges < 1:
        raise NetworkError(f"max_edges {max_edges}: must be at least 1")
    if pairs.empty:
        raise NetworkError("no collaboration pairs under these filters: nothing to draw")
    linked = pd.concat([pairs["unit_a"], pairs["unit_b"]], ignore_index=True).unique()
    nodes = totals[totals["unit"].isin(linked)].rename(columns={"unit": "id"})
    nodes = nodes.assign(_rank=nodes[top_by].round(9)).sort_values(["_rank", "id"], ascending=[False, True])
    nodes = nodes.drop(columns="_rank").head(top) if top else nodes.drop(columns="_rank")
    selected = set(nodes["id"])
    edges = pairs[pairs["unit_a"].isin(selected) & pairs["unit_b"].isin(selected)]
    edges = edges.rename(columns={"unit_a": "source", "unit_b": "target"})[["source", "target", "joint_count", "cs"]]
    edges = edges.assign(raw=edges[weight].astype(float))
    edges = edges[edges["raw"] >= min_weight].reset_index(drop=True)
    sizes = nodes.set_index("id")[SIZE_OF_WEIGHT[weight]]
    edges["weight"] = normalize(edges["source"], edges["target"], edges["raw"], normalize_by, sizes)
    if max_edges and len(edges):  # strongest_edges needs at least one edge
        edges = strongest_edges(edges, max_edges)
    dropped = 0
    if not keep_isolated:
        with_edge = set(edges["source"]) | set(edges["target"])
        dropped = int((~nodes["id"].isin(with_edge)).sum())
        nodes = nodes[nodes["id"].isin(with_edge)]
    nodes = nodes.reset_index(drop=True)
    nodes["label"] = unit_labels(level, nodes)
    nodes["cluster"], nodes["x"], nodes["y"], nodes["links"], nodes["link_strength"] = 0, 0.0, 0.0, 0, 0.0
    edges = edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], ignore_index=True)
    info = dict(meta or {})
    info.update(level=level, weight=weight, normalize=normalize_by, min_weight=min_weight, top=top, top_by=top_by,
                max_edges=max_edges, n_nodes=len(nodes), n_edges=len(edges), isolated_dropped=dropped)
    return Network(nodes=nodes[NODE_COLUMNS].copy(), edges=edges[EDGE_COLUMNS].copy(), meta=info)


def strongest_edges(edges: pd.DataFrame, k: int) -> pd.DataFrame:
    """Edges among the ``k`` strongest (by ``weight``; ties by the other end's id) of either end."""
    ends = pd.concat([edges.assign(_node=edges["source"], _other=edges["target"]),
                      edges.assign(_node=edges["target"], _other=edges["source"])])
    ends = ends.assign(_w=ends["weight"].round(12)).sort_values(["_node", "_w", "_other"],
                                                                ascending=[True, False, True])
    keep = ends.groupby("_node", sort=False).head(k)
    kept = set(zip(keep["source"], keep["target"], strict=True))
    mask = [pair in kept for pair in zip(edges["source"], edges["target"], strict=True)]
    return edges[mask].reset_index(drop=True)


#: how a network from the country-pair aggregates counts (edges and node sizes)
PAIR_COUNTING = ("full counts of joint works (country-pair aggregates); nodes sized by their internationally "
                 "co-authored works")


def _pair_frames(engine, level: str, options: MetricOptions, weight: str, top_by: str):
    """Edges (joint works per country pair) and nodes (each country's internationally co-authored
    works, the table's diagonal) from an engine with its own pair table: what it cannot apply is refused
    by its declaration; weight ``joint_count`` and node measure ``count`` only — CS and Share are not
    defined for full counts, so asking for them is refused."""
    try:
        engine.capabilities.require("network", level=level, **options.given())
    except CountingError as exc:
        raise NetworkError(f"source pairs: {exc}") from exc
    if weight != "joint_count":
        raise NetworkError("source pairs: edges are full counts of joint works; use --weight joint_count "
                           "(bilateral CS needs work-level data)")
    if top_by != "count":
        raise NetworkError("source pairs: nodes are sized by their internationally co-authored works; use --top-by "
                           "count (Share and total CS need work-level data)")
    edges = engine.links(options.years).assign(cs=float("nan"))
    nodes = (engine.totals(options.years).rename(columns={"intl_works": "count"})[["unit", "count"]]
             .assign(share=float("nan"), cs_total=float("nan")))
    return edges, nodes


#: the seed of clustering and layout when none is given (the same map from the CLI, the API and Python)
DEFAULT_SEED = 42


@accepts_options
def build_network(atlas, level: str = "country", *, years=None, window=None, subject=None,
                  type=None, renormalize: bool = False, rollup: bool = False,
                  exclude_dual_affiliations: bool = False, journals: str | None = None, weight: str = "cs",
                  normalize_by: str = "none",
                  min_weight: float = 0.0, top: int | None = None, top_by: str = "cs_total",
                  max_edges: int | None = None, keep_isolated: bool = False, resolution: float = 1.0,
                  quality: str = "modularity", layout: str = "fr", seed: int = DEFAULT_SEED,
                  source: str = "works", frames: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Network:
    """A clustered, laid-out collaboration network from an :class:`~collabatlas.Atlas`.

    Edges come from ``atlas.pairs`` and node weights from ``atlas.totals`` with the same metric options
    (:class:`~collabatlas.counting.options.MetricOptions`, as ``options=`` or keywords). See the module
    docstring for the steps and docs/network.md for the formulas. ``frames``: ``(pairs, totals)`` already
    computed with these options (the web app passes the ones it has cached for /api/pairs and /api/totals).

    Example::

        net = build_network(atlas, "country", years="2015-2021", normalize_by="association", top=50)
        net.nodes[["id", "label", "cluster", "x", "y"]]; net.edges; write(net, "map.json", "vosviewer")
    """
    options = MetricOptions(years=years, window=window, subject=subject, type=type, renormalize=renormalize,
                            rollup=rollup, exclude_dual_affiliations=exclude_dual_affiliations, journals=journals)
    options.filters()  # a bad filter is refused before any counting
    engine = atlas.engine_for(source)
    if frames is not None:
        pairs, totals = frames
    elif hasattr(engine, "links"):  # the engine answers from its own pair table
        pairs, totals = _pair_frames(engine, level, options, weight, top_by)
    else:
        pairs = atlas.pairs(level, options=options)
        totals = atlas.totals(level, options=options)
    # the journal list named as every caption names it
    named = {"journals": atlas.journals(journals).attrs["label"]} if journals else {}
    meta = {"filters": options.describe(**named), "journals": journals, "renormalize": renormalize, "rollup": rollup,
            "source": source, "source_label": engine.capabilities.source_label,
            "counting": PAIR_COUNTING if hasattr(engine, "links") else "fractional counting (Share, CS)",
            "exclude_dual_affiliations": exclude_dual_affiliations, "data_version": atlas.data_version}
    net = network_from_frames(pairs, totals, level, weight=weight, normalize_by=normalize_by, min_weight=min_weight,
                              top=top, top_by=top_by, max_edges=max_edges, keep_isolated=keep_isolated, meta=meta)
    return net.cluster(resolution=resolution, quality=quality, seed=seed).layout(layout, seed=seed)


from collabatlas.analyses.network_export import (  # noqa: E402,F401 - re-exported: one module to import
    COORDINATE_SCALE,
    EDGE_ATTRIBUTES,
    GEXF_NS,
    GRAPHML_NS,
    NODE_ATTRIBUTES,
    NORMALIZATION_LABEL,
    PALETTE,
    PLURAL,
    VIZ_NS,
    WEIGHT_LABEL,
    XSI_NS,
    describe,
    format_of,
    gexf_tree,
    graphml_tree,
    vosviewer_json,
    write,
    write_csv,
    write_gexf,
    write_graphml,
    write_pajek,
    write_vosviewer,
    write_vosviewer_text,
    writes_directory,
)
