"""The one record contract (issue 25, docs/record-contract.md): the Python rules and their DuckDB
twins agree, keys are stable under harmless mutations, and every reader applies the same rules."""

from __future__ import annotations

import io
import unicodedata

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collabatlas.affiliations.matching import AffiliationMatch
from collabatlas.atlas import Atlas
from collabatlas.escaping import csv_cell, terminal_text
from collabatlas.sources import record as R
from collabatlas.sources.exports import ExportAuthor, ExportRecord
from collabatlas.sources.ingest_report import IngestReport
from tests._export_fakes import FakeMatcher
from tests.conftest import institution, work, write_jsonl


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    R.install_macros(c)
    yield c
    c.close()


def _sql(con, macro: str, values: list) -> list:
    data = pa.table({"i": list(range(len(values))), "v": pa.array(values, type=pa.string())})  # noqa: F841
    return [r[0] for r in con.execute(f"SELECT {macro}(v) FROM data ORDER BY i").fetchall()]


# -- the SQL twins agree with the Python rules ---------------------------------------------------------

PAIRS = {  # macro -> Python function
    "ca_clean": R.clean_text, "ca_doi": R.normalise_doi, "ca_doi_invalid": R.doi_invalid,
    "ca_key_text": R.key_text, "ca_surname": R.surname, "ca_oa_id": R.openalex_id, "ca_work_id": R.work_id,
    "ca_ror": R.ror_id, "ca_country": R.country_code, "ca_dirty": R.text_dirty,
}

TRICKY = [
    None, "", " ", "HTTPS://DOI.ORG/10.1000/ABC", "http://dx.doi.org/10.1000/abc", "doi:10.1000/ABC",
    "DOI 10.1000/abc", " doi: 10.1000/abc\n", "https://www.doi.org/10.1/x", "urn:doi:10.1/X", "n/a", "10.1000",
    "10.1000/ab\u00a0c", "10.1000/ａｂｃ", "10.1/İ", "doi.org/10.1/x", "https://openalex.org/https://openalex.org/I123",
    "https://openalex.org/", "OPENALEX.ORG", "I123", "i123", " https://api.openalex.org/works/W500/ ", "W500\n",
    "Ｗ500", "https://ror.org/04FA4R544", "ror.org/04fa4r544", "04fa4r544", "04fa4r54", "https://ror.org/0abcdef12/",
    "ıt", "İT", "it", " us ", "USA", "XK", "xx", "U\u0307S", "Signiﬁcant ﬁndings on ﬂow in Straße ＦＵＬＬ",
    "Smith, John", "van der Berg", "Müller, Jörg", "Ｓｍｉｔｈ", "ǅemal, A", "Иванов, Иван", "Smith,\r\nJohn",
    "Evil\u202eLab", "a\x1b[31mred\x1b[0m\x00", "\x1b]0;title\x07Name", "tab\there", "line\u2028sep",
    "\u2066isolate\u2069", "  spaced  ", "\x85next", "x\x9b2Jy", "Ϊ", "ﬅ ﬆ", "①②③", "½",
    "The <i>E. coli</i> genome &amp; more", "x<y and z>w", "<SUP>2</SUP>&#x3b1;&#945;", "<mml:mi mathvariant='x'>",
    "John Smith Jr.", "Smith Jr., John", "Henry Ford II", "Jr", "A  sr.", "&amp", "a & b",
    "10.1234/abc.5; 10.1234/other", "https://doi.org/10.1/a;10.2/b", "10.1/a doi:10.2/B", "10.1/a\n10.2/b",
    "10.1002/(SICI)1097-4636(199603)31:3<307::AID-JBM3>3.0.CO;2-L", "https://doi.org/10.1/x,y", "x 10.1/a 10.2/b",
]


@pytest.mark.parametrize("macro", sorted(PAIRS))
def test_sql_and_python_agree_on_tricky_inputs(con, macro):
    assert _sql(con, macro, TRICKY) == [PAIRS[macro](v) for v in TRICKY]


