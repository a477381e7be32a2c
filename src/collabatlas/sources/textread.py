"""Reading export files as text, in one place for every export reader (WoS, Scopus, BibTeX, MEDLINE,
PubMed XML):

- the encoding from the byte-order mark: UTF-8 (BOM dropped), UTF-16 LE/BE and UTF-32 LE/BE
  (transcoded to UTF-8; a BOM-less UTF-16 file is recognised by its NUL bytes); anything else is
  read as UTF-8, and a line that is not valid UTF-8 is decoded as Windows-1252 (the latin-1 family
  of older exports), counted as a warning and named in the notes;
- line ends LF, CRLF and a lone CR (old Mac) alike; a BOM at the start of any line (files joined
  with ``cat``) is dropped;
- the csv module's field limit raised from 131,072 characters to a bounded :data:`CSV_FIELD_LIMIT`
  (a Scopus record with 5,000 authors has a longer "Authors with affiliations" cell).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

from collabatlas.sources.ingest_report import IngestReport

#: the largest CSV cell read (characters): far above any real record, and small enough that a quote
#: that never closes cannot hold the whole file in one cell; below 2**31 so C ``long`` holds it everywhere
CSV_FIELD_LIMIT = 1 << 26

T = TypeVar("T")

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE",
                   "utf-32-le": "UTF-32 LE", "utf-32-be": "UTF-32 BE"}


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class HasStream(Protocol):
    stream: Readable


def allow_large_csv_fields() -> None:
    """Raise the csv module's field limit (process-wide) to :data:`CSV_FIELD_LIMIT`; never lowers it."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(encoding, length of its byte-order mark) of a file from its first bytes."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) * 4 >= len(sample):  # text with many NULs: UTF-16 without BOM
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 2 * even:
            return "utf-16-le", 0
        if even > 2 * odd:
            return "utf-16-be", 0
    return "utf-8", 0


def encoding_name(encoding: str) -> str:
    return _ENCODING_NAMES.get(encoding, encoding)


class Prefixed:
    """A stream whose first bytes were already read: gives them back first."""

    def __init__(self, head: bytes, rest: Readable):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.rest.read(n)


class _ReadSome:
    """``read(n)`` as ``read1(n)``: what is at hand, at most ``n`` bytes (empty only at the end)."""

    def __init__(self, stream):
        self.stream = stream

    def read(self, n: int = -1) -> bytes:
        try:
            return self.stream.read1(n if n and n > 0 else 1 << 16)
        except zlib.error as exc:  # corrupt deflate data: an OSError like the rest of gzip's damage
            raise OSError(f"corrupt gzip data ({exc})") from exc


class _Transcoded:
    """UTF-16 / UTF-32 bytes read as UTF-8 bytes; undecodable code units become U+FFFD, counted."""

    def __init__(self, raw: Readable, encoding: str, on_replaced: Callable[[int], None]):
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.on_replaced = on_replaced
        self.done = False

    def read(self, n: int = -1) -> bytes:
        while not self.done:
            block = self.raw.read(n if n and n > 0 else 1 << 16)
            self.done = not block
            text = self.decoder.decode(block, final=self.done)
            if "\ufffd" in text:
                self.on_replaced(text.count("\ufffd"))
            if text:
                return text.encode("utf-8", "replace")
        return b""


def utf8_stream(stream: Readable, path: Path, report: IngestReport) -> tuple[Readable, str]:
    """(a stream of UTF-8 bytes without the byte-order mark, the file's encoding) of a binary stream.
    Read with ``read1`` where the stream has it, so the data before a damaged gzip member's end is
    returned before the error (a buffered ``read(n)`` would drop it)."""
    stream = _ReadSome(stream) if hasattr(stream, "read1") else stream
    head = b""
    while len(head) < 4096:
        block = stream.read(4096 - len(head))
        if not block:
            break
        head += block
    encoding, bom = sniff_encoding(head)
    rest = Prefixed(head[bom:], stream)
    if encoding == "utf-8":
        return rest, encoding

    def replaced(n: int) -> None:
        report.warn(f"bytes not valid {encoding_name(encoding)} (replaced by U+FFFD, record kept)", n)
        report.note(f"{path}: {n} code unit(s) not valid {encoding_name(encoding)}, replaced by U+FFFD")

    report.note(f"{path}: read as {encoding_name(encoding)} ({'byte-order mark' if bom else 'no byte-order mark'})")
    return _Transcoded(rest, encoding, replaced), encoding


