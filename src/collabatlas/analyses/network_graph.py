"""A collaboration network as an object: its options (weights, normalisations, qualities, layouts,
formats), :class:`Network` (nodes, edges and the igraph graph) with Leiden clustering and the layouts,
and the edge normalisations. Built from the Atlas by :mod:`.network`, written by :mod:`.network_export`
and :mod:`.network_text`; :mod:`.network` re-exports every name here.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from collabatlas import rounding
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
                "nodes": rounding.tree(self.nodes.to_dict(orient="records")),
                "edges": rounding.tree(self.edges.to_dict(orient="records"))}


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
