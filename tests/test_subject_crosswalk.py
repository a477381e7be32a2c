"""The subject crosswalk (collabatlas.sources.subject_crosswalk): WoS categories / research areas, ASJC codes
and PubMed MeSH headings → OpenAlex domains and fields → Nature Index areas; its use by export
ingestion (works.domain/field, subject_origin) and the subject coverage (Atlas.subject_coverage)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from collabatlas.atlas import Atlas
from collabatlas.counting.subjects import NI_SUBJECTS, ni_field_ids
from collabatlas.sources import openalex_taxonomy as taxonomy
from collabatlas.sources import subject_crosswalk as cw
from collabatlas.sources import wos_categories as wos
from collabatlas.sources.export_readers import reader_for
from collabatlas.sources.exports import ByteCounter, detect_format
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.store.schema import SCHEMA_VERSION, connect, ensure_schema, meta_get, meta_set
from tests._export_fakes import FakeMatcher


def _records(path: Path) -> list:
    read = reader_for(detect_format(path), path)
    counter = ByteCounter(path)
    try:
        return list(read(path, IngestReport(), counter))
    finally:
        counter.close()


def _shared_records(shared_data: Path, kind: str) -> list:
    return [r for p in sorted((shared_data / kind).iterdir()) if p.is_file() for r in _records(p)]


# ---------------------------------------------------------------------------------------------
# the tables


def test_fields_and_domains_are_the_openalex_ones():
    assert sorted(taxonomy.FIELDS, key=int) == [str(i) for i in range(11, 37)]
    assert set(taxonomy.DOMAINS) == {"1", "2", "3", "4"}
    # the field → domain grouping of OpenAlex (as in the shared OpenAlex samples' primary_topic)
    by_domain = {d: sorted((f for f, (_n, dd) in taxonomy.FIELDS.items() if dd == d), key=int)
                 for d in taxonomy.DOMAINS}
    assert by_domain == {"1": ["11", "13", "24", "28", "30"], "2": ["12", "14", "18", "20", "32", "33"],
                         "3": ["15", "16", "17", "19", "21", "22", "23", "25", "26", "31"],
                         "4": ["27", "29", "34", "35", "36"]}


def test_every_field_the_crosswalk_gives_is_an_openalex_field_and_in_a_nature_index_area_or_none():
    ni_fields = {f for _t, fields in NI_SUBJECTS.values() for f in fields}
    given = set(wos.WOS_CATEGORY_FIELDS.values()) | set(wos.WOS_AREA_FIELDS.values()) | set(wos.WOS_SECONDARY.values())
    assert given <= set(taxonomy.FIELDS)
    # the social sciences and humanities have no Nature Index area, everything else has one
    assert set(taxonomy.FIELDS) - ni_fields == {"12", "14", "18", "20", "32", "33"}


def test_the_category_list_is_about_the_full_wos_list_and_the_unmapped_ones_are_explicit():
    assert len(wos.WOS_CATEGORY_FIELDS) + len(wos.WOS_UNMAPPED) >= 250
    assert not set(wos.WOS_UNMAPPED) & set(wos.WOS_CATEGORY_FIELDS)
    assert set(wos.WOS_SECONDARY) <= set(wos.WOS_CATEGORY_FIELDS)
    assert all(wos.WOS_SECONDARY[c] != wos.WOS_CATEGORY_FIELDS[c] for c in wos.WOS_SECONDARY)
    assert cw.wos_category_field("Multidisciplinary Sciences") is None
    assert cw.is_known_category("Multidisciplinary Sciences")
    assert len(wos.WOS_AREA_FIELDS) + len(wos.WOS_AREA_UNMAPPED) >= 150


def test_names_match_in_any_case_with_bibtex_escapes_and_braces():
    assert cw.wos_category_field("CHEMISTRY, PHYSICAL") == "16"
    assert cw.wos_category_field("{Engineering, Electrical \\& Electronic}") == "22"
    assert cw.wos_category_field("History  Of Social Sciences") == "12"
    assert cw.split_categories(["Chemistry, Physical; Materials", "Science, Multidisciplinary"]) == [
        "Chemistry, Physical", "Materials Science, Multidisciplinary"]


# ---------------------------------------------------------------------------------------------
# rules


def test_most_frequent_field_wins_and_a_tie_goes_to_the_first_listed():
    assert cw.pick_field(["22", "31", "22"]) == "22"
    assert cw.pick_field(["16", "25", "31"]) == "16"
    assert cw.pick_field([None, "25", "31", "31"]) == "31"
    assert cw.pick_field([None, None]) is None
    s = cw.subject_for("wos", ["Chemistry, Physical", "Materials Science, Multidisciplinary",
                               "Physics, Condensed Matter"])
    assert (s.domain_id, s.domain, s.field_id, s.field, s.how) == (
        "3", "Physical Sciences", "16", "Chemistry", "wos-category")
    s = cw.subject_for("wos", ["Engineering, Electrical & Electronic", "Instruments & Instrumentation",
                               "Telecommunications"])
    assert s.field_id == "22"


def test_unmapped_categories_are_skipped_and_research_areas_are_the_fallback():
    assert cw.subject_for("wos", ["Multidisciplinary Sciences", "Oncology"]).field_id == "27"
    assert cw.subject_for("wos", ["Multidisciplinary Sciences"]) == cw.NO_SUBJECT
    s = cw.subject_for("wos", ["Multidisciplinary Sciences"], ["Science & Technology - Other Topics", "Chemistry"])
    assert s.field_id == "16"
    assert cw.subject_for("wos", [], []) == cw.NO_SUBJECT


def test_asjc_codes_map_by_their_first_two_digits():
    assert cw.asjc_field("1606") == "16"
    assert cw.asjc_field("2700") == "27"
    assert cw.asjc_field("3616") == "36"
    assert cw.asjc_field("1000") is None  # Multidisciplinary
    assert cw.asjc_field("999") is None and cw.asjc_field("x123") is None and cw.asjc_field("3700") is None
    s = cw.subject_for("scopus", asjc=["1000", "1606", "2505", "1605"])
    assert (s.field_id, s.domain_id, s.how) == ("16", "3", "asjc")


def test_mesh_gives_health_or_life_sciences_and_no_headings_no_subject():
    assert cw.mesh_domain(["Humans", "*Neoplasms/drug therapy"]) == "4"
    assert cw.mesh_domain(["Animals", "Mice", "Gene Expression Regulation/genetics"]) == "1"
    assert cw.mesh_domain(["Humans", "Liver/surgery"]) == "4"  # a clinical qualifier
    assert cw.mesh_domain(["Delivery of Health Care"]) == "4"
    assert cw.mesh_domain([]) is None
    s = cw.subject_for("pubmed", mesh=["Humans", "Diabetes Mellitus, Type 2/therapy"])
    assert (s.domain_id, s.domain, s.field_id, s.field, s.how) == ("4", "Health Sciences", None, None, "mesh")
    assert cw.subject_for("pubmed", mesh=[]) == cw.NO_SUBJECT


# ---------------------------------------------------------------------------------------------
# the shared (real) exports


def test_every_wos_category_and_research_area_in_the_shared_samples_is_in_the_crosswalk(shared_data):
    records = _shared_records(shared_data, "wos")
    categories = Counter(c for r in records for c in r.wos_categories)
    areas = Counter(a for r in records for a in r.wos_areas)
    assert len(categories) > 150 and len(areas) > 100  # the parsers keep WC and SC
    assert [c for c in categories if not cw.is_known_category(c)] == []
    assert [a for a in areas if not cw.is_known_area(a)] == []
    # every record with a category gets a subject except those listed only under Multidisciplinary Sciences
    without = [r for r in records if not cw.subject_for("wos", r.wos_categories, r.wos_areas).known]
    assert {tuple(r.wos_categories) for r in without} == {("Multidisciplinary Sciences",)}
    assert len(without) < 0.02 * len(records)


def test_a_chemistry_physical_wos_record_is_chemistry_and_ni_chemistry(shared_data):
    records = _shared_records(shared_data, "wos")
    chem = [r for r in records if r.wos_categories and r.wos_categories[0] == "Chemistry, Physical"]
    assert chem
    record = chem[0]
    s = cw.subject_for("wos", record.wos_categories, record.wos_areas)
    assert Counter(cw.wos_category_field(c) for c in record.wos_categories)["16"] >= 1
    assert s.field_id == "16" and s.field == "Chemistry" and s.domain == "Physical Sciences"
    assert s.field_id in ni_field_ids("ni:chemistry")


def test_shared_scopus_exports_carry_no_asjc_codes(shared_data):
    """What the crosswalk cannot do here: the Scopus samples (CSV, BibTeX) have no subject column."""
    records = _shared_records(shared_data, "scopus")
    assert records and all(r.asjc == [] for r in records)


def test_pubmed_records_with_mesh_get_a_domain(shared_data):
    records = _shared_records(shared_data, "pubmed")
    with_mesh = [r for r in records if r.mesh]
    assert with_mesh and any(r.record_id == "PMID:29768149" for r in with_mesh)  # the XML record too
    domains = Counter(cw.subject_for("pubmed", mesh=r.mesh).domain for r in with_mesh)
    assert set(domains) == {"Health Sciences", "Life Sciences"}
    assert all(not cw.subject_for("pubmed", mesh=r.mesh).known for r in records if not r.mesh)


# ---------------------------------------------------------------------------------------------
# ingestion: works columns, subject_origin, --subject, coverage

WOS_TWO = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Ann, A
   Bob, B
AF Ann, Alice
   Bob, Bert
TI A sufficiently long title about physical chemistry of surfaces
C1 [Ann, Alice] Univ Tokyo, Tokyo, Japan.
   [Bob, Bert] Univ Utah, Salt Lake City, UT 84112 USA.
PY 2020
WC Chemistry, Physical; Materials Science, Multidisciplinary; Physics,
   Condensed Matter
SC Chemistry; Materials Science; Physics
UT WOS:000000000000011
ER

PT J
AU Cy, C
AF Cy, Carl
TI A sufficiently long title about neural networks for sensors
C1 [Cy, Carl] Univ Kyoto, Kyoto, Japan.
PY 2021
WC Computer Science, Artificial Intelligence
SC Computer Science
UT WOS:000000000000012
ER

PT J
AU Dee, D
AF Dee, Dana
TI A sufficiently long title published in a multidisciplinary journal
C1 [Dee, Dana] Univ Oslo, Oslo, Norway.
PY 2021
WC Multidisciplinary Sciences
SC Science & Technology - Other Topics
UT WOS:000000000000013
ER
EF
"""