_TEXT = st.lists(st.one_of(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    st.sampled_from(list("ﬁﬂßẞＦｆ①½İıſK\u202e\u2066\u200f\r\n\t\x1b[]:/. 0123456789WIwiAaUuSs-,")),
    st.sampled_from(["https://doi.org/", "doi:", "DOI ", "10.", "10.1000/", "https://openalex.org/",
                     "https://ror.org/", "\x1b[31m", "\x1b]0;", "\x07", "04fa4r544", "W12", "I3"]),
), max_size=12).map("".join)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(values=st.lists(_TEXT, min_size=1, max_size=20))
def test_sql_and_python_agree_on_random_text(con, values):
    for macro, fn in PAIRS.items():
        assert _sql(con, macro, values) == [fn(v) for v in values], macro


def test_title_key_sql_and_python_agree(con):
    rows = [("Signiﬁcant ﬁndings on the ﬂow of collaboration", 2020, "Müller, J"),
            ("Short", 2020, "Smith"), ("A long enough title for the key to exist", None, "Smith"),
            ("A long enough title for the key to exist", 2021, None)]
    for title, year, name in rows:
        got = con.execute("SELECT ca_title_key(?, ?, ca_surname(?))", [title, year, name]).fetchone()[0]
        assert got == R.title_key(title, year, name)
    assert R.title_key(*rows[0]) == "significantfindingsontheflowofcollaboration|2020|muller"


def test_key_text_agrees_on_every_code_point(con):
    chars = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    sql = _sql(con, "ca_key_text", chars)
    assert [c for c, k in zip(chars, sql, strict=True) if k != R.key_text(c)] == []


