"""Issue 25, export readers: encodings, line ends, WoS continuation lines and repeated tab headers,
CSV cells over 131,072 characters, Scopus ``sep=,`` and header case, format detection messages, and
"content but no record" — each on a small file made here."""

from __future__ import annotations

import csv
import gzip
import io

import pytest
from typer.testing import CliRunner

from collabatlas.atlas import Atlas
from collabatlas.ingest.pipeline import InputError
from collabatlas.sources.formats import detect_format, unrecognised
from collabatlas.sources.textread import MALFORMED_CSV_ROW, REPEATED_HEADER, TRUNCATED_ROW
from collabatlas.views.cli import app
from tests._export_fakes import FakeMatcher
from tests._export_samples import (
    MEDLINE,
    SAMPLES,
    SCOPUS_HEADER,
    SCOPUS_ROWS,
    WOS_TAB_ROWS,
    WOS_TAGGED,
    read_export,
    scopus_csv,
    summary,
    wos_tab,
)

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 BOM": lambda t: t.encode("utf-8-sig"),
    "utf-16 LE BOM": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16 BE BOM": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16 LE no BOM": lambda t: t.encode("utf-16-le"),
    "utf-32 LE BOM": lambda t: b"\xff\xfe\x00\x00" + t.encode("utf-32-le"),
    "gzip utf-16": lambda t: gzip.compress(b"\xff\xfe" + t.encode("utf-16-le")),
}
LINE_ENDS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("eol", LINE_ENDS)
@pytest.mark.parametrize("name, suffix, text, n, fmt", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_reader_reads_every_encoding_and_line_end_alike(tmp_path, name, suffix, text, n, fmt, encoding, eol):
    plain = tmp_path / ("plain" + suffix)
    plain.write_text(text)
    expected, _ = read_export(plain)
    assert len(expected) == n
    f = tmp_path / (name + suffix)
    f.write_bytes(ENCODINGS[encoding](text.replace("\n", LINE_ENDS[eol])))
    assert detect_format(f) == fmt
    records, report = read_export(f)
    assert summary(records) == summary(expected)
    assert report.records_skipped == 0 and not report.warnings


def test_latin1_lines_are_kept_with_a_note(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes(WOS_TAGGED.replace("Univ Utah", "Univ Zürich").encode("latin-1"))
    records, report = read_export(f)
    assert "Univ Zürich, Salt Lake City, UT 84112 USA." in records[0].authors[2].addresses
    assert report.warnings == {"line not valid UTF-8 (decoded as Windows-1252, record kept)": 1}
    assert any("latin1.txt:13: not valid UTF-8" in m for m in report.messages)


def test_cr_only_wos_file_is_read_not_nothing_new(tmp_path):
    f = tmp_path / "mac.txt"
    f.write_bytes(WOS_TAGGED.replace("\n", "\r").encode())
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 2 and report.records_read == 2
    assert atlas.con.execute("SELECT n_authors FROM works WHERE work_id = 'WOS:000000000000001'").fetchone()[0] == 3


@pytest.mark.parametrize("indent", ["\t", " ", "  ", "\t  ", "      "])
def test_wos_continuation_lines_with_any_indent(tmp_path, indent):
    f = tmp_path / "tabbed.txt"
    f.write_text(WOS_TAGGED.replace("\n   ", "\n" + indent))
    records, report = read_export(f)
    assert [len(r.authors) for r in records] == [3, 2]
    assert records[0].authors[2].addresses == ["Univ Utah, Salt Lake City, UT 84112 USA."]
    assert report.records_skipped == 0 and not report.warnings


def test_wos_file_with_content_but_no_record_is_an_error_naming_it(tmp_path):
    f = tmp_path / "odd.txt"
    f.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nthis is not a record\nnor this\nEF\n")
    with pytest.raises(InputError, match=r"odd\.txt: no Web of Science record found.*line 3"):
        Atlas(":memory:").ingest(f, matcher=FakeMatcher())
    result = CliRunner().invoke(app, ["ingest", str(f), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and "odd.txt" in result.output


def test_medline_with_content_but_no_record_is_an_error(tmp_path):
    f = tmp_path / "odd.nbib"
    f.write_text("just some words\nand more\n")
    with pytest.raises(InputError, match=r"odd\.nbib: no MEDLINE record found"):
        Atlas(":memory:").ingest(f, format="pubmed", matcher=FakeMatcher())


def test_medline_cr_and_tab_continuations(tmp_path):
    text = MEDLINE.replace("TI  - A sufficiently long title about collaboration 2",
                           "TI  - A sufficiently long title\n\tabout collaboration 2")
    f = tmp_path / "x.nbib"
    f.write_bytes(text.replace("\n", "\r").encode())
    records, report = read_export(f)
    assert [len(r.authors) for r in records] == [2, 3, 1]
    assert records[1].title == "A sufficiently long title about collaboration 2"
    assert report.records_skipped == 0


# -- WoS tab-delimited: exports joined with cat ---------------------------------------------------------

def test_cat_of_two_wos_tab_exports_makes_no_header_work(tmp_path):
    first = wos_tab(WOS_TAB_ROWS[:2])
    other_columns = ["PT", "AU", "AF", "TI", "PY", "C1", "UT", "DI"]  # a second export with other fields
    second = "\ufeff" + "\n".join("\t".join(r) for r in [other_columns, [
        "J", "Zed, Z", "Zed, Zoe", "A later export's record", "2023", "[Zed, Zoe] Univ Oslo, Oslo, Norway",
        "WOS:000000000000099", "10.1/z"]]) + "\n"
    f = tmp_path / "joined.txt"
    f.write_bytes((first + second).encode("utf-8"))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    ids = [r[0] for r in atlas.con.execute("SELECT work_id FROM works ORDER BY work_id").fetchall()]
    assert ids == ["WOS:000000000000011", "WOS:000000000000012", "WOS:000000000000099"]
    assert atlas.con.execute("SELECT doi, year FROM works WHERE work_id = 'WOS:000000000000099'").fetchone() \
        == ("10.1/z", 2023)
    assert report.records_read == 3 and report.records_skipped == 0
    assert report.warnings[REPEATED_HEADER] == 1
    assert any("joined.txt:4: header row again" in m for m in report.messages)


def test_wos_tab_utf16_export(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_bytes(b"\xff\xfe" + wos_tab().replace("\n", "\r\n").encode("utf-16-le"))
    records, report = read_export(f)
    assert [r.record_id for r in records] == [row[-1] for row in WOS_TAB_ROWS]
    assert any("read as UTF-16 LE (byte-order mark)" in m for m in report.messages)


# -- CSV cells over 131,072 characters ------------------------------------------------------------------

def _big_scopus(n_authors: int) -> str:
    names = [f"Author{i:05d}, A." for i in range(n_authors)]
    affiliations = [f"Institute number {i:05d}, Some Street {i}, Tokyo, Japan" for i in range(n_authors)]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(SCOPUS_HEADER.split(","))
    w.writerow(["; ".join(names), "; ".join(names), "A hyperauthored paper about a detector", "2021", "10.1/big",
                "; ".join(affiliations), "; ".join(f"{n}, {a}" for n, a in zip(names, affiliations, strict=True)),
                "2-s2.0-85000000777"])
    return out.getvalue()


def test_scopus_cell_over_300k_characters(tmp_path):
    text = _big_scopus(5200)
    cell = next(csv.reader(io.StringIO(text.split("\n", 1)[1])))[6]
    assert len(cell) > 300_000
    f = tmp_path / "hyper.csv"
    f.write_text(text)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 1 and report.records_skipped == 0
    assert atlas.con.execute("SELECT n_authors FROM works").fetchone()[0] == 5200
    assert atlas.con.execute("SELECT count(*) FROM author_countries").fetchone()[0] == 5200


def test_wos_tab_cell_over_300k_characters(tmp_path):
    rows = [list(WOS_TAB_ROWS[0])]
    rows[0][3] = "T" * 300_000
    f = tmp_path / "long.txt"
    f.write_text(wos_tab(rows))
    records, report = read_export(f)
    assert len(records[0].title) == 300_000 and report.records_skipped == 0


def test_match_column_reads_cells_over_300k_characters(tmp_path):
    from collabatlas.views.commands.affiliations import _read_inputs

    f = tmp_path / "addresses.csv"
    f.write_bytes(b"\xff\xfe" + ('id,address\r\n1,"' + "x" * 300_000 + '"\r\n2,"Univ Tokyo, Tokyo, Japan"\r\n')
                  .encode("utf-16-le"))
    inputs = _read_inputs(f, "address")
    assert [len(a) for a in inputs] == [300_000, len("Univ Tokyo, Tokyo, Japan")]
    sep = tmp_path / "sep.csv"
    sep.write_text('sep=;\nid;address\n1;"Univ Oslo; Oslo\nNorway"\n')
    assert _read_inputs(sep, "address") == ["Univ Oslo; Oslo\nNorway"]
    assert _read_inputs(sep, None) == ["sep=;", "id;address", '1;"Univ Oslo; Oslo', 'Norway"']


def _scopus_row(n: int) -> str:
    return (f'"Ann A.","Ann, A. ({n})","Title number {n} about collaboration",2021,,"Univ Tokyo, Tokyo, Japan",'
            f'"Ann, A., Univ Tokyo, Tokyo, Japan",2-s2.0-8500000{n:04d}')


def test_an_unclosed_quote_loses_one_record_not_the_rest(tmp_path):
    rows = [_scopus_row(n) for n in range(1, 6)]
    rows[1] = '"Ann A.","Ann, A. (2)","Title number 2 with a quote that does not close,2021,,Univ Tokyo,x,2-s2.0-1'
    f = tmp_path / "broken.csv"
    f.write_text(scopus_csv(rows))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    ids = [r[0] for r in atlas.con.execute("SELECT work_id FROM works ORDER BY work_id").fetchall()]
    assert ids == ["2-s2.0-85000000001", "2-s2.0-85000000003", "2-s2.0-85000000004", "2-s2.0-85000000005"]
    assert report.skipped == {MALFORMED_CSV_ROW: 1} and report.damaged == 1 and report.records_read == 5
    assert any("broken.csv: record 2 (line 3)" in m for m in report.messages)


def test_a_cell_over_the_bounded_limit_is_damage_not_a_traceback(tmp_path, monkeypatch):
    from collabatlas.sources import textread

    assert textread.CSV_FIELD_LIMIT < 2**31  # a C long on every platform
    monkeypatch.setattr(textread, "CSV_FIELD_LIMIT", 1000)
    before = csv.field_size_limit(1000)
    try:
        rows = [_scopus_row(1), _scopus_row(2).replace("Title number 2", "T" * 2000), _scopus_row(3)]
        f = tmp_path / "huge.csv"
        f.write_text(scopus_csv(rows))
        records, report = read_export(f)
    finally:
        csv.field_size_limit(before)
    assert [r.record_id for r in records] == ["2-s2.0-85000000001", "2-s2.0-85000000003"]
    assert report.skipped == {MALFORMED_CSV_ROW: 1}
    assert any("field larger than field limit" in m for m in report.messages)


# -- Scopus CSV: sep=, header case, encodings --------------------------------------------------------------

@pytest.mark.parametrize("variant", ["sep", "sep-semicolon", "semicolon", "lower", "upper-utf16", "mixed-bom"])
def test_scopus_csv_variants(tmp_path, variant):
    text = scopus_csv()
    if variant == "sep":
        data = ("sep=,\n" + text).encode()
    elif variant in ("sep-semicolon", "semicolon"):
        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows(rows)
        data = (("sep=;\r\n" if variant == "sep-semicolon" else "") + out.getvalue()).encode("utf-8-sig")
    elif variant == "lower":
        data = (SCOPUS_HEADER.lower() + "\n" + "\n".join(SCOPUS_ROWS) + "\n").encode()
    elif variant == "upper-utf16":
        data = b"\xff\xfe" + (SCOPUS_HEADER.upper() + "\r\n" + "\r\n".join(SCOPUS_ROWS) + "\r\n").encode("utf-16-le")
    else:
        header = "authors,AUTHOR FULL NAMES,title,Year,doi,Affiliations,authors  with affiliations,Eid"
        data = ("\ufeff" + header + "\n" + "\n".join(SCOPUS_ROWS) + "\n").encode()
    f = tmp_path / "scopus.csv"
    f.write_bytes(data)
    assert detect_format(f) == "scopus"
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    records, report = read_export(f)
    assert summary(records) == summary(read_export(plain)[0])
    assert report.records_skipped == 0


# -- format detection ---------------------------------------------------------------------------------------

def test_an_unknown_file_names_every_accepted_format_and_no_raw_bytes(tmp_path):
    f = tmp_path / "mystery.dat"
    f.write_bytes(b"\xff\xfe" + "\u202eevil\x00\x01 bytes".encode("utf-16-le") + bytes(range(256)))
    assert detect_format(f) == "unknown"
    with pytest.raises(InputError) as err:
        Atlas(":memory:").ingest(f, matcher=FakeMatcher())
    message = str(err.value)
    for name in ("OpenAlex JSON", "Web of Science plain text, tab-delimited or BibTeX", "Scopus CSV or BibTeX",
                 "PubMed MEDLINE", "PubMed XML", "UTF-16"):
        assert name in message
    assert "\u202e" not in message and "\x00" not in message and "\\u202e" in message
    assert len(message) < 700
    assert "mystery.dat: not a format collabatlas reads" in unrecognised(f)


# -- the shared samples (read in place, never copied into the repository) -----------------------------

def test_cat_of_the_real_wos_tab_exports(shared_data, tmp_path):
    parts = [gzip.decompress((shared_data / "wos" / f"wos_2026_04_02_{n}.txt.gz").read_bytes()) for n in (1000, 4071)]
    f = tmp_path / "joined.txt"
    f.write_bytes(b"".join(parts))
    records, report = read_export(f)
    assert len(records) == 1071 and report.records_skipped == 0
    assert not [r for r in records if r.record_id == "WOS:UT" or r.title == "TI"]
    assert report.warnings[REPEATED_HEADER] == 1


@pytest.mark.parametrize("name", ["wos/biblium_wos_plaintext.txt", "wos/pybibx_wos.bib", "scopus/biblium_scopus.csv",
                                  "scopus/pybibx_scopus.bib", "pubmed/pybibx_pubmed.medline",
                                  "pubmed/pubmed-29768149.xml"])
def test_real_exports_in_utf16_with_cr_line_ends_read_alike(shared_data, tmp_path, name):
    source = shared_data / name
    expected, _ = read_export(source)
    text = source.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\n", "\r")
    f = tmp_path / source.name
    f.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    records, report = read_export(f)
    assert summary(records) == summary(expected) and len(records) > 0
    assert report.records_skipped == 0


# -- WoS author keys: names of any script -----------------------------------------------------------------

def _cyrillic(i: int) -> str:
    return "".join(chr(0x430 + (i // 32 ** k) % 32) for k in range(3)).capitalize()


def test_wos_addresses_find_cyrillic_and_digit_named_authors(tmp_path):
    text = """PT J
AF Иванов, Иван
   Петров, Пётр
   Smith, John 2
   Smith, John 3
TI Names in other scripts
C1 [Иванов, Иван] Univ Tokyo, Tokyo, Japan.
   [Петров, Пётр; Smith, John 2] Harvard Univ, Cambridge, MA 02138 USA.
   [Smith, John 3] Univ Tokyo, Tokyo, Japan.
PY 2020
UT WOS:000000000000501
ER
"""
    f = tmp_path / "cyrillic.txt"
    f.write_text(text)
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    shares = {r.unit: r.share for r in atlas.scores(level="country").itertuples()}
    assert shares == pytest.approx({"JP": 0.5, "US": 0.5})
    records, _ = read_export(f)
    assert [len(a.addresses) for a in records[0].authors] == [1, 1, 1, 1]


def test_a_wos_record_with_thousands_of_cyrillic_authors_keeps_one_address_each(tmp_path):
    names = [f"{_cyrillic(i)}, {_cyrillic(i + 7)}" for i in range(3000)]
    assert len(set(names)) == 3000
    lines = ["PT J", "AF " + names[0], *("   " + n for n in names[1:]), "TI Hyperauthorship",
             "C1 " + f"[{names[0]}] Inst 0, Tokyo, Japan.", *(f"   [{n}] Inst {i}, Tokyo, Japan."
                                                               for i, n in enumerate(names) if i),
             "PY 2021", "UT WOS:000000000000502", "ER"]
    f = tmp_path / "hyper.txt"
    f.write_text("\n".join(lines) + "\n")
    records, report = read_export(f)
    assert [a.addresses for a in records[0].authors[1498:1500]] == [["Inst 1498, Tokyo, Japan."],
                                                                    ["Inst 1499, Tokyo, Japan."]]
    assert all(len(a.addresses) == 1 for a in records[0].authors) and not report.warnings


@pytest.mark.parametrize("kind", ["scopus", "wos-tab"])
def test_a_short_last_row_is_a_cut_off_file(tmp_path, kind):
    text = scopus_csv() if kind == "scopus" else wos_tab()
    cut = text[:text.rstrip("\n").rindex("Univ") + 2]  # inside the last row's addresses
    f = tmp_path / ("cut.csv" if kind == "scopus" else "cut.txt")
    f.write_text(cut)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.skipped == {TRUNCATED_ROW: 1} and report.damaged == 1
    assert report.works_inserted == (1 if kind == "scopus" else 2)
