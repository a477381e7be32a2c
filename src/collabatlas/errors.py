"""One root for every error collabatlas raises, and one table for how the CLI and the web answer them.

::

    CollabatlasError
    ├── UserError          a request or an input the user can fix     CLI exit 2, HTTP 422
    │   └── NotFoundError  a unit, group or file that is not there     CLI exit 2, HTTP 404
    └── DataError          the store, an engine or a download failed   CLI exit 1, HTTP 503

Every module's own error class derives from one of these (``FilterError``, ``CountingError``,
``InputError``, ``GroupError``, ``RefDataError`` … are ``UserError``s; ``StoreError``, ``EngineError``,
``FetchError`` are ``DataError``s), so callers catch ``collabatlas.CollabatlasError`` or a branch, and
:func:`answer` maps any of them for the CLI and the web alike.

The classes a view catches or raises are defined here, at the lowest layer, and re-exported by the
stage that raises them (``collabatlas.counting.rules.CountingError`` is :class:`CountingError`): a view
imports ``collabatlas.errors``, never the stage below the facade (tests/test_layers.py).
"""

from __future__ import annotations

from dataclasses import dataclass


class CollabatlasError(Exception):
    """The root of every error collabatlas raises on purpose."""


class UserError(CollabatlasError, ValueError):
    """A request or an input the user can fix: a bad option, an unknown name, a malformed file."""


class NotFoundError(UserError, LookupError):
    """A unit (country, institution, sector), group or file that the store or the data does not have."""


class DataError(CollabatlasError, RuntimeError):
    """The store, an engine or a download failed: not the request's fault."""


@dataclass(frozen=True)
class Answer:
    """How a view answers an error: the CLI's exit code and the web's HTTP status."""

    exit_code: int
    http_status: int
    label: str


ANSWERS: tuple[tuple[type[CollabatlasError], Answer], ...] = (
    (NotFoundError, Answer(2, 404, "not found")),
    (UserError, Answer(2, 422, "error")),
    (DataError, Answer(1, 503, "error")),
    (CollabatlasError, Answer(1, 500, "error")),
)
"""Most specific first: the first class an error is an instance of decides."""


def answer(exc: BaseException) -> Answer | None:
    """The :class:`Answer` for ``exc``, or None when it is not a collabatlas error (a bug: let it raise)."""
    for cls, result in ANSWERS:
        if isinstance(exc, cls):
            return result
    return None


# -- the errors views catch or raise, defined here (the lowest layer) so that views reach them without
# importing the stage that raises them; each stage's module re-exports its own (``from
# collabatlas.counting.rules import CountingError`` is the same class)


class FilterError(UserError):
    """A filter value that cannot be understood (bad year range, bad window, ...), or an option
    outside its range (``collabatlas.counting.filters.check_range``)."""


class CountingError(UserError):
    """An impossible metric request (unknown level, roll-up at country level, ...)."""


class GroupError(UserError):
    """An unknown group, a missing data file, or a user CSV value that is not a country."""


class RefDataError(UserError):
    """An unknown dataset, or a reference data file that is missing or damaged."""


class DownloadError(RefDataError):
    """A download that failed (no network, the server down): ``data update`` exits 1, nothing written."""


class RorError(UserError):
    """A ROR dump that cannot be read at all (the message names the file)."""


class StoreError(DataError):
    """A store that cannot be opened (locked, damaged) or has an incompatible schema: not the request's
    fault (CLI exit 1, HTTP 503)."""


class StoreBusyError(DataError):
    """Another process holds the store's lock (a writer, or a reader when this one writes): exit 1, HTTP 503."""


class FetchError(DataError):
    """A fetch that cannot go on: an HTTP error, retries used up, or a directory that holds another fetch."""


class FetchNetworkError(FetchError):
    """The API could not be reached (no network, or still failing after every retry): exit 1."""
