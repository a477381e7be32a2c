"""Web of Science exports: tagged, tab-delimited, BibTeX; per-author C1 addresses, fallback, bad input."""

from __future__ import annotations

import gzip
import re

import pytest

from collabatlas.atlas import Atlas
from tests._export_fakes import FakeMatcher

TAGGED = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Ann, A
   Bob, B
   Cy, C
AF Ann, Alice
   Bob, Bert
   Cy, Carl
TI A sufficiently long title about collaboration measurement
DI 10.1000/ABC
C1 [Ann, Alice; Bob, Bert] Univ Tokyo, Dept Phys, Tokyo, Japan.
   [Bob, Bert] Univ Utah, Salt Lake City, UT 84112 USA.
   [Cy, Carl] Nowhere Lab, Atlantis.
PY 2020
UT WOS:000000000000001
ER

PT J
AU Dee, D
   Eve, E
TI Old record without brackets in the addresses
C1 UNIV OSLO,INST PHYS,OSLO,NORWAY.
   UNIV LYON,LYON,FRANCE.
PY 1979
UT WOS:A1979000000002
ER

EF
"""


def _scores(atlas: Atlas, level: str = "country") -> dict:
    df = atlas.scores(level=level)
    return {r.unit: (r.count, r.share) for r in df.itertuples()}


def _write(path, text: str, bom: bool = False, crlf: bool = False) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def test_tagged_per_author_addresses_and_fallback(tmp_path):
    f = tmp_path / "savedrecs.txt"
    _write(f, TAGGED, bom=True, crlf=True)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 2 and report.records_skipped == 0
    s = _scores(atlas)
    # work 1: Ann 1/3 JP; Bob 1/6 JP + 1/6 US; Cy: address without a country -> unattributed
    # work 2: no brackets -> both authors get both addresses: NO 1/2, FR 1/2
    assert s["JP"] == (1, pytest.approx(1 / 3 + 1 / 6))
    assert s["US"] == (1, pytest.approx(1 / 6))
    assert s["NO"] == (1, pytest.approx(0.5)) and s["FR"] == (1, pytest.approx(0.5))
    assert set(s) == {"JP", "US", "NO", "FR"}
    origin, doi = atlas.con.execute("SELECT origin, doi FROM works WHERE work_id = 'WOS:000000000000001'").fetchone()
    assert (origin, doi) == ("wos", "10.1000/abc")
    # the address pseudo-institutions: one per distinct address, country from the matcher
    rows = atlas.con.execute("SELECT name, country_code, origin FROM institutions ORDER BY name").fetchall()
    assert ("Nowhere Lab", None, "address") in rows and ("Univ Tokyo", "JP", "address") in rows
    # ...which give their country only: unattributed at institution and sector level
    assert atlas.scores(level="institution").empty and atlas.pairs(level="institution").empty
    assert atlas.scores(level="sector").empty


def test_matched_address_becomes_the_ror_institution(tmp_path):
    f = tmp_path / "savedrecs.txt"
    _write(f, TAGGED)
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher({"Univ Tokyo": ("057zh3y96", "University of Tokyo", "JP", "education")}))
    s = _scores(atlas, "institution")
    assert s == {"057zh3y96": (1, pytest.approx(0.5))}  # the unmatched addresses are not institutions
    assert _scores(atlas, "sector")["academic"][1] == pytest.approx(0.5)


def test_unterminated_record_is_skipped_and_the_rest_loads(tmp_path):
    broken = TAGGED.replace("UT WOS:000000000000001\nER\n", "UT WOS:000000000000001\n")
    f = tmp_path / "broken.txt"
    _write(f, broken)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 1
    assert report.skipped == {"unterminated WoS record (no ER before the next PT)": 1}
    assert any("broken.txt: record 1 (line 3)" in m for m in report.messages)


def test_bad_encoding_is_decoded_as_cp1252_and_counted(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes(TAGGED.replace("Univ Utah", "Univ Utah Caf\u00e9").encode("utf-8")
                  .replace(b"Caf\xc3\xa9", b"Caf\xe9"))
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, matcher=FakeMatcher())
    assert report.works_inserted == 2
    utf8 = {k: v for k, v in report.warnings.items() if "UTF-8" in k}  # (the other: no ROR registry)
    assert sum(utf8.values()) == 1 and any("latin.txt:13" in m for m in report.messages)
    assert atlas.con.execute("SELECT count(*) FROM institutions WHERE name = 'Univ Utah Café'").fetchone()[0] == 1


def test_tab_delimited_wrong_column_count(tmp_path):
    header = "PT\tAU\tAF\tTI\tC1\tPY\tDI\tUT"
    good = "J\tX, A\tXu, Anna\tTitle long enough to be a title key\t[Xu, Anna] Univ Oslo, Oslo, Norway\t2021\t\tWOS:1"
    bad = "J\tY, B\tYu, Bo\tonly five columns\t2021"
    f = tmp_path / "tab.txt"
    _write(f, "\n".join([header, good, bad, good.replace("WOS:1", "WOS:2")]) + "\n", bom=True)
    atlas = Atlas(":memory:")
    report = atlas.ingest(f, format="wos", matcher=FakeMatcher())
    assert report.works_inserted == 2
    assert report.skipped == {"row with a wrong number of columns": 1}
    assert any("tab.txt: record 2 (line 3): 5 columns, header has 8" in m for m in report.messages)


def _record(text: str, ut: str) -> str:
    return next(r for r in text.replace("\r", "").split("\nER\n") if f"UT {ut}" in r) + "\nER\n"


@pytest.mark.parametrize("ut, expected", [
    # Zanjirchi: Yazd; Abrishami: Yazd + Manchester; Jalilian: Yazd  -> IR 1/3 + 1/6 + 1/3, GB 1/6
    ("WOS:000469058000001", {"IR": 5 / 6, "GB": 1 / 6}),
    # Corrall: Pittsburgh, Sheffield, British Lib -> US 1/9, GB 2/9; Kennan: 4 AU addresses, Afzal: 1 -> AU 2/3
    ("WOS:000319640300008", {"US": 1 / 9, "GB": 2 / 9, "AU": 2 / 3}),
])
def test_real_records_hand_checked(shared_data, tmp_path, ut, expected):
    text = (shared_data / "wos" / "biblium_wos_plaintext.txt").read_text(encoding="utf-8-sig")
    f = tmp_path / "one.txt"
    _write(f, "FN Clarivate Analytics Web of Science\nVR 1.0\n" + _record(text, ut).lstrip("\n") + "EF\n")
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    s = _scores(atlas)
    assert {k: v[1] for k, v in s.items()} == pytest.approx(expected)


# the 4071 file holds 4 book chapters without authors (only book editors): skipped (record contract)
@pytest.mark.parametrize("name, n, authorless", [("biblium_wos_plaintext.txt", 500, 0), ("testFile.isi", 33, 0),
                                                 ("pybibx_wos.bib", 236, 0), ("wos_2026_04_02_4071.txt.gz", 67, 4)])
def test_real_files_ingest(shared_data, name, n, authorless):
    atlas = Atlas(":memory:")
    report = atlas.ingest(shared_data / "wos" / name, matcher=FakeMatcher())
    assert report.works_inserted == n and report.skipped["record without authorships"] == authorless
    assert atlas.con.execute("SELECT count(DISTINCT origin), min(origin) FROM works").fetchone() == (1, "wos")
    # every work's shares sum to at most 1 (exactly 1 when every address has a country)
    worst = atlas.con.execute("SELECT max(s) FROM (SELECT wkey, sum(share) s FROM unit_shares_country GROUP BY wkey)")
    assert worst.fetchone()[0] <= 1 + 1e-9


def test_testfile_record_without_ut_is_named(shared_data):
    report = Atlas(":memory:").ingest(shared_data / "wos" / "testFile.isi", matcher=FakeMatcher())
    assert report.skipped == {"record without id": 1}  # the record contract's one reason (was WoS-only wording)
    assert any(re.search(r"testFile.isi: record 8 \(line \d+\)", m) for m in report.messages)


def test_tab_gzip_real_record_has_per_author_addresses(shared_data):
    atlas = Atlas(":memory:")
    atlas.ingest(shared_data / "wos" / "wos_2026_04_02_4071.txt.gz", matcher=FakeMatcher())
    with gzip.open(shared_data / "wos" / "wos_2026_04_02_4071.txt.gz", "rt", encoding="utf-8-sig") as fh:
        header = fh.readline().rstrip("\r\n").split("\t")
        row = dict(zip(header, fh.readline().rstrip("\r\n").split("\t"), strict=False))
    n_authors = len(row["AF"].split(";"))
    stored = atlas.con.execute("SELECT n_authors FROM works WHERE work_id = ?", [row["UT"]]).fetchone()[0]
    assert stored == n_authors


def test_real_matcher_integration(shared_data, tmp_path):
    """The real AffiliationMatcher (no ROR registry loaded: countries from the address rules)."""
    text = (shared_data / "wos" / "biblium_wos_plaintext.txt").read_text(encoding="utf-8-sig")
    f = tmp_path / "one.txt"
    _write(f, "FN Clarivate Analytics Web of Science\nVR 1.0\n"
           + _record(text, "WOS:000469058000001").lstrip("\n") + "EF\n")
    atlas = Atlas(":memory:")
    atlas.ingest(f)  # default matcher: AffiliationMatcher.from_store
    assert {k: v[1] for k, v in _scores(atlas).items()} == pytest.approx({"IR": 5 / 6, "GB": 1 / 6})


def test_ror_matched_export_keeps_lineage_rows_and_rollup_preserves_share(shared_data):
    """With the ROR registry loaded, matched addresses become ROR institutions, every member of their
    lineage has an institutions row (so --rollup reaches the top), and rolling up moves Share between
    institutions without creating or losing any."""
    from collabatlas.affiliations.ror import load_ror

    atlas = Atlas(":memory:")
    load_ror(atlas.con, [shared_data / "ror" / "ror_v2_latest_records.jsonl.gz"])
    atlas.ingest(shared_data / "wos" / "biblium_wos_plaintext.txt")
    matched = atlas.con.execute("SELECT count(*) FROM institutions WHERE origin = 'ror'").fetchone()[0]
    assert matched > 0
    missing = atlas.con.execute("""
        SELECT count(*) FROM (SELECT unnest(lineage) AS member FROM institutions WHERE origin = 'ror')
        WHERE member NOT IN (SELECT institution_id FROM institutions)""").fetchone()[0]
    assert missing == 0
    flat = atlas.scores(level="institution")
    rolled = atlas.scores(level="institution", rollup=True)
    assert rolled["share"].sum() == pytest.approx(flat["share"].sum(), rel=1e-9)
    assert len(rolled) <= len(flat)


@pytest.mark.parametrize("together", [True, False])
def test_export_and_openalex_institutions_with_one_ror_id_are_one_unit(shared_data, together):
    """An address matched to ROR and the OpenAlex institution with that ROR id count as one unit,
    whether OpenAlex comes in the same ingest or later; no Share is lost or created."""
    from collabatlas.affiliations.ror import load_ror

    atlas = Atlas(":memory:")
    load_ror(atlas.con, [shared_data / "ror" / "ror_v2_latest_records.jsonl.gz"])
    wos = sorted((shared_data / "wos").glob("wos_2026_*.txt.gz"))
    if together:
        atlas.ingest(shared_data / "openalex", *wos)
    else:
        atlas.ingest(*wos)
        atlas.ingest(shared_data / "openalex")
    twins = atlas.con.execute("""SELECT count(*) FROM institutions a JOIN institutions b
                                 ON a.ror = b.ror AND a.institution_id < b.institution_id""").fetchone()[0]
    assert twins == 0
    unified = atlas.con.execute("SELECT count(*) FROM institutions WHERE institution_id LIKE 'I%' AND ikey IN "
                                "(SELECT ikey FROM affiliations a JOIN works w USING (wkey) WHERE w.origin = 'wos')"
                                ).fetchone()[0]
    assert unified > 0  # WoS works now credit OpenAlex institutions
    dangling = atlas.con.execute("SELECT count(*) FROM affiliations WHERE ikey NOT IN (SELECT ikey FROM institutions)"
                                 ).fetchone()[0]
    assert dangling == 0
    assert atlas.scores(level="institution")["share"].sum() == pytest.approx(
        atlas.scores(level="country")["share"].sum() - _address_only_share(atlas), rel=1e-9)


def _address_only_share(atlas: Atlas) -> float:
    """Country-level Share that comes from address-only parts or author countries (no institution)."""
    return atlas.con.execute("""
        SELECT coalesce(sum(1.0 / (f.n_authors * f.n_institutions)), 0) FROM affiliations f
        JOIN institutions i USING (ikey) WHERE i.origin = 'address' AND i.country_code IS NOT NULL""").fetchone()[0] \
        + atlas.con.execute("""SELECT coalesce(sum(1.0 / (n_authors * n_countries)), 0) FROM author_countries
                               WHERE n_institutions = 0""").fetchone()[0] \
        - atlas.con.execute("""SELECT coalesce(sum(1.0 / (f.n_authors * f.n_institutions)), 0) FROM affiliations f
        JOIN institutions i USING (ikey) WHERE i.origin <> 'address' AND i.country_code IS NULL""").fetchone()[0]