def test_fold_table_covers_every_code_point():
    """The scanned ranges hold every character whose NFKC + case folding gives more than its canonical
    decomposition does: the key is the full NFKC/casefold key of any text."""
    missing = [hex(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
               and R._full_key(chr(c)) != R._canonical_key(chr(c)) and chr(c) not in R.fold_table()]
    assert missing == []


# -- property tests: mutations of a valid record normalise to the same key; nothing raises --------------

_PREFIXES = ["", "doi:", "DOI:", "doi: ", "DOI ", "https://doi.org/", "HTTPS://DOI.ORG/", "http://dx.doi.org/",
             "Http://Dx.Doi.Org/", "doi.org/", " https://doi.org/"]


@given(prefix=st.sampled_from(_PREFIXES), upper=st.booleans(), pad=st.sampled_from(["", " ", "\n", "\t", "\u00a0"]),
       suffix=st.from_regex(r"[a-z0-9.()_;/-]{1,20}", fullmatch=True))
def test_every_spelling_of_a_doi_is_one_doi(prefix, upper, pad, suffix):
    doi = f"10.1016/{suffix}"
    text = pad + prefix + (doi.upper() if upper else doi) + pad
    assert R.normalise_doi(text) == doi.lower()


_LIGATURES = {"fi": "ﬁ", "fl": "ﬂ", "ff": "ﬀ", "ffi": "ﬃ", "ss": "ß", "st": "ﬆ"}


@given(words=st.lists(st.sampled_from(["first", "flow", "effect", "office", "class", "study", "Straße", "naïve",
                                       "coöperation", "of", "the", "2020"]), min_size=3, max_size=8),
       ligatures=st.booleans(), case=st.sampled_from(["lower", "upper", "title", "keep"]),
       # (ESC and the 8-bit introducers are left out: they start escape sequences, removed whole by design)
       junk=st.lists(st.sampled_from(["\x00", "\u202e", "\u200f", "\r\n", "\x07", "\x01", "\u2066", " ", "-"]),
                     max_size=4))
def test_title_key_is_stable_under_harmless_mutations(words, ligatures, case, junk):
    title = " ".join(words)
    mutated = title
    if ligatures:
        for plain, lig in _LIGATURES.items():
            mutated = mutated.replace(plain, lig)
    mutated = {"lower": str.lower, "upper": str.upper, "title": str.title, "keep": str}[case](mutated)
    for i, j in enumerate(junk):
        pos = (i * 7) % (len(mutated) + 1)
        mutated = mutated[:pos] + j + mutated[pos:]
    assert R.key_text(R.clean_text(mutated)) == R.key_text(title)
    assert R.key_text(mutated) == R.key_text(title)


_ANY = st.text(max_size=30)  # any code point, lone surrogates included


@given(values=st.lists(st.one_of(st.none(), _ANY), min_size=12, max_size=12), year=st.one_of(st.none(), st.integers()),
       origin=st.sampled_from(["wos", "scopus", "pubmed", "other"]), n_authors=st.integers(0, 3))
def test_the_validator_never_raises_on_arbitrary_text(values, year, origin, n_authors):
    for fn in (R.clean_text, R.normalise_doi, R.doi_invalid, R.key_text, R.surname, R.openalex_id, R.work_id,
               R.ror_id, R.country_code, R.parse_year, R.author_key, R.text_dirty):
        fn(values[0])
    rec = ExportRecord(record_id=values[1] or "", origin=origin, title=values[2], year=year, pub_date=values[3],
                       doi=values[4], source_name=values[5],
                       authors=[ExportAuthor(name=values[6 + i], addresses=[v for v in values[9:] if v])
                                for i in range(n_authors)])
    report = IngestReport()
    kept = R.check_export_record(rec, report, "x")
    assert kept == (report.records_skipped == 0)
    if kept:
        for text in (rec.title, rec.source_name, *(a.name for a in rec.authors)):
            assert text is None or not R.text_dirty(text) and "\r" not in text and "\n" not in text


# -- the rules, one by one ------------------------------------------------------------------------------

def test_country_codes_are_ascii_letters_in_the_table():
    assert [R.country_code(c) for c in ("it", "IT", " gb ", "ıt", "İT", "ＵＳ", "USA", "XX", "XK", "U\u0307S")] == \
        ["IT", "IT", "GB", None, None, None, None, None, "XK", None]


def test_ids():
    assert R.openalex_id("https://openalex.org/https://openalex.org/I123") is None
    assert R.openalex_id("https://openalex.org/") is None and R.openalex_id("OPENALEX.ORG") is None
    assert R.openalex_id(" https://api.openalex.org/institutions/i123/ ") == "I123"
    assert R.work_id("https://openalex.org/I1") is None and R.work_id("w5") == "W5"
    assert R.ror_id("HTTPS://ROR.ORG/04FA4R544") == "04fa4r544" and R.ror_id("https://ror.org/x") is None
    assert R.export_record_id("WOS:UT", "wos") is None and R.export_record_id("wos:000123", "wos") == "WOS:000123"
    assert R.export_record_id("2-s2.0-85", "scopus") == "2-s2.0-85" and R.export_record_id("PMID:x", "pubmed") is None


def test_parse_year_gives_the_range_rule_the_implausible_numbers():
    assert [R.parse_year(v) for v in ("2019", "JAN 2020", "2019 Jan-Feb", "0", "9999", "2999", "abc", "", None)] == \
        [2019, 2020, 2019, 0, 9999, 2999, None, None, None]
    assert R.year_ok(R.MIN_YEAR) == R.MIN_YEAR and R.year_ok(R.max_year() + 1) is None and R.year_ok(0) is None


def test_author_key_keeps_letters_and_digits_of_any_script():
    assert R.author_key("Иванов, Иван") != R.author_key("Петров, Пётр")
    assert R.author_key("Smith, J1") != R.author_key("Smith, J2")
    assert R.author_key("Müller, Jörg") == R.author_key("MULLER, JORG") == "mullerjorg"


def test_reason_table_is_one_table():
    assert len(set(R.REASONS.values())) == len(R.REASONS)
    assert R.REASONS["no-authors"] == "record without authorships" and R.REASONS["no-id"] == "record without id"


def test_output_neutralises_bidi_and_bare_cr():
    assert terminal_text("a\u202eb\u2066c\u200fd") == "abcd"
    assert csv_cell("Evil\u202eLab") == "EvilLab"
    assert csv_cell("Smith,\rJohn") == "Smith,\nJohn" and csv_cell("a\r\nb") == "a\nb"
    out = io.StringIO()
    pd.DataFrame({"name": [csv_cell("x\ry"), "z"], "n": [1, 2]}).to_csv(out, index=False)
    assert len(pd.read_csv(io.StringIO(out.getvalue()))) == 2  # the row does not split


# -- every reader applies the rules -----------------------------------------------------------------------

class CountryMatcher(FakeMatcher):
    """FakeMatcher that knows Russia too."""

    def match(self, address: str) -> AffiliationMatch:
        if address.rstrip(" .").lower().endswith("russia"):
            return AffiliationMatch(address, None, None, "RU", None, 0.0, None)
        return super().match(address)


def _wos(*records: str) -> str:
    return "FN Clarivate Analytics Web of Science\nVR 1.0\n" + "\n".join(records) + "\nEF\n"


def _wos_record(ut: str, authors: list[str], c1: list[str], py: str = "2020", title: str | None = None,
                doi: str | None = None) -> str:
    lines = ["PT J"]
    if authors:
        lines += ["AF " + authors[0]] + ["   " + a for a in authors[1:]]
    lines.append("TI " + (title or f"A sufficiently long title of record {ut}"))
    if doi:
        lines.append("DI " + doi)
    if c1:
        lines += ["C1 " + c1[0]] + ["   " + c for c in c1[1:]]
    lines += [f"PY {py}", f"UT WOS:{ut}", "ER", ""]
    return "\n".join(lines)


def _shares(atlas: Atlas, level: str = "country") -> dict:
    return {r.unit: r.share for r in atlas.scores(level=level).itertuples()}


def test_wos_cyrillic_authors_keep_their_own_addresses(tmp_path):
    # 3 authors, 1/3 each (docs/methodology.md, Attribution 1-3): Ivanov at a Russian address, Petrov and
    # Sidorov at a US one -> RU 1/3, US 1/3 + 1/3 = 2/3. The a-z key made every Cyrillic name "" so
    # every author got both addresses: RU 1/2, US 1/2.
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000001", ["Иванов, Иван", "Петров, Пётр", "Сидоров, Сидор"],
                                  ["[Иванов, Иван] Moscow State Univ, Moscow, Russia.",
                                   "[Петров, Пётр; Сидоров, Сидор] Univ Utah, Salt Lake City, UT 84112 USA."])),
                 encoding="utf-8")
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=CountryMatcher())
    assert _shares(atlas) == pytest.approx({"RU": 1 / 3, "US": 2 / 3})