def test_ingested_wos_works_carry_domain_field_and_subject_origin(tmp_path):
    f = tmp_path / "savedrecs.txt"
    f.write_text(WOS_TWO)
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    rows = atlas.con.execute("SELECT work_id, domain_id, domain, field_id, field, subfield_id, subject_origin "
                             "FROM works ORDER BY work_id").fetchall()
    assert rows == [
        ("WOS:000000000000011", "3", "Physical Sciences", "16", "Chemistry", None, "wos-category"),
        ("WOS:000000000000012", "3", "Physical Sciences", "17", "Computer Science", None, "wos-category"),
        ("WOS:000000000000013", None, None, None, None, None, None),
    ]
    # hand oracle: only the chemistry work counts under ni:chemistry (JP and US half each)
    chem = {r.unit: (r.count, r.share) for r in atlas.scores(subject="ni:chemistry").itertuples()}
    assert chem == {"JP": (1, pytest.approx(0.5)), "US": (1, pytest.approx(0.5))}
    assert {r.unit: r.count for r in atlas.scores(subject="Computer Science").itertuples()} == {"JP": 1}
    coverage = atlas.subject_coverage()
    assert coverage == {"works": 3, "known": 2, "with_field": 2, "by_origin": {"wos-category": 2}}
    assert cw.coverage_line(coverage) == "subject known for 2 of 3 works (wos-category 2)"
    assert atlas.summary()["subjects"] == "subject known for 2 of 3 works (wos-category 2)"


