"""The engines' error: an engine that failed (Spark missing or failing, a Parquet export without the
interchange layout, a statement it cannot render). Not the request's fault: a :class:`DataError`
(CLI exit 1, HTTP 503). A request an engine declares it cannot answer is a
:class:`~collabatlas.engines.protocol.CapabilityError` (a user error) instead."""

from __future__ import annotations

from collabatlas.errors import DataError


class EngineError(DataError):
    """An engine that cannot run a request it should run (see the module docstring)."""