def byte_lines(stream: Readable, block_size: int = 1 << 16) -> Iterator[bytes]:
    """The lines of a byte stream without their ends: LF, CRLF and a lone CR all end a line."""
    pending: list[bytes] = []
    while True:
        block = stream.read(block_size)
        if not block:
            break
        if b"\n" not in block and b"\r" not in block:
            pending.append(block)
            continue
        if pending:
            pending.append(block)
            block = b"".join(pending)
            pending = []
        lines = block.splitlines(keepends=True)
        if not lines[-1].endswith(b"\n"):  # unfinished, or a CR that a LF may follow in the next block
            pending.append(lines.pop())
        for line in lines:
            yield line[:-2] if line.endswith(b"\r\n") else line[:-1]
    rest = b"".join(pending)
    if rest:
        yield from rest.splitlines()


def decode_line(raw: bytes, path: Path, line_no: int, report: IngestReport) -> str:
    """A line of UTF-8 bytes as text; bytes that are not UTF-8 are read as Windows-1252 (warned, named)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the BOM of a file joined to this one with `cat`
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.warn("line not valid UTF-8 (decoded as Windows-1252, record kept)")
        report.note(f"{path}:{line_no}: not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as Windows-1252")
        return raw.decode("cp1252", errors="replace")


def stream_lines(stream: Readable, path: Path, report: IngestReport) -> Iterator[tuple[int, str]]:
    """(line number, text without line end) for each line of a binary stream (see the module docstring)."""
    utf8, _encoding = utf8_stream(stream, path, report)
    for n, raw in enumerate(byte_lines(utf8), start=1):
        yield n, decode_line(raw, path, n, report)


def text_lines(path: Path, report: IngestReport, counter: HasStream) -> Iterator[tuple[int, str]]:
    """(line number, text without line end) for each line of an export file (see the module docstring)."""
    return stream_lines(counter.stream, path, report)


_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.I)


def excel_separator(line: str) -> str | None:
    """The delimiter an Excel ``sep=,`` first line names, or None when the line is no such hint."""
    m = _SEP_LINE.match(line.strip("\ufeff"))
    return m.group(1) if m else None


#: the warning for a header row (or an Excel ``sep=`` line) in the middle of a file: exports joined
#: with ``cat``; it is no record
REPEATED_HEADER = "repeated header row (files joined with cat; not a record)"
#: a CSV row cut short by a quote that does not close: it is skipped and the lines after its first
#: line are read again (damage: ``collabatlas ingest`` exits 3)
MALFORMED_CSV_ROW = "malformed CSV row (a quote that does not close; the lines after it are read again)"


def read_csv_rows(path: Path, report: IngestReport, counter: HasStream, delimiter: str = ",",
                  check_header: Callable[[list[str], int], list[str]] | None = None):
    """(record number, first line number, header, row) of a delimited file read with the csv module.
    ``check_header(header, line)`` may return the header with canonical names, or raise. An Excel
    ``sep=X`` first line sets the delimiter (and is not the header).

    A quote that does not close swallows the lines after it into one cell: a row over several lines
    with another number of cells than the header's, one of whose later lines is a row of the header's
    width by itself, or a row the csv module refuses (a cell over
    :data:`CSV_FIELD_LIMIT` characters), is skipped as :data:`MALFORMED_CSV_ROW` with its line, and
    reading goes on from the line after that row's first line — the records after it are not lost."""
    allow_large_csv_fields()
    lines = text_lines(path, report, counter)
    first = next(((n, text) for n, text in lines if text.strip()), None)
    if first is None:
        return
    sep = excel_separator(first[1])
    if sep is not None:
        report.note(f"{path}:{first[0]}: Excel separator line {first[1].strip()!r} (not a header; delimiter {sep!r})")
        delimiter, first = sep, None
    elif delimiter not in first[1]:  # e.g. a CSV saved again by a spreadsheet with ";" (European locales)
        other = max((";", "\t", ","), key=first[1].count)
        if first[1].count(other) >= 2:
            report.note(f"{path}:{first[0]}: no {delimiter!r} in the header line; read with {other!r} as delimiter")
            delimiter = other
    again: deque[tuple[int, str]] = deque([first] if first is not None else [])
    current: list[tuple[int, str]] = []  # the lines of the row being read

    def feed():
        while True:
            if again:
                item = again.popleft()
            else:
                item = next(lines, None)
                if item is None:
                    return
            current.append(item)
            yield item[1] + "\n"

    reader = csv.reader(feed(), delimiter=delimiter)
    header: list[str] | None = None
    header_key: list[str] = []
    record = 0
    while True:
        current.clear()
        problem = None
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row, problem = [], str(exc)
        if not current:
            return
        start = current[0][0]
        if header is None and problem is None:
            header = [h.strip().lstrip("\ufeff").strip() for h in row]
            header_key = _row_key(header)
            if check_header is not None:
                header = check_header(header, current[-1][0])
            continue
        if problem is None and ((len(row) == len(header_key) and _row_key(row[:1]) == header_key[:1]
                                 and _row_key(row) == header_key)
                                or (len(current) == 1 and excel_separator(current[0][1]) is not None)):
            report.warn(REPEATED_HEADER)  # a file joined to this one with `cat`
            report.note(f"{path}:{start}: header row again (files joined with cat?), not a record")
            continue
        if (problem is None and header is not None and len(current) > 1 and len(row) != len(header)
                and _holds_rows(current[1:], len(header), delimiter)):
            problem = f"{len(row)} columns over lines {start}-{current[-1][0]}, header has {len(header)}"
        if problem is not None:
            record += 1
            report.skip(MALFORMED_CSV_ROW, f"{path}: record {record} (line {start}): {problem}")
            again.extendleft(reversed(current[1:]))
            continue
        if not any(c.strip() for c in row):
            continue
        record += 1
        yield record, start, header, row