def test_subject_ni_chemistry_counts_works_of_a_real_wos_export(shared_data):
    path = shared_data / "wos" / "wos_2026_04_02_4071.txt.gz"
    expected = {r.record_id for r in _records(path)
                if cw.subject_for("wos", r.wos_categories, r.wos_areas).field_id in ni_field_ids("ni:chemistry")}
    assert expected
    atlas = Atlas(":memory:")
    atlas.ingest(path, matcher=FakeMatcher())
    stored = {w for (w,) in atlas.con.execute(
        "SELECT work_id FROM works WHERE field_id IN ('15', '16') AND subject_origin = 'wos-category'").fetchall()}
    assert stored == expected
    scores = atlas.scores(subject="ni:chemistry")
    assert len(scores) and scores["count"].max() <= len(expected)
    assert scores["share"].sum() <= len(expected) + 1e-9


def test_pubmed_works_get_a_domain_only_and_count_under_the_domain_name(tmp_path):
    f = tmp_path / "pubmed.medline"
    f.write_text("PMID- 1\nTI  - A sufficiently long title about diabetes care in clinics\nDP  - 2020 Jan 02\n"
                 "FAU - Ann, Alice\nAD  - Univ Tokyo, Tokyo, Japan.\nMH  - Humans\nMH  - *Diabetes Mellitus/therapy\n"
                 "\nPMID- 2\nTI  - A sufficiently long title without any MeSH indexing yet\nDP  - 2021 Feb 03\n"
                 "FAU - Bob, Bert\nAD  - Univ Oslo, Oslo, Norway.\n")
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    assert atlas.con.execute("SELECT work_id, domain, field_id, subject_origin FROM works ORDER BY 1").fetchall() == [
        ("PMID:1", "Health Sciences", None, "mesh"), ("PMID:2", None, None, None)]
    assert {r.unit for r in atlas.scores(subject="Health Sciences").itertuples()} == {"JP"}
    assert atlas.scores(subject="ni:health-sciences").empty  # Nature Index areas need a field
    assert cw.coverage_line(atlas.subject_coverage()) == (
        "subject known for 1 of 2 works (mesh 1); field known for 0 (PubMed works get a domain only)")


