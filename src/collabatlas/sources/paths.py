"""Paths are literal: a file or folder the user names is read as that exact path.

DuckDB's readers (``read_json``, ``read_csv``, ``read_parquet``) take every file name as a glob
pattern: ``works[1].jsonl`` would read ``works1.jsonl`` (and never itself), ``star*.jsonl`` every
``star…`` file, ``data[1]/x.jsonl`` the file in ``data1/``. So every path collabatlas hands to DuckDB
goes through :func:`duckdb_literal`, which escapes the pattern characters (``*``, ``?``, ``[``) as
one-character classes (``[*]``, ``[?]``, ``[[]``): the pattern then matches the one file it names.

What the user names on the command line is expanded only when it is a pattern that does not exist
as a literal path (:func:`expand_user_paths`): ``ingest 'exports/*.txt'`` (quoted, so the shell left
it alone) reads the matching files, but a file really named ``star*.jsonl`` is read alone.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from collabatlas.errors import UserError

#: the characters DuckDB's (and Python's) glob treat as a pattern
GLOB_CHARS = re.compile(r"([*?\[])")


def has_pattern(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds a glob pattern character (``*``, ``?``, ``[``)."""
    return bool(GLOB_CHARS.search(os.fspath(path)))


def duckdb_literal(path: str | os.PathLike) -> str:
    """``path`` as a DuckDB file name that matches exactly that file (pattern characters escaped). A
    name with pattern characters is made absolute first: DuckDB's glob finds nothing behind two
    ``../`` in a row, and it gives back the matched name normalised (``a/../b`` as ``b``)."""
    name = os.fspath(path)
    return GLOB_CHARS.sub(r"[\1]", os.path.abspath(name)) if has_pattern(name) else name


def duckdb_literals(paths: list[str] | list[os.PathLike]) -> list[str]:
    return [duckdb_literal(p) for p in paths]


def expand_user_paths(paths: list[str | os.PathLike]) -> list[str | os.PathLike]:
    """The inputs the user named: an existing path as it is (whatever characters its name holds); a
    path that does not exist but is a glob pattern, the files and folders it matches (sorted; ``**``
    for any depth). A pattern that matches nothing is an error; a missing plain path is kept for the
    reader to report."""
    out: list[str | os.PathLike] = []
    for raw in paths:
        if Path(raw).exists() or not has_pattern(raw):
            out.append(raw)
            continue
        matches = sorted(glob.glob(os.fspath(raw), recursive=True))
        if not matches:
            raise PathPatternError(f"{raw}: no such file or directory (and, read as a pattern, it matches nothing)")
        out.extend(matches)
    return out


class PathPatternError(UserError):
    """A path that does not exist and, read as a glob pattern, matches nothing."""
