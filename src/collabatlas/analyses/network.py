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

import pandas as pd

from collabatlas.analyses.network_graph import (  # noqa: F401 - re-exported: one module to import
    EDGE_COLUMNS,
    EXTRA_MESSAGE,
    FORMATS,
    LAYOUTS,
    NODE_COLUMNS,
    NODE_MEASURES,
    NORMALIZATIONS,
    QUALITIES,
    SIZE_OF_WEIGHT,
    VOS_MAX_CLUSTERS,
    VOS_MAX_NODES,
    WEIGHTS,
    ExportFormat,
    Layout,
    Network,
    NetworkError,
    NodeMeasure,
    Normalization,
    Quality,
    Weight,
    _choice,
    _igraph,
    _igraph_seed,
    _leidenalg,
    normalize,
    vos_layout,
)
from collabatlas.counting.options import MetricOptions, takes_options
from collabatlas.counting.rules import CountingError

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
    called = engine.capabilities.called  # how messages name the engine (its declaration)
    try:
        engine.capabilities.require("network", level=level, **options.given())
    except CountingError as exc:
        raise NetworkError(str(exc)) from exc  # the refusal names the engine already
    if weight != "joint_count":
        raise NetworkError(f"{called}: edges are full counts of joint works; use --weight joint_count "
                           "(bilateral CS needs work-level data)")
    if top_by != "count":
        raise NetworkError(f"{called}: nodes are sized by their internationally co-authored works; use --top-by "
                           "count (Share and total CS need work-level data)")
    edges = engine.links(options.years).assign(cs=float("nan"))
    nodes = (engine.totals(options.years).rename(columns={"intl_works": "count"})[["unit", "count"]]
             .assign(share=float("nan"), cs_total=float("nan")))
    return edges, nodes


#: the seed of clustering and layout when none is given (the same map from the CLI, the API and Python)
DEFAULT_SEED = 42


@takes_options()
def build_network(atlas, level: str = "country", *, weight: str | None = None, normalize_by: str = "none",
                  min_weight: float = 0.0, top: int | None = None, top_by: str | None = None,
                  max_edges: int | None = None, keep_isolated: bool = False, resolution: float = 1.0,
                  quality: str = "modularity", layout: str = "fr", seed: int = DEFAULT_SEED,
                  source: str = "works", frames: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                  options: MetricOptions) -> Network:
    """A clustered, laid-out collaboration network from an :class:`~collabatlas.Atlas`.

    Edges come from ``atlas.pairs`` and node weights from ``atlas.totals`` with the same metric options
    (:class:`~collabatlas.counting.options.MetricOptions`, as ``options=`` or keywords). See the module
    docstring for the steps and docs/network.md for the formulas. ``frames``: ``(pairs, totals)`` already
    computed with these options (the web app passes the ones it has cached for /api/pairs and /api/totals).
    ``weight`` and ``top_by`` not given: the engine's — bilateral CS and total CS from work-level data,
    joint works and internationally co-authored works from a pair table (full counts), for the CLI, the
    API and Python alike; a CS asked of full counts is refused.

    Example::

        net = build_network(atlas, "country", years="2015-2021", normalize_by="association", top=50)
        net.nodes[["id", "label", "cluster", "x", "y"]]; net.edges; write(net, "map.json", "vosviewer")
    """
    options.parsed()  # a bad option value is refused before any counting
    engine = atlas.engine_for(source)
    own_table = engine.capabilities.answers_itself("network")  # the engine answers from its own pair table
    full_counts = "fractional" not in engine.capabilities.counting_modes
    weight = weight or ("joint_count" if full_counts else "cs")
    top_by = top_by or ("count" if full_counts else "cs_total")
    if frames is not None:
        pairs, totals = frames
    elif own_table:
        pairs, totals = _pair_frames(engine, level, options, weight, top_by)
    else:
        pairs = atlas.pairs(level, options=options)
        totals = atlas.totals(level, options=options)
    # the journal list named as every caption names it
    named = {"journals": atlas.journals(options.journals).attrs["label"]} if options.journals else {}
    meta = {"filters": options.describe(**named), "journals": options.journals, "renormalize": options.renormalize,
            "rollup": options.rollup, "source": source, "source_label": engine.capabilities.source_label,
            "counting": PAIR_COUNTING if own_table else engine.capabilities.counting_label,  # every result's words
            "exclude_dual_affiliations": options.exclude_dual_affiliations, "data_version": atlas.data_version}
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
