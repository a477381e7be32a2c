"""Writing a :class:`~collabatlas.analyses.network.Network` as the plain-text files of the desktop
tools: Pajek ``.net`` and the VOSviewer map and network files (``map.txt``, ``network.txt``).

Pajek (``*Vertices`` / ``*Edges``, https://mrvar.fdv.uni-lj.si/pajek/): vertices numbered 1..n in
the order of ``net.nodes``, each with its label in double quotes and its layout position scaled to
[0, 1]; one undirected edge per line with its weight. A double quote in a label becomes ``'``;
control characters are dropped.

VOSviewer (https://app.vosviewer.com/docs/file-types/map-and-network-file-type): the map file is
tab-delimited with a header: ``id`` (1..n), ``label``, ``description`` (the unit id, HTML-escaped),
``x``, ``y``, ``cluster`` (when clustered), ``weight<Links>``, ``weight<Total link strength>``,
``weight<Count>``, ``weight<Total CS>``, ``score<Share>``; the network file has one link per line:
the two item ids and the link strength, tab-delimited, no header. Labels holding a comma or a
semicolon are enclosed in double quotes, as the format asks.

Both are text files a spreadsheet opens (VOSviewer's map is tab-separated): a label starting with
``=``, ``+``, ``-`` or ``@`` gets the leading ``'`` of every CSV collabatlas writes
(:func:`collabatlas.escaping.csv_cell`), unless ``raw`` (the CLI's ``--raw-csv``).
"""

from __future__ import annotations

import html
from pathlib import Path

from collabatlas import rounding
from collabatlas.analyses.network_graph import VOS_MAX_CLUSTERS, Network, NetworkError
from collabatlas.escaping import csv_cell, xml_text

MAP_FILE, NETWORK_FILE = "map.txt", "network.txt"


def _plain(text, raw: bool = True) -> str:
    """One line of text: control characters (tabs and line breaks included) become spaces; unless
    ``raw``, a formula start neutralised as in every CSV (:func:`collabatlas.escaping.csv_cell`)."""
    return csv_cell(" ".join(xml_text(str(text)).replace("\t", " ").split()), raw=raw)


DECIMALS = rounding.DECIMALS
"""Numbers are rounded by the rule of every output (:mod:`collabatlas.rounding`); a whole number is
written without its ``.0``, as Pajek and VOSviewer files do."""


def _number(value) -> str:
    number = rounding.number(value)
    return repr(number) if number % 1 else str(int(number))


def _unit_positions(net: Network) -> list[tuple[float, float]]:
    """Layout positions scaled into [0, 1] (Pajek's drawing square), aspect ratio kept."""
    x, y = net.nodes["x"].astype(float), net.nodes["y"].astype(float)
    span = max(float(x.max() - x.min()), float(y.max() - y.min())) or 1.0
    return [((a - x.min()) / span, (b - y.min()) / span) for a, b in zip(x, y, strict=True)]


def pajek(net: Network, raw: bool = False) -> str:
    """The network as a Pajek ``.net`` text (``raw``: labels as they are, no formula guard)."""
    number = {unit: i for i, unit in enumerate(net.nodes["id"], start=1)}
    lines = [f"*Vertices {len(net.nodes)}"]
    for (i, label), (x, y) in zip(enumerate(net.nodes["label"], start=1), _unit_positions(net), strict=True):
        lines.append(f'{i} "{_plain(label, raw).replace(chr(34), chr(39))}" {_number(x)} {_number(y)}')
    lines.append("*Edges")
    for row in net.edges.itertuples(index=False):
        lines.append(f"{number[row.source]} {number[row.target]} {_number(row.weight)}")
    return "\n".join(lines) + "\n"


def write_pajek(net: Network, path: str | Path, raw: bool = False) -> Path:
    path = Path(path)
    path.write_text(pajek(net, raw), encoding="utf-8")
    return path


def _quoted(text: str) -> str:
    return f'"{text.replace(chr(34), chr(39))}"' if ("," in text or ";" in text or '"' in text) else text


def vosviewer_map(net: Network, raw: bool = False) -> str:
    """The VOSviewer map file (tab-delimited, header first; ``raw``: labels as they are, no formula guard)."""
    clustered = bool((net.nodes["cluster"] >= 1).all())
    if clustered and net.nodes["cluster"].max() > VOS_MAX_CLUSTERS:
        raise NetworkError(f"VOSviewer shows at most {VOS_MAX_CLUSTERS} clusters; this network has "
                           f"{net.nodes['cluster'].max()} (use --top, --min-weight or a lower resolution)")
    header = ["id", "label", "description", "x", "y", *(["cluster"] if clustered else []), "weight<Links>",
              "weight<Total link strength>", "weight<Count>", "weight<Total CS>", "score<Share>"]
    lines = ["\t".join(header)]
    for i, row in enumerate(net.nodes.itertuples(index=False), start=1):
        cells = [str(i), _quoted(_plain(row.label, raw)), _quoted(html.escape(_plain(row.id, raw))), _number(row.x),
                 _number(row.y), *([str(int(row.cluster))] if clustered else []), str(int(row.links)),
                 _number(row.link_strength), str(int(row.count)), _number(row.cs_total), _number(row.share)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def vosviewer_network(net: Network) -> str:
    """The VOSviewer network file: item id, item id, link strength (tab-delimited, no header)."""
    number = {unit: i for i, unit in enumerate(net.nodes["id"], start=1)}
    return "".join(f"{number[r.source]}\t{number[r.target]}\t{_number(r.weight)}\n"
                   for r in net.edges.itertuples(index=False))


def write_vosviewer_text(net: Network, directory: str | Path, raw: bool = False) -> list[Path]:
    """``DIRECTORY/map.txt`` and ``DIRECTORY/network.txt`` (the directory is created)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NetworkError(f"--out {directory}: the VOSviewer text files go into a directory (map.txt, network.txt); "
                           "give a directory, or FILE.json for VOSviewer Online")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MAP_FILE).write_text(vosviewer_map(net, raw), encoding="utf-8")
    (directory / NETWORK_FILE).write_text(vosviewer_network(net), encoding="utf-8")
    return [directory / MAP_FILE, directory / NETWORK_FILE]
