"""Where each input format goes in an ingest: one table (:data:`ROUTES`) instead of a branch per format.

A file's format (:func:`collabatlas.sources.formats.detect_format`, or the one the user named) picks its
:class:`Route`: the stager that reads it (``openalex``: :mod:`collabatlas.sources.openalex_staging`;
``export``: :mod:`.export_staging`), whether a file of that format met inside a folder is read or skipped
(and counted), and — for a file that another command loads — that command: a file named on the command
line is then refused with it, one met inside a folder is noted and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    #: the stager that reads such a file: ``openalex`` or ``export``
    reader: str
    #: read when met inside a folder; False: skipped there and counted (a README, a stray file)
    in_folder: bool = True
    #: for a file another command loads: what it holds and that command
    holds: str | None = None
    command: str | None = None

    def advice(self, path: object) -> str | None:
        """What to do with a file of this format instead of ``ingest`` (None: ``ingest`` reads it)."""
        if self.command is None:
            return None
        return f"{path} holds {self.holds}: load it with `{self.command} {path}`"


ROUTES: dict[str, Route] = {
    "openalex": Route("openalex"),
    "wos": Route("export"),
    "scopus": Route("export"),
    "pubmed": Route("export"),
    # OpenAlex country-pair aggregates: `collabatlas ingest-pairs`, not `ingest`
    "pairs": Route("openalex", in_folder=False, holds="country-pair aggregates", command="collabatlas ingest-pairs"),
    # no format recognised: named, the OpenAlex reader reads it (and names every accepted format when it
    # cannot); inside a folder, skipped
    "unknown": Route("openalex", in_folder=False),
}


def route(fmt: str) -> Route:
    """The route of the format ``fmt`` (a format with no route of its own goes as ``unknown``)."""
    return ROUTES.get(fmt, ROUTES["unknown"])