def test_a_store_of_the_previous_schema_gets_subject_origin():
    con = connect(None)
    con.execute("ALTER TABLE works DROP COLUMN subject_origin")
    con.execute("INSERT INTO works (wkey, work_id, domain_id, field_id, n_authors, origin) VALUES "
                "(1, 'W1', '3', '16', 1, 'openalex'), (2, 'W2', NULL, NULL, 1, 'openalex'), "
                "(3, 'WOS:1', NULL, NULL, 1, 'wos')")
    meta_set(con, "schema_version", "6")  # schema 7 added subject_origin
    ensure_schema(con)
    assert meta_get(con, "schema_version") == SCHEMA_VERSION
    assert con.execute("SELECT work_id, subject_origin FROM works ORDER BY wkey").fetchall() == [
        ("W1", "openalex"), ("W2", None), ("WOS:1", None)]


# ---------------------------------------------------------------------------------------------
# merged works keep a subject any of their records has

_TITLE = "Measuring international research collaboration exactly"
_WOS_CHEM = f"""FN Clarivate Analytics Web of Science
VR 1.0
PT J
AF Ann, Alice
   Bob, Bert
TI {_TITLE}
C1 [Ann, Alice] Univ Tokyo, Tokyo, Japan.
   [Bob, Bert] Univ Oslo, Oslo, Norway.
PY 2020
DI 10.1000/XYZ
WC Chemistry, Physical
UT WOS:000000000000009
ER
EF
"""
_SCOPUS_HEADER = "Authors,Author full names,Title,Year,DOI,Affiliations,Authors with affiliations,EID"
_SCOPUS_ROW = (f'"Ann A.; Bob B.","Ann, Alice (1); Bob, Bert (2)","{_TITLE}",2020,10.1000/xyz,'
               '"Univ Tokyo, Tokyo, Japan; Univ Oslo, Oslo, Norway",'
               '"Ann, Alice, Univ Tokyo, Tokyo, Japan; Bob, Bert, Univ Oslo, Oslo, Norway",2-s2.0-123')


def _merged_state(atlas: Atlas):
    return atlas.con.execute("SELECT count(*), min(origin), min(field_id), min(subject_origin) FROM works").fetchone()


@pytest.mark.parametrize("order", ["together", "wos-first", "scopus-first"])
def test_a_scopus_work_without_asjc_takes_the_subject_of_its_merged_wos_record(tmp_path, order):
    wos, scopus = tmp_path / "wos.txt", tmp_path / "scopus.csv"
    wos.write_text(_WOS_CHEM)
    scopus.write_text(_SCOPUS_HEADER + "\n" + _SCOPUS_ROW + "\n")
    atlas = Atlas(":memory:")
    if order == "together":
        atlas.ingest([wos, scopus], matcher=FakeMatcher())
    else:
        for path in ([wos, scopus] if order == "wos-first" else [scopus, wos]):
            atlas.ingest(path, matcher=FakeMatcher())
    # one work; its authorships from Scopus (source priority), its subject from the WoS record
    assert _merged_state(atlas) == (1, "scopus", "16", "wos-category")
    assert {r.unit for r in atlas.scores(subject="ni:chemistry").itertuples()} == {"JP", "NO"}


def test_a_scopus_csv_with_an_asjc_column_gets_a_field(tmp_path):
    f = tmp_path / "scopus.csv"
    f.write_text(_SCOPUS_HEADER + ",ASJC\n" + _SCOPUS_ROW + ',"1000; 2700; 2725"\n')
    atlas = Atlas(":memory:")
    atlas.ingest(f, matcher=FakeMatcher())
    assert atlas.con.execute("SELECT field_id, domain, subject_origin FROM works").fetchall() == [
        ("27", "Health Sciences", "asjc")]
