"""Cross-source dedupe: the same paper from WoS, Scopus, PubMed and OpenAlex is one work; no Count or
Share doubles; provenance is kept in work_sources."""

from __future__ import annotations

import orjson

from collabatlas.atlas import Atlas
from tests._export_fakes import FakeMatcher
from tests.conftest import work

TITLE = "Measuring international research collaboration exactly"
WOS = f"""FN Clarivate Analytics Web of Science
VR 1.0
PT J
AF Ann, Alice
   Bob, Bert
TI {TITLE}
C1 [Ann, Alice] Univ Tokyo, Tokyo, Japan.
   [Bob, Bert] Univ Oslo, Oslo, Norway.
PY 2020
DI 10.1000/XYZ
UT WOS:000000000000009
ER
EF
"""
SCOPUS = ("Authors,Author full names,Title,Year,DOI,Affiliations,Authors with affiliations,EID\n"
          f'"Ann A.; Bob B.","Ann, Alice (1); Bob, Bert (2)","{TITLE}",2020,10.1000/xyz,'
          '"Univ Tokyo, Tokyo, Japan; Univ Oslo, Oslo, Norway",'
          '"Ann, Alice, Univ Tokyo, Tokyo, Japan; Bob, Bert, Univ Oslo, Oslo, Norway",2-s2.0-123\n')
MEDLINE = f"""PMID- 999
TI  - {TITLE.upper()}.
DP  - 2020 Mar
FAU - Ann, Alice
AU  - Ann A
AD  - Univ Tokyo, Tokyo, Japan.
FAU - Bob, Bert
AU  - Bob B
AD  - Univ Oslo, Oslo, Norway.
"""


def _files(tmp_path):
    (tmp_path / "wos.txt").write_text(WOS)
    (tmp_path / "scopus.csv").write_text(SCOPUS)
    (tmp_path / "pubmed.medline").write_text(MEDLINE)
    return tmp_path / "wos.txt", tmp_path / "scopus.csv", tmp_path / "pubmed.medline"


def _state(atlas: Atlas):
    s = atlas.scores(level="country")
    p = atlas.pairs(level="country")
    return (sorted((r.unit, r.count, round(r.share, 9)) for r in s.itertuples()),
            sorted((r.unit_a, r.unit_b, r.joint_count, round(r.cs, 9)) for r in p.itertuples()))


EXPECTED = ([("JP", 1, 0.5), ("NO", 1, 0.5)], [("JP", "NO", 1, 1.0)])


def test_same_wos_export_twice(tmp_path):
    wos, _, _ = _files(tmp_path)
    atlas = Atlas(":memory:")
    atlas.ingest(wos, matcher=FakeMatcher())
    report = atlas.ingest(wos, matcher=FakeMatcher())
    assert report.works_unchanged == 1 and report.duplicates_merged == 0
    assert _state(atlas) == EXPECTED


def test_wos_scopus_pubmed_in_one_ingest_are_one_work(tmp_path):
    atlas = Atlas(":memory:")
    report = atlas.ingest(*_files(tmp_path), matcher=FakeMatcher())
    assert report.works_inserted == 1
    # Scopus and WoS share the DOI; the PubMed record has none: title + year + first author
    assert (report.duplicates_merged_by_doi, report.duplicates_merged_by_title) == (1, 1)
    assert _state(atlas) == EXPECTED
    assert atlas.con.execute("SELECT work_id, origin FROM works").fetchall() == [("2-s2.0-123", "scopus")]
    assert sorted(atlas.con.execute("SELECT origin, record_id FROM work_sources").fetchall()) == [
        ("pubmed", "PMID:999"), ("scopus", "2-s2.0-123"), ("wos", "WOS:000000000000009")]


def test_sources_one_by_one_then_openalex_wins(tmp_path):
    wos, scopus, pubmed = _files(tmp_path)
    atlas = Atlas(":memory:")
    for f in (pubmed, wos, scopus, wos):
        atlas.ingest(f, matcher=FakeMatcher())
        assert _state(atlas) == EXPECTED
    oa = work("W77", [[("I1", "JP")], [("I2", "NO")]], year=2020, doi="https://doi.org/10.1000/XYZ", display_name=TITLE)
    (tmp_path / "oa.jsonl").write_bytes(orjson.dumps(oa) + b"\n")
    report = atlas.ingest(tmp_path / "oa.jsonl")
    # one record, one bucket: merged into the stored work (whose content it now gives), not also 'replaced'
    assert report.works_replaced == 0 and report.duplicates_merged_by_doi == 1 and report.unaccounted == 0
    assert _state(atlas) == EXPECTED
    assert atlas.con.execute("SELECT work_id, origin FROM works").fetchall() == [("W77", "openalex")]
    assert atlas.con.execute("SELECT count(*) FROM work_sources").fetchone()[0] == 4


def test_different_dois_are_not_merged(tmp_path):
    wos, scopus, _ = _files(tmp_path)
    scopus.write_text(SCOPUS.replace("10.1000/xyz", "10.1000/other"))
    atlas = Atlas(":memory:")
    atlas.ingest(wos, scopus, matcher=FakeMatcher())
    assert atlas.con.execute("SELECT count(*) FROM works").fetchone()[0] == 2


def test_real_wos_and_scopus_bibtex_do_not_double(shared_data):
    atlas = Atlas(":memory:")
    atlas.ingest(shared_data / "scopus" / "pybibx_scopus.bib", matcher=FakeMatcher())
    before = atlas.scores(level="country")
    report = atlas.ingest(shared_data / "wos" / "pybibx_wos.bib", matcher=FakeMatcher())
    assert report.duplicates_merged > 150  # the two exports are largely the same query
    after = atlas.scores(level="country").set_index("unit")
    # Scopus wins the merged works (priority), so no country's Count can exceed before + new works
    new_works = report.works_inserted
    for r in before.itertuples():
        assert after.loc[r.unit, "count"] <= r.count + new_works
    n = atlas.con.execute("SELECT count(*) FROM works").fetchone()[0]
    assert n == 257 + new_works  # 263 Scopus records, 6 of them without authors (skipped: record contract)


def test_openalex_first_then_an_export_without_doi_merges_by_title(tmp_path):
    """An OpenAlex-only ingest skips title keys (one source: nothing to match); when the first export
    arrives they are computed for the stored works, so a DOI-less PubMed record still finds its work."""
    oa = work("W78", [[("I1", "JP")], [("I2", "NO")]], year=2020, doi="https://doi.org/10.1000/XYZ", display_name=TITLE)
    oa["authorships"][0]["author"]["display_name"] = "Alice Ann"
    (tmp_path / "oa.jsonl").write_bytes(orjson.dumps(oa) + b"\n")
    atlas = Atlas(":memory:")
    atlas.ingest(tmp_path / "oa.jsonl")
    assert atlas.con.execute("SELECT title_key FROM work_sources").fetchall() == [(None,)]  # not computed yet
    _, _, pubmed = _files(tmp_path)
    report = atlas.ingest(pubmed, matcher=FakeMatcher())
    assert (report.works_inserted, report.duplicates_merged_by_title) == (0, 1)
    assert atlas.con.execute("SELECT work_id FROM works").fetchall() == [("W78",)]
    assert sorted(atlas.con.execute("SELECT origin FROM work_sources").fetchall()) == [("openalex",), ("pubmed",)]
    assert _state(atlas) == EXPECTED
