"""The careful reader of OpenAlex files: line by line (or record by record for JSON documents),
each bad record skipped and reported with file, line and field, the good ones handed on.

:class:`collabatlas.sources.openalex_staging.Stager` falls back to it when DuckDB's fast reader fails
on a file (malformed line, truncated gzip, a field of the wrong type), and always uses it for JSON
documents (API pages, single entities). It accepts exactly what DuckDB reads (:mod:`.jsonspec`), so a
record stores the same whichever reader took its file. :func:`line_numbers` turns the fast reader's
record ordinals back into line numbers for the report.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.jsonspec import find_type_error
from collabatlas.sources.openalex import MAX_RECORD_BYTES, SPECS, InputFile
from collabatlas.sources.record import REASONS


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _open_lines(path: Path):
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


#: the reasons a careful read skips a record for, which mean the file is damaged (``IngestReport.damaged``)
MALFORMED_LINE = "malformed JSON line"
MALFORMED_RECORD = "malformed JSON record (over several lines)"
MALFORMED_DOCUMENT = "malformed JSON document"
BROKEN_GZIP = "truncated or corrupt gzip"
WRONG_TYPE = "field of the wrong type"
_BOM = b"\xef\xbb\xbf"


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _without_surrogates(value):
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def loads(data: bytes, report: IngestReport):
    """One JSON value. A string holding an escaped lone surrogate (``"\\ud800"``, which neither orjson
    nor DuckDB reads) does not lose its record: the value is read by the standard library and every
    lone surrogate becomes U+FFFD (the record contract's rule, counted as a warning)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if not _SURROGATE_ESCAPE.search(data):
            raise
        try:
            value = json.loads(data, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            raise exc from None
        report.warn(REASONS["surrogate"])
        return _without_surrogates(value)


def careful_records(file: InputFile, report: IngestReport) -> Iterator[tuple[int, dict]]:
    """Yield (line or record number, record) of valid records; report every bad one with file:line and
    field. Every record skipped here is also counted as read (so the report adds up)."""
    spec = SPECS[file.entity]

    def skip(reason: str, where: str) -> None:
        report.skip(reason, where, entity=file.entity)
        report.count_read(file.entity, 1)

    if file.layout == "document":
        try:
            doc = loads(_read_all(file.path).lstrip(_BOM), report)
        except orjson.JSONDecodeError as exc:
            skip(MALFORMED_DOCUMENT, f"{file.path}: {exc}")
            return
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            skip(BROKEN_GZIP, f"{file.path}: compressed stream broken ({exc}); the file is lost")
            return
        if isinstance(doc, dict) and "results" in doc:
            records, unit = doc.get("results") or [], "result"
            if not isinstance(records, list):
                records = [records]
        elif isinstance(doc, list):
            records, unit = doc, "element"
        else:
            records, unit = [doc], "record"
        for n, rec in enumerate(records, start=1):
            err = find_type_error(rec, spec)
            if err:
                skip(WRONG_TYPE, f"{file.path}: {unit} {n}: {err}")
                continue
            yield n, rec
        return
    line_no = 0
    with _open_lines(file.path) as fh:
        lines = _Lines(fh)
        try:
            for line_no, line in lines:
                if line_no == 1:
                    line = line.removeprefix(_BOM)  # DuckDB reads a first line with a byte-order mark too
                if not line.strip():
                    continue
                try:
                    rec = loads(line, report)
                except orjson.JSONDecodeError as exc:
                    joined = _joined_record(line, lines, report) if line.lstrip()[:1] in (b"{", b"[") else None
                    if joined is None:
                        skip(MALFORMED_LINE, f"{file.path}:{line_no}: {exc}")
                        continue
                    rec, last, ok = joined
                    if not ok:  # one broken record over several lines: one record lost, not one per line
                        skip(MALFORMED_RECORD, f"{file.path}:{line_no}-{last}: {exc}")
                        continue
                    report.warn("record spread over several lines (pretty-printed JSON, read as one record)")
                err = find_type_error(rec, spec)
                if err:
                    skip(WRONG_TYPE, f"{file.path}:{line_no}: {err}")
                    continue
                yield line_no, rec
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            skip(
                BROKEN_GZIP,
                f"{file.path}: compressed stream broken after line {lines.last} ({exc}); the rest of the file is lost",
            )


class _Lines:
    """(line number, line) of a file, with lines pushed back to be read again."""

    def __init__(self, fh):
        self._it = enumerate(fh, start=1)
        self._back: list[tuple[int, bytes]] = []
        self.last = 0

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, bytes]:
        item = self._back.pop() if self._back else next(self._it)
        self.last = max(self.last, item[0])
        return item

    def push_back(self, items: list[tuple[int, bytes]]) -> None:
        self._back.extend(reversed(items))


def _joined_record(first: bytes, lines: _Lines, report: IngestReport) -> tuple[object, int, bool] | None:
    """A JSON value spread over several lines (pretty-printed), starting with ``first``.

    Following lines are taken up to the next line that starts a new record (``{`` or ``[`` in the
    first column) or the end of the file. Returns (value, last line, True) when they parse as one
    value, (None, last line, False) when they do not (one broken record), or None when there is no
    following line to join (``first`` alone is the broken record, lines pushed back untouched)."""
    taken: list[tuple[int, bytes]] = []
    size = len(first)
    for item in lines:
        line = item[1]
        if line[:1] in (b"{", b"["):  # the next record starts here
            lines.push_back([item])
            break
        taken.append(item)
        size += len(line)
        if line.strip()[:1] in (b"}", b"]"):
            try:
                return loads(first + b"".join(t[1] for t in taken), report), item[0], True
            except orjson.JSONDecodeError:
                pass
        if size > MAX_RECORD_BYTES:
            break
    if not taken or all(not t[1].strip() for t in taken):
        lines.push_back(taken)
        return None
    return None, taken[-1][0], False


def _read_all(path: Path) -> bytes:
    with _open_lines(path) as fh:
        return fh.read()



def line_numbers(path: Path, ordinals: list[int]) -> list[int]:
    """Line numbers of the given record ordinals (1-based) of a JSON Lines file: DuckDB skips blank
    lines, so the n-th record is not always on line n. Only run when a record is skipped."""
    wanted = set(ordinals)
    found: dict[int, int] = {}
    record = 0
    try:
        with _open_lines(path) as fh:
            for line_no, line in enumerate(fh, start=1):
                if line.strip():
                    record += 1
                    if record in wanted:
                        found[record] = line_no
                        if len(found) == len(wanted):
                            break
    except (EOFError, OSError, zlib.error):
        pass
    return [found.get(n, n) for n in ordinals]