def test_wos_names_differing_only_in_digits_are_two_authors(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000002", ["Li, W1", "Li, W2"],
                                  ["[Li, W1] Univ Tokyo, Tokyo, Japan.", "[Li, W2] Univ Oslo, Oslo, Norway."])))
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    assert _shares(atlas) == pytest.approx({"JP": 0.5, "NO": 0.5})


def test_odd_doi_in_openalex_merges_with_the_export_copy(tmp_path):
    oa = work("W1", [[("I1", "JP")]], year=2020)
    oa["doi"] = "HTTPS://DOI.ORG/10.1000/ABC"
    oa2 = work("W2", [[("I1", "JP")]], year=2020)
    oa2["doi"] = " doi: 10.1000/XYZ"
    atlas = Atlas(":memory:")
    atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [oa, oa2]))
    assert sorted(r[0] for r in atlas.con.execute("SELECT doi FROM works").fetchall()) == ["10.1000/abc",
                                                                                          "10.1000/xyz"]
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000003", ["Ann, Alice"], ["Univ Oslo, Oslo, Norway."],
                                  doi="http://dx.doi.org/10.1000/abc"),
                      _wos_record("000000000000004", ["Bob, Bert"], ["Univ Oslo, Oslo, Norway."],
                                  doi="DOI 10.1000/xyz")))
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.duplicates_merged_by_doi == 2 and report.works_inserted == 0
    assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 2


def test_ligature_title_merges_by_title_key(tmp_path):
    oa = work("W1", [[("I1", "JP")]], year=2020)
    oa["doi"] = None
    oa["display_name"] = "Signiﬁcant ﬁndings on the ﬂow of international collaboration"
    oa["authorships"][0]["author"]["display_name"] = "Alice Ann"
    atlas = Atlas(":memory:")
    atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [oa]))
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000005", ["Ann, Alice"], ["Univ Oslo, Oslo, Norway."],
                                  title="SIGNIFICANT FINDINGS ON THE FLOW OF INTERNATIONAL COLLABORATION")))
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.duplicates_merged_by_title == 1
    assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 1