#: a last row with fewer columns than the header: the file was cut there (damage)
TRUNCATED_ROW = "row cut short at the end of the file (truncated file)"
WRONG_WIDTH = "row with a wrong number of columns"


def skip_wrong_width(report: IngestReport, where: str, got: int, width: int, last: bool) -> None:
    """Count a row whose column count is not the header's: a short last row is a cut-off file."""
    report.skip(TRUNCATED_ROW if last and got < width else WRONG_WIDTH, f"{where}: {got} columns, header has {width}")


def with_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """(item, whether it is the last one) of an iterable, reading one item ahead."""
    it = iter(items)
    try:
        previous = next(it)
    except StopIteration:
        return
    for item in it:
        yield previous, False
        previous = item
    yield previous, True


def _row_key(cells: list[str]) -> list[str]:
    return [" ".join(c.strip().lstrip("\ufeff").lower().split()) for c in cells]


def _holds_rows(lines: list[tuple[int, str]], width: int, delimiter: str) -> bool:
    """True when one of ``lines``, read alone, is a row of the header's width (a record swallowed)."""
    for _n, text in lines:
        try:
            if len(next(csv.reader([text], delimiter=delimiter), [])) == width:
                return True
        except csv.Error:
            continue
    return False


def read_text(path: Path, report: IngestReport | None = None) -> str:
    """A whole (small) file as text, decoded as :func:`text_lines` does, line ends kept as ``\\n``."""
    report = report if report is not None else IngestReport()
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if gzipped else raw
        return "".join(text + "\n" for _n, text in stream_lines(stream, path, report))


def decoded_head(path: Path, size: int = 1 << 15) -> str:
    """The first ``size`` bytes of a file (gzip looked into) as text: encoding from the BOM (dropped),
    undecodable bytes replaced, line ends made ``\\n``. For format detection and messages."""
    with open(path, "rb") as fh:
        head = fh.read(size)
        if head[:2] == b"\x1f\x8b":  # what can be decompressed: a truncated or corrupt gzip is its reader's to report
            inflate, head, out = zlib.decompressobj(wbits=31), head + fh.read(size), b""
            while head and len(out) < size:
                try:
                    out += inflate.decompress(head, size - len(out))
                except zlib.error:
                    break
                head = inflate.unconsumed_tail or (fh.read(size) if not inflate.eof else b"")
            head = out
    encoding, bom = sniff_encoding(head)
    text = head[bom:].decode(encoding, errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def preview(text: str, size: int = 40) -> str:
    """A short escaped preview of some text (control, bidi and invisible characters escaped)."""
    return repr(text[:size]) + ("…" if len(text) > size else "")
