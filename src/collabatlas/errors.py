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
