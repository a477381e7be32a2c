"""The rule every machine-readable output follows, as the views apply it: numbers rounded once, by
:mod:`collabatlas.rounding` (``DECIMALS`` places; ``frame`` for a table, ``tree`` for JSON). The
network files of the library use the same rule, so a CSV, the API and a GEXF agree to the digit."""

from __future__ import annotations

from collabatlas.rounding import DECIMALS, frame, tree

__all__ = ["DECIMALS", "frame", "tree"]