@pytest.mark.parametrize("py", ["2999", "0", "9999"])
def test_export_years_out_of_range_are_skipped(tmp_path, py):
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000006", ["Ann, Alice"], ["Univ Oslo, Oslo, Norway."], py=py),
                      _wos_record("000000000000007", ["Bob, Bert"], ["Univ Oslo, Oslo, Norway."])))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.skipped == {R.REASONS["year-range"]: 1} and report.unaccounted == 0
    assert atlas.con.execute("SELECT work_id, year FROM works").fetchall() == [("WOS:000000000000007", 2020)]


def test_scopus_and_pubmed_years_out_of_range_are_skipped(tmp_path):
    scopus = tmp_path / "scopus.csv"
    scopus.write_text("Authors,Title,Year,DOI,Affiliations,Authors with affiliations,EID\n"
                      '"Ann A.","A title","2999","","Univ Oslo, Oslo, Norway","Ann A., Univ Oslo, Oslo, Norway",'
                      '"2-s2.0-1"\n'
                      '"Bob B.","B title","2020","","Univ Oslo, Oslo, Norway","Bob B., Univ Oslo, Oslo, Norway",'
                      '"2-s2.0-2"\n')
    medline = tmp_path / "pubmed.txt"
    medline.write_text("PMID- 1\nDP  - 9999 Jan\nTI  - A title\nFAU - Ann, Alice\nAD  - Univ Oslo, Oslo, Norway.\n\n"
                       "PMID- 2\nDP  - 2020 Jan\nTI  - B title\nFAU - Bob, Bert\nAD  - Univ Oslo, Oslo, Norway.\n\n")
    atlas = Atlas(":memory:")
    report = atlas.ingest(scopus, medline, matcher=FakeMatcher())
    assert report.skipped == {R.REASONS["year-range"]: 2} and report.unaccounted == 0
    assert sorted(r[0] for r in atlas.con.execute("SELECT work_id FROM works").fetchall()) == ["2-s2.0-2", "PMID:2"]


def test_author_less_records_are_skipped_with_one_reason_in_every_reader(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000008", [], ["Univ Oslo, Oslo, Norway."]),
                      _wos_record("000000000000009", ["Bob, Bert"], ["Univ Oslo, Oslo, Norway."])))
    oa = write_jsonl(tmp_path / "w.jsonl", [work("W1", []), work("W2", [[("I1", "JP")]])])
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, oa, matcher=FakeMatcher())
    assert report.skipped == {"record without authorships": 2} and report.unaccounted == 0


def test_a_bogus_wos_id_is_refused(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("UT", ["Ann, Alice"], ["Univ Oslo, Oslo, Norway."]),
                      _wos_record("000000000000010", ["Bob, Bert"], ["Univ Oslo, Oslo, Norway."])))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.skipped == {R.REASONS["bad-id"]: 1} and report.works_inserted == 1


def test_malformed_institution_ids_are_refused_not_one_institution(tmp_path):
    # the same malformed id on a GB and a US author: it used to become one institution OPENALEX.ORG with
    # one country, moving GB's share to US. Now it is ignored (counted); each author keeps the country
    # OpenAlex lists in the authorship
    gb = work("W1", [[institution("https://openalex.org/https://openalex.org/", "GB")]])
    us = work("W2", [[institution("https://openalex.org/", "US")]], updated="2025-01-01T00:00:00")
    gb["authorships"][0]["institutions"][0]["id"] = "https://openalex.org/https://openalex.org/"
    us["authorships"][0]["institutions"][0]["id"] = "https://openalex.org/https://openalex.org/"
    ok = work("W3", [[institution("https://openalex.org/https://openalex.org/I7", "JP")], [("I8", "JP")]])
    ok["authorships"][0]["institutions"][0]["id"] = "https://openalex.org/https://openalex.org/I7"
    atlas = Atlas(":memory:")
    report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [gb, us, ok]))
    assert report.warnings[R.REASONS["institution-bad-id"]] == 3
    assert [r[0] for r in atlas.con.execute("SELECT institution_id FROM institutions").fetchall()] == ["I8"]
    assert _shares(atlas) == pytest.approx({"GB": 1.0, "US": 1.0, "JP": 1.0})


