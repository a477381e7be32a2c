"""Collaboration network maps for the views: :func:`build_network` on an Atlas (its pairs and totals, or
frames the caller already has), its choices (weight, normalisation, node measure, quality, layout,
export format) and the export (:func:`write`, :func:`describe`). The library: :mod:`collabatlas.analyses.network`."""

from __future__ import annotations

from collabatlas.analyses.network import (
    DEFAULT_SEED,
    ExportFormat,
    Layout,
    Network,
    NodeMeasure,
    Normalization,
    Quality,
    Weight,
    build_network,
    describe,
    format_of,
    write,
    writes_directory,
)

__all__ = ["DEFAULT_SEED", "ExportFormat", "Layout", "Network", "NodeMeasure", "Normalization", "Quality", "Weight",
           "build_network", "describe", "format_of", "write", "writes_directory"]
