"""Writing a :class:`~collabatlas.analyses.network.Network`: VOSviewer JSON, GEXF 1.3, GraphML,
CSV (nodes.csv, edges.csv), and Pajek and the VOSviewer map and network files
(:mod:`.network_text`), each carrying what the map shows and how it was made
(:func:`describe`); names are escaped for XML and CSV. Re-exported by :mod:`.network`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from collabatlas import rounding
from collabatlas.analyses.network_graph import FORMATS, VOS_MAX_CLUSTERS, Network, NetworkError, _choice
from collabatlas.analyses.network_text import write_pajek, write_vosviewer_text
from collabatlas.escaping import csv_frame, xml_text

WEIGHT_LABEL = {"cs": "CS", "joint_count": "joint works"}
NORMALIZATION_LABEL = {"none": "", "association": "association strength of ", "cosine": "cosine of ",
                       "jaccard": "Jaccard index of "}
PLURAL = {"country": "countries", "institution": "institutions", "sector": "sectors"}


def describe(net: Network) -> str:
    """One line: what the map shows and how it was made."""
    m = net.meta
    strength = NORMALIZATION_LABEL[m.get("normalize", "none")] + WEIGHT_LABEL[m.get("weight", "cs")]
    bits = [f"{PLURAL.get(m.get('level'), 'units')} linked by {strength}", m.get("filters", "")]
    if m.get("n_clusters") is not None:
        bits.append(f"Leiden {m.get('quality')} clusters "
                    f"(resolution {m.get('resolution')}, seed {m.get('cluster_seed')})")
    if m.get("layout"):
        bits.append(f"{m['layout']} layout (seed {m.get('layout_seed')})")
    if m.get("data_version") is not None:
        bits.append(f"data version {m['data_version']}")
    return "; ".join(b for b in bits if b)


def _number(value) -> float | int:
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def vosviewer_json(net: Network) -> dict:
    """The network as a VOSviewer JSON document (``network``: items, links, clusters; ``config``;
    ``info``), following the VOSviewer Online JSON file type: ids are unit ids, clusters 1..1000,
    weights non-negative, at least three items."""
    if len(net.nodes) < 3:
        raise NetworkError(f"VOSviewer needs at least three items; this network has {len(net.nodes)}")
    if (net.nodes["cluster"] < 1).any():
        raise NetworkError("VOSviewer needs clusters: run network.cluster() first")
    if net.nodes["cluster"].max() > VOS_MAX_CLUSTERS:
        raise NetworkError(f"VOSviewer shows at most {VOS_MAX_CLUSTERS} clusters; this network has "
                           f"{net.nodes['cluster'].max()} (use --top, --min-weight or a lower resolution)")
    level = net.meta.get("level", "unit")
    strength = (NORMALIZATION_LABEL[net.meta.get("normalize", "none")] + WEIGHT_LABEL[net.meta.get("weight", "cs")])
    items = []
    for row in net.nodes.itertuples(index=False):
        items.append({
            "id": row.id, "label": row.label, "x": float(row.x), "y": float(row.y), "cluster": int(row.cluster),
            "weights": {"Links": int(row.links), "Total link strength": float(row.link_strength),
                        "Count": int(row.count), "Share": float(row.share), "Total CS": float(row.cs_total)},
            "scores": {"Count": int(row.count), "Share": float(row.share), "Total CS": float(row.cs_total)},
        })
    links = [{"source_id": r.source, "target_id": r.target, "strength": float(r.weight)}
             for r in net.edges.itertuples(index=False)]
    clusters = [{"cluster": int(c), "label": f"Cluster {int(c)}"} for c in sorted(net.nodes["cluster"].unique())]
    size_key = {"cs_total": 5, "count": 3, "share": 4}[net.meta.get("top_by", "cs_total")]
    return {
        "network": {"items": items, "links": links, "clusters": clusters},
        "config": {
            "terminology": {"item": level, "items": PLURAL.get(level, "units"), "link": "collaboration",
                            "links": "collaborations", "link_strength": strength,
                            "total_link_strength": f"total {strength}"},
            "parameters": {"item_size": size_key},
        },
        "info": {"title": f"Collaboration network of {PLURAL.get(level, 'units')}", "description": describe(net)},
    }


def write_vosviewer(net: Network, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(rounding.tree(vosviewer_json(net)), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


#: node and edge attributes written to GEXF and GraphML, with their XML types
NODE_ATTRIBUTES = {"count": "long", "share": "double", "cs_total": "double", "links": "long",
                   "link_strength": "double", "cluster": "long"}
EDGE_ATTRIBUTES = {"joint_count": "long", "cs": "double", "raw": "double", "weight": "double"}
GEXF_NS, VIZ_NS = "http://gexf.net/1.3", "http://gexf.net/1.3/viz"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: cluster colours (cluster 1 first), the same palette as VOSviewer's
PALETTE = ["#d62728", "#2ca02c", "#1f77b4", "#bcbd22", "#9467bd", "#17becf", "#ff7f0e", "#8c564b", "#e377c2",
           "#ff9896", "#98df8a", "#aec7e8", "#dbdb8d", "#c5b0d5", "#9edae5", "#ffbb78", "#c49c94", "#f7b6d2"]
COORDINATE_SCALE = 100.0  # Gephi draws in screen units: spread the unit-radius layout


def _rgb(cluster: int) -> tuple[int, int, int]:
    code = PALETTE[(cluster - 1) % len(PALETTE)] if cluster >= 1 else "#bfbfbf"
    return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)


def _text(value) -> str:
    """An attribute's text: a number by the one rule of every output (:func:`collabatlas.rounding.text`:
    a float rounded to 10 decimals, written as the shortest text that reads back as it), other values as
    they are."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer, float, np.floating)):
        return rounding.text(value if isinstance(value, (float, np.floating)) else int(value))
    return str(value)


