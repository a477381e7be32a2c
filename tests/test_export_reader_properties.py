"""Issue 25, property tests: every export reader on random mutations of a small sample made here —
truncation at any byte, line-end and encoding changes, duplicated records (a file joined to itself),
concatenation with a second export — raises nothing but the documented ``InputError`` and accounts
for every record: without truncation every record is read (none skipped, none invented); truncated,
records read + records skipped lie between the records wholly before the cut and those begun before
it (plus one: the cut-off tail may count as a damaged record).
The ingest of each mutation keeps the accounting identity (``IngestReport.unaccounted == 0``)."""

from __future__ import annotations

import gzip
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collabatlas.atlas import Atlas
from collabatlas.ingest.pipeline import InputError
from tests._export_fakes import FakeMatcher
from tests._export_samples import SAMPLES, read_export

#: where each sample's records start and end in its text (start marker, end marker)
RECORD_SPANS = {
    "wos-tagged": (r"^PT ", r"^ER\n"),
    "wos-tab": (r"^J\t", r"\n"),
    "wos-bibtex": (r"^@article", r"^}\n"),
    "scopus-csv": (r'^"', r"\n"),
    "scopus-bibtex": (r"^@ARTICLE", r"^}\n"),
    "medline": (r"^PMID- ", r"\n(?=\n|\Z)"),
    "pubmed-xml": (r"<PubmedArticle>", r"</PubmedArticle>\n"),
}

ENCODE = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "utf-16-le": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16-be": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "cp1252": lambda t: t.replace("Tokyo", "Tøkyø").encode("cp1252"),  # not UTF-8: read line by line as cp1252
}
EOLS = ("\n", "\r\n", "\r")


def _spans(name: str, text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every record of a sample text."""
    start_marker, end_marker = RECORD_SPANS[name]
    starts = [m.start() for m in re.finditer(start_marker, text, re.M)]
    out = []
    for s in starts:
        e = re.compile(end_marker, re.M).search(text, s)
        out.append((s, e.end() if e else len(text)))
    return out


def _encoded_length(text: str, encoding: str, eol: str) -> int:
    return len(ENCODE[encoding](text.replace("\n", eol)))


@st.composite
def mutations(draw):
    index = draw(st.integers(0, len(SAMPLES) - 1))
    name, suffix, text, n, fmt = SAMPLES[index]
    copies = draw(st.integers(1, 3))  # a file joined to itself: every record duplicated
    encoding = draw(st.sampled_from(sorted(ENCODE)))
    eol = draw(st.sampled_from(EOLS))
    truncate = draw(st.booleans())
    data = b"".join(ENCODE[encoding](text.replace("\n", eol)) for _ in range(copies))
    cut = draw(st.integers(0, len(data))) if truncate else len(data)
    return name, suffix, fmt, text, n, copies, encoding, eol, data[:cut], cut


def _bounds(name, text, copies, encoding, eol, cut) -> tuple[int, int]:
    """(records wholly before the byte ``cut``, records begun before it) of ``copies`` joined copies."""
    one = len(ENCODE[encoding](text.replace("\n", eol)))
    complete = begun = 0
    for copy in range(copies):
        base = copy * one
        for s, e in _spans(name, text):
            start = base + _encoded_length(text[:s], encoding, eol)
            end = base + _encoded_length(text[:e], encoding, eol)
            begun += start < cut
            complete += end <= cut
    return complete, begun


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(SAMPLES) - 1), st.integers(0, 10_000), st.integers(0, 255), st.booleans())
def test_a_damaged_gzip_export_raises_only_what_the_ingest_counts(tmp_path, index, where, byte, truncate):
    """A gzip export cut or corrupted anywhere: the reader yields what it could and then raises at
    most an OSError / EOFError, which the ingest counts as ``truncated or corrupt file``."""
    name, suffix, text, n, fmt = SAMPLES[index]
    data = bytearray(gzip.compress((text * 3).encode()))
    where %= len(data)
    if truncate:
        del data[where:]
    else:
        data[where] = byte
    f = tmp_path / ("sample" + suffix + ".gz")
    f.write_bytes(bytes(data))
    try:
        records, report = read_export(f, fmt)
    except (OSError, EOFError, InputError):
        return
    assert len(records) + report.records_skipped <= 3 * n + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations())
def test_readers_account_for_every_record_of_any_mutation(tmp_path, m):
    name, suffix, fmt, text, n, copies, encoding, eol, data, cut = m
    whole = _encoded_length(text, encoding, eol) * copies
    f = tmp_path / ("sample" + suffix)
    f.write_bytes(data)
    try:
        records, report = read_export(f, fmt)
    except InputError as exc:  # the documented input error: a file with content but no record, a bad header
        assert str(f) in str(exc) and cut < whole
        return
    read = len(records) + report.records_skipped
    if cut == whole:
        assert (len(records), report.records_skipped) == (n * copies, 0), report.messages
    else:
        low, high = _bounds(name, text, copies, encoding, eol, cut)
        # the cut-off tail may itself be counted as one damaged record (a header cut to ``PT`` reads as a record)
        assert low <= read <= high + 1, (low, read, high, report.messages)


@pytest.mark.parametrize("name, suffix, text, n, fmt", SAMPLES, ids=[s[0] for s in SAMPLES])
@pytest.mark.parametrize("mutation", ["duplicated", "concatenated-utf16-crlf", "truncated-half"])
def test_ingest_keeps_the_accounting_identity(tmp_path, name, suffix, text, n, fmt, mutation):
    if mutation == "duplicated":
        data, expected = (text + text).encode(), 2 * n
    elif mutation == "concatenated-utf16-crlf":
        one = b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")
        data, expected = one + one, 2 * n
    else:
        data, expected = text.encode()[:len(text) // 2], None
    f = tmp_path / ("sample" + suffix)
    f.write_bytes(data)
    atlas = Atlas(":memory:")
    try:
        report = atlas.ingest(f, format=fmt, matcher=FakeMatcher())
    except InputError:
        assert expected is None
        return
    assert report.unaccounted == 0
    if expected is not None:
        assert report.records_read == expected and report.records_skipped == 0
        assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == n
