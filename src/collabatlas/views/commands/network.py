"""``collabatlas network``: collaboration network maps for VOSviewer Online, Gephi or a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from collabatlas.atlas import networks as net_lib
from collabatlas.atlas.inputs import check_range
from collabatlas.atlas.networks import ExportFormat, Layout, NodeMeasure, Normalization, Quality, Weight
from collabatlas.counting.options import MetricOptions
from collabatlas.escaping import markup
from collabatlas.views.cli_common import (
    Level,
    LevelOpt,
    Output,
    Source,
    SourceOpt,
    StoreOpt,
    _fail,
    _guard,
    _open,
    console,
    err_console,
    metric_options,
    prepare_out,
    print_table,
    write_failed,
)


def register(app: typer.Typer) -> None:
    app.command("network")(_guard(metric_options()(network)))


NORMALIZE_HELP = "Edge normalisation (docs/network.md): association strength (VOSviewer), cosine (Salton), Jaccard."


def network(
    level: LevelOpt = Level.country, options: MetricOptions = None,
    weight: Annotated[Weight | None, typer.Option(
        "--weight", help="Edge weight: bilateral CS or number of joint works (default: cs; joint_count with "
                         "--source pairs, whose counts are full counts).", show_default=False)] = None,
    normalize: Annotated[Normalization, typer.Option("--normalize", help=NORMALIZE_HELP)] = Normalization.none,
    min_weight: Annotated[float, typer.Option("--min-weight", help="Drop pairs whose raw weight (CS or joint works) "
                                                                   "is below X.")] = 0.0,
    top: Annotated[int | None, typer.Option("--top", help="Keep the N largest units (by --top-by).")] = None,
    top_by: Annotated[NodeMeasure | None, typer.Option(
        "--top-by", help="Node measure for --top and for node size (default: cs_total; count with --source "
                         "pairs).", show_default=False)] = None,
    max_edges: Annotated[int | None, typer.Option("--max-edges",
                                                  help="Keep each unit's K strongest edges (an edge stays if it is "
                                                       "among either end's K).")] = None,
    keep_isolated: Annotated[bool, typer.Option("--keep-isolated",
                                                help="Keep units left without an edge by the thresholds.")] = False,
    quality: Annotated[Quality, typer.Option("--quality", help="Leiden quality function.")] = Quality.modularity,
    resolution: Annotated[float, typer.Option("--resolution",
                                              help="Leiden resolution (higher: more, smaller clusters).")] = 1.0,
    layout: Annotated[Layout, typer.Option("--layout",
                                           help="fr: Fruchterman-Reingold; drl: DrL; "
                                                "vos: VOS mapping (at most 3000 nodes).")] = Layout.fr,
    seed: Annotated[int, typer.Option("--seed", help="Seed of clustering and layout "
                                                     "(same seed, same map).")] = net_lib.DEFAULT_SEED,
    source: SourceOpt = Source.works,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="Write the map: FILE.json (VOSviewer Online), FILE.gexf, "
                                                  "FILE.graphml, FILE.net (Pajek), or a DIRECTORY (csv: nodes.csv, "
                                                  "edges.csv; --format vosviewer: map.txt, network.txt).")] = None,
    fmt: Annotated[ExportFormat | None, typer.Option("--format", "-f",
                                                     help="Export format (default: from the --out suffix).")] = None,
    store: StoreOpt = None,
) -> None:
    """Collaboration network map: units linked by CS or joint works, Leiden clusters, a layout.

    Without --out, prints the nodes with their cluster. Formulas and how to open the files in
    VOSviewer Online and Gephi: docs/network.md.

    Examples:

      collabatlas network --level country --years 2015-2021 --normalize association --out countries.json

      collabatlas network --level institution --top 200 --min-weight 2 --weight joint_count --out inst.gexf

      collabatlas network --level country --format csv --out country_map/   # nodes.csv and edges.csv

      collabatlas network --level country --format pajek --out countries.net

      collabatlas network --level country --format vosviewer --out vos_map/   # map.txt and network.txt

      collabatlas network --level country --journals nature-index --out ni_countries.gexf

      collabatlas network --source pairs --years 2020 --out world.json   # joint works, full counts
    """
    if out is None and fmt is not None:
        _fail("--format needs --out FILE (or DIRECTORY for csv)")
    check_range("--top", top, 1)
    check_range("--max-edges", max_edges, 1)
    check_range("--min-weight", min_weight, 0)
    target_format = net_lib.format_of(out, fmt.value if fmt else None) if out is not None else None
    if out is not None:
        prepare_out(out, directory=net_lib.writes_directory(out, target_format))
    with _open(store) as atlas, err_console.status(f"building the {level.value} network"):
        net = net_lib.build_network(
            atlas, level.value, options=options, weight=weight.value if weight else None,
            normalize_by=normalize.value, min_weight=min_weight, top=top, top_by=top_by.value if top_by else None,
            max_edges=max_edges,
            keep_isolated=keep_isolated, resolution=resolution, quality=quality.value, layout=layout.value, seed=seed,
            source=source.value)
    meta = net.meta
    summary = (f"{meta['n_nodes']:,} nodes, {meta['n_edges']:,} edges, {meta['n_clusters']} clusters, "
               f"modularity {meta['modularity']:.3f}")
    if meta["isolated_dropped"]:
        summary += f"; {meta['isolated_dropped']} units without an edge left out (--keep-isolated keeps them)"
    if out is None:
        columns = ["id", "label", "cluster", "count", "share", "cs_total", "links", "link_strength", "x", "y"]
        print_table(net.nodes[columns].head(25), title=net_lib.describe(net), total=len(net.nodes))
        console.print(summary)
        return
    try:
        written = net_lib.write(net, out, target_format, raw_csv=Output.raw_csv)
    except OSError as exc:
        write_failed(out, exc)
    err_console.print(summary)
    for path in written:
        err_console.print(f"wrote {markup(path)} ({target_format})")