def test_dotless_i_is_not_italy(tmp_path):
    rec = work("W1", [[("I1", "ıt")], {"countries": ["ıt"]}])
    atlas = Atlas(":memory:")
    report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [rec]))
    assert "IT" not in _shares(atlas)
    assert report.warnings[R.REASONS["institution-country"]] == 1
    assert report.warnings[R.REASONS["authorship-country"]] == 2  # both authors list "ıt"


def test_a_lone_surrogate_escape_keeps_the_work(tmp_path):
    rec = work("W1", [[("I1", "JP")]])
    path = tmp_path / "w.jsonl"
    path.write_bytes(write_jsonl(tmp_path / "tmp.jsonl", [rec]).read_bytes().replace(b'"Author 0"', b'"Au\\ud800"'))
    other = work("W2", [[("I2", "US")]])
    path.write_bytes(path.read_bytes() + write_jsonl(tmp_path / "o.jsonl", [other]).read_bytes())
    atlas = Atlas(":memory:")
    report = atlas.ingest(path)
    assert report.works_inserted == 2 and report.records_skipped == 0
    assert report.warnings[R.REASONS["surrogate"]] == 1
    name = atlas.con.execute("SELECT author_name FROM authorships JOIN works USING (wkey) "
                             "WHERE work_id = 'W1'").fetchone()[0]
    assert name == "Au\ufffd"


def test_control_and_bidi_characters_never_reach_the_store(tmp_path):
    inst = institution("I1", "JP")
    inst["display_name"] = "Evil\u202eLab\r\nTokyo"
    rec = work("W1", [[inst]])
    rec["display_name"] = "A title\u2066 with\x00 junk\x1b[31m"
    atlas = Atlas(":memory:")
    report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [rec]))
    assert atlas.con.execute("SELECT name FROM institutions").fetchone()[0] == "EvilLab Tokyo"
    assert atlas.con.execute("SELECT title FROM works").fetchone()[0] == "A title with junk"
    assert report.warnings[R.REASONS["text-cleaned"]] == 2
    f = tmp_path / "savedrecs.txt"
    f.write_text(_wos(_wos_record("000000000000011", ["Ann, \x07Alice\u202e"], ["Univ Oslo, Oslo, Norway."],
                                  title="Bidi\u202e title")))
    report = atlas.ingest(f, matcher=FakeMatcher())
    row = atlas.con.execute("SELECT w.title, a.author_name FROM works w JOIN authorships a USING (wkey) "
                            "WHERE work_id = 'WOS:000000000000011'").fetchone()
    assert row == ("Bidi title", "Ann, Alice") and report.warnings[R.REASONS["text-cleaned"]] == 2


def test_a_malformed_ror_id_is_stored_empty(tmp_path):
    inst = institution("I1", "JP")
    inst["ror"] = "https://ror.org/not-a-ror"
    ok = institution("I2", "JP")
    ok["ror"] = "HTTPS://ROR.ORG/04FA4R544"
    atlas = Atlas(":memory:")
    report = atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[inst], [ok]])]))
    assert dict(atlas.con.execute("SELECT institution_id, ror FROM institutions").fetchall()) == \
        {"I1": None, "I2": "04fa4r544"}
    assert report.warnings[R.REASONS["ror-invalid"]] == 1


def test_unicode_names_survive_the_contract():
    assert unicodedata.is_normalized("NFC", R.clean_text("Zoë Ибрагимова 李") or "")


def test_country_pairs_refuse_the_dotless_i(tmp_path):
    f = tmp_path / "pairs.csv"
    f.write_text("year,country_a,country_b,works\n2020,US,GB,5\n2020,ıt,GB,3\n", encoding="utf-8")
    report = Atlas(":memory:").ingest_country_pairs(f)
    assert report.rows_stored == 1 and report.skipped["country code is not two letters"] == 1