def _absent(value) -> bool:
    """Whether ``value`` is no number (NaN: a CS of the pair table's full counts): its attribute is left
    out of the XML, as CSV leaves the cell empty and JSON writes null."""
    return isinstance(value, (float, np.floating)) and not np.isfinite(value)


def _node_size(net: Network) -> pd.Series:
    measure = net.nodes[net.meta.get("top_by", "cs_total")].astype(float)
    top = measure.max()
    return 5 + 25 * np.sqrt(measure / top) if top > 0 else measure * 0 + 10


def gexf_tree(net: Network) -> ET.ElementTree:
    """GEXF 1.3: node and edge attributes, viz:position (x, y), viz:size and viz:color by cluster."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", VIZ_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.3", f"{{{XSI_NS}}}schemaLocation":
                                             f"{GEXF_NS} http://gexf.net/1.3/gexf.xsd"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta", {"lastmodifieddate": date.today().isoformat()})
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "collabatlas"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = describe(net)
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", {"mode": "static", "defaultedgetype": "undirected"})
    for cls, spec in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        attrs = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
        for name, kind in spec.items():
            ET.SubElement(attrs, f"{{{GEXF_NS}}}attribute", {"id": name, "title": name, "type": kind})
    nodes = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for (_, row), size in zip(net.nodes.iterrows(), _node_size(net), strict=True):
        node = ET.SubElement(nodes, f"{{{GEXF_NS}}}node", {"id": str(row["id"]), "label": str(row["label"])})
        values = ET.SubElement(node, f"{{{GEXF_NS}}}attvalues")
        for name in NODE_ATTRIBUTES:
            if not _absent(row[name]):
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": _text(row[name])})
        r, g, b = _rgb(int(row["cluster"]))
        ET.SubElement(node, f"{{{VIZ_NS}}}color", {"r": str(r), "g": str(g), "b": str(b)})
        ET.SubElement(node, f"{{{VIZ_NS}}}position", {"x": _text(row["x"] * COORDINATE_SCALE),
                                                      "y": _text(row["y"] * COORDINATE_SCALE), "z": "0.0"})
        ET.SubElement(node, f"{{{VIZ_NS}}}size", {"value": _text(size)})
    edges = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for i, row in net.edges.iterrows():
        edge = ET.SubElement(edges, f"{{{GEXF_NS}}}edge", {"id": str(i), "source": str(row["source"]),
                                                           "target": str(row["target"]),
                                                           "weight": _text(row["weight"])})
        values = ET.SubElement(edge, f"{{{GEXF_NS}}}attvalues")
        for name in EDGE_ATTRIBUTES:
            if not _absent(row[name]):
                ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": _text(row[name])})
    return _xml_safe(ET.ElementTree(root))


def graphml_tree(net: Network) -> ET.ElementTree:
    """GraphML: keys for every attribute; Gephi reads ``label``, ``x``, ``y``, ``size``, ``r``/``g``/``b``
    and the edge ``weight``; igraph and networkx read every key."""
    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml", {f"{{{XSI_NS}}}schemaLocation":
                                                   f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"})
    node_keys = {"label": "string", **NODE_ATTRIBUTES, "x": "double", "y": "double", "size": "double",
                 "r": "int", "g": "int", "b": "int"}
    for name, kind in (("description", "string"),):
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"g_{name}", "for": "graph", "attr.name": name,
                                                     "attr.type": kind})
    for cls, spec in (("node", node_keys), ("edge", EDGE_ATTRIBUTES)):
        for name, kind in spec.items():
            ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"{cls[0]}_{name}", "for": cls, "attr.name": name,
                                                         "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "G", "edgedefault": "undirected"})
    ET.SubElement(graph, f"{{{GRAPHML_NS}}}data", {"key": "g_description"}).text = describe(net)
    for (_, row), size in zip(net.nodes.iterrows(), _node_size(net), strict=True):
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": str(row["id"])})
        r, g, b = _rgb(int(row["cluster"]))
        values = {"label": row["label"], **{k: row[k] for k in NODE_ATTRIBUTES},
                  "x": row["x"] * COORDINATE_SCALE, "y": row["y"] * COORDINATE_SCALE, "size": size,
                  "r": r, "g": g, "b": b}
        for name, value in values.items():
            if not _absent(value):
                ET.SubElement(node, f"{{{GRAPHML_NS}}}data", {"key": f"n_{name}"}).text = _text(value)
    for i, row in net.edges.iterrows():
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": f"e{i}", "source": str(row["source"]),
                                                              "target": str(row["target"])})
        for name in EDGE_ATTRIBUTES:
            if not _absent(row[name]):
                ET.SubElement(edge, f"{{{GRAPHML_NS}}}data", {"key": f"e_{name}"}).text = _text(row[name])
    return _xml_safe(ET.ElementTree(root))


def _xml_safe(tree: ET.ElementTree) -> ET.ElementTree:
    """``tree`` with the characters XML 1.0 does not allow (control characters in a name, ...)
    dropped from every text and attribute, so that the file is well-formed."""
    for element in tree.iter():
        if element.text:
            element.text = xml_text(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_text(value))
    return tree


def _write_xml(tree: ET.ElementTree, path: str | Path) -> Path:
    path = Path(path)
    ET.indent(tree, space=" ")
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def write_gexf(net: Network, path: str | Path) -> Path:
    return _write_xml(gexf_tree(net), path)


def write_graphml(net: Network, path: str | Path) -> Path:
    return _write_xml(graphml_tree(net), path)


def write_csv(net: Network, directory: str | Path, raw: bool = False) -> list[Path]:
    """``DIRECTORY/nodes.csv`` and ``DIRECTORY/edges.csv`` (the directory is created). Text cells are
    neutralised for spreadsheets (:func:`collabatlas.escaping.csv_frame`) unless ``raw``."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NetworkError(f"--out {directory}: the csv format writes a directory (nodes.csv, edges.csv)")
    directory.mkdir(parents=True, exist_ok=True)
    csv_frame(rounding.frame(net.nodes), raw).to_csv(directory / "nodes.csv", index=False)
    csv_frame(rounding.frame(net.edges), raw).to_csv(directory / "edges.csv", index=False)
    return [directory / "nodes.csv", directory / "edges.csv"]


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else from the suffix (.json, .gexf, .graphml, .net; none = csv)."""
    if fmt:
        return _choice("format", fmt, FORMATS)
    suffix = Path(path).suffix.lower()
    found = {".json": "vosviewer", ".gexf": "gexf", ".graphml": "graphml", ".net": "pajek", "": "csv"}.get(suffix)
    if found is None:
        raise NetworkError(f"--out {path}: cannot tell the format from {suffix!r}; give --format "
                           f"({', '.join(FORMATS)})")
    return found


def write(net: Network, path: str | Path, fmt: str | None = None, raw_csv: bool = False) -> list[Path]:
    """Write ``net`` to ``path`` in ``fmt`` (see :func:`format_of`); returns the files written.
    ``raw_csv``: CSV cells (and the labels of the Pajek and VOSviewer text files) as they are, without
    the spreadsheet-formula neutralisation."""
    fmt = format_of(path, fmt)
    if fmt == "csv":
        return write_csv(net, path, raw=raw_csv)
    if writes_directory(path, fmt):  # VOSviewer desktop: map.txt and network.txt
        return write_vosviewer_text(net, path, raw=raw_csv)
    if fmt == "pajek":
        return [write_pajek(net, path, raw=raw_csv)]
    writer = {"vosviewer": write_vosviewer, "gexf": write_gexf, "graphml": write_graphml}[fmt]
    return [writer(net, path)]


def writes_directory(path: str | Path, fmt: str) -> bool:
    """Whether ``fmt`` writes ``path`` as a directory: csv (nodes.csv, edges.csv), and vosviewer unless
    ``path`` ends in .json (then VOSviewer Online JSON; else the desktop map.txt and network.txt)."""
    return fmt == "csv" or (fmt == "vosviewer" and Path(path).suffix.lower() != ".json")
