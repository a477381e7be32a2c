"""ROR registry loading (every format, bad records, reload) and institution rows for the store."""

from __future__ import annotations

import gzip
import json
import zipfile

import pytest

from collabatlas.affiliations.ror import (
    RorError,
    institution_rows,
    load_ror,
    primary_type,
    ror_info,
    ror_loaded,
    short_ror,
)
from collabatlas.store import schema as store


def v2(rid, name, country="JP", city="Tokyo", types=("education",), acronyms=(), aliases=(), rels=(),
       modified="2024-01-01"):
    names = [{"value": name, "types": ["ror_display", "label"], "lang": "en"}]
    names += [{"value": a, "types": ["acronym"], "lang": None} for a in acronyms]
    names += [{"value": a, "types": ["alias"], "lang": None} for a in aliases]
    return {"id": f"https://ror.org/{rid}", "names": names, "types": list(types), "status": "active",
            "established": 1877, "admin": {"last_modified": {"date": modified}},
            "locations": [{"geonames_details": {"country_code": country, "country_name": "X", "name": city}}],
            "relationships": [{"type": t, "id": f"https://ror.org/{target}", "label": "x"} for t, target in rels]}


def v1(rid, name, country="DE", city="Berlin"):
    return {"id": f"https://ror.org/{rid}", "name": name, "types": ["Education"], "status": "active",
            "established": None, "aliases": ["Alias One"], "acronyms": ["ABC"],
            "labels": [{"label": "Etiqueta", "iso639": "es"}], "addresses": [{"city": city}],
            "country": {"country_code": country, "country_name": "Germany"},
            "relationships": [{"type": "Parent", "id": "https://ror.org/057zh3y96", "label": "x"}]}


TOKYO = v2("057zh3y96", "The University of Tokyo", acronyms=["UTokyo"], aliases=["Todai"])
ISSP = v2("04qc8dn61", "Institute for Solid State Physics", types=("facility",), rels=[("parent", "057zh3y96")])
FUNDER = v2("00097q716", "Funder and University", types=("funder", "education"))


def jsonl(records) -> str:
    return "\n".join(json.dumps(r) for r in records) + "\n"


@pytest.fixture
def con():
    c = store.connect(None)
    yield c
    c.close()


def test_short_ror():
    assert short_ror("https://ror.org/03vek6s52") == "03vek6s52"
    assert short_ror("ror.org/03vek6s52/") == "03vek6s52"
    assert short_ror("03VEK6S52") == "03vek6s52"
    assert short_ror(None) is None


def test_v2_jsonl_gz_and_tables(con, tmp_path):
    path = tmp_path / "ror.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl([TOKYO, ISSP]).encode()))
    report = load_ror(con, [path])
    assert (report.loaded, report.records_read, report.skipped) == (2, 2, [])
    row = con.execute("SELECT name, types, country_code, city, established FROM ror_institutions "
                      "WHERE ror_id = '057zh3y96'").fetchone()
    assert row == ("The University of Tokyo", ["education"], "JP", "Tokyo", 1877)
    kinds = con.execute("SELECT kind, name FROM ror_names WHERE ror_id = '057zh3y96' ORDER BY kind, name").fetchall()
    assert kinds == [("acronym", "UTokyo"), ("alias", "Todai"), ("label", "The University of Tokyo"),
                     ("ror_display", "The University of Tokyo")]
    assert con.execute("SELECT * FROM ror_relations").fetchall() == [("04qc8dn61", "parent", "057zh3y96")]
    assert ror_loaded(con)
    assert set(ror_info(con)["type"]) == {"education", "facility"}


def test_v2_official_array_and_v1_and_zip(con, tmp_path):
    array = tmp_path / "v2.json"
    array.write_text(json.dumps([TOKYO, ISSP]))
    v1file = tmp_path / "v1.jsonl"
    v1file.write_text(jsonl([v1("01hcx6992", "Humboldt-Universität zu Berlin")]))
    report = load_ror(con, [array, v1file])
    assert report.loaded == 3 and report.formats == {str(array): "json-array", str(v1file): "jsonl"}
    row = con.execute("SELECT types, country_code, city, schema FROM ror_institutions WHERE ror_id = '01hcx6992'"
                      ).fetchone()
    assert row == (["education"], "DE", "Berlin", "v1")
    names = con.execute("SELECT kind, name, lang FROM ror_names WHERE ror_id = '01hcx6992' ORDER BY kind").fetchall()
    assert names == [("acronym", "ABC", None), ("alias", "Alias One", None), ("label", "Etiqueta", "es"),
                     ("ror_display", "Humboldt-Universität zu Berlin", None)]
    zipped = tmp_path / "ror-data.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("v1.50-ror-data_schema_v2.json", json.dumps([TOKYO]))
        zf.writestr("v1.50-ror-data.csv", "ror_id,name\n")
    assert load_ror(con, [zipped]).loaded == 1


FLAT = ("ror_id,name,status,types,country_code,country_name,city,established,aliases,labels,acronyms,parent,child,"
        "related,successor,predecessor\n"
        "https://ror.org/057zh3y96,The University of Tokyo,active,education,JP,Japan,Tokyo,1877,Todai,東京大学,"
        "UTokyo,,"
        "https://ror.org/04qc8dn61,,,\n"
        "https://ror.org/04qc8dn61,Institute for Solid State Physics,active,facility|funder,JP,Japan,Kashiwa,,,,ISSP,"
        "https://ror.org/057zh3y96,,,,\n")
OFFICIAL = ("id,names.types.ror_display,ror_display_lang,names.types.alias,names.types.acronym,names.types.label,"
            "status,types,established,locations.geonames_details.country_code,"
            "locations.geonames_details.country_name,locations.geonames_details.name,relationships\n"
            "https://ror.org/04qc8dn61,Institute for Solid State Physics,en,,ISSP,ja: 物性研究所,active,facility,,"
            "JP,Japan,Kashiwa,parent: https://ror.org/057zh3y96\n")


def test_csv_flat_and_official(con, tmp_path):
    flat = tmp_path / "flat.csv"
    flat.write_text(FLAT, encoding="utf-8")
    report = load_ror(con, [flat])
    assert report.loaded == 2 and report.relations == 2
    assert con.execute("SELECT types FROM ror_institutions WHERE ror_id = '04qc8dn61'").fetchone()[0] == [
        "facility", "funder"]
    official = tmp_path / "official.csv"
    official.write_text(OFFICIAL, encoding="utf-8")
    load_ror(con, [official])
    assert con.execute("SELECT count(*) FROM ror_institutions").fetchone()[0] == 1  # replaced, not added
    assert con.execute("SELECT kind, name, lang FROM ror_names WHERE kind = 'label'").fetchall() == [
        ("label", "物性研究所", "ja")]
    assert con.execute("SELECT relation, target_id FROM ror_relations").fetchall() == [("parent", "057zh3y96")]


def test_bad_records_are_reported_with_file_line_and_field(con, tmp_path):
    bad = dict(TOKYO, id="https://ror.org/not-an-id")
    no_country = v2("04qc8dn61", "X", country="Japan")
    path = tmp_path / "mixed.jsonl"
    path.write_text(jsonl([ISSP]) + "{broken\n" + jsonl([bad, no_country, {"id": "https://ror.org/057zh3y96"}]))
    report = load_ror(con, [path])
    assert report.loaded == 1 and report.records_read == 5
    where = [w for w, _ in report.skipped]
    assert where == [f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:5"]
    reasons = [r for _, r in report.skipped]
    assert reasons[0].startswith("malformed JSON")
    assert reasons[1].startswith("id: not a ROR id")
    assert reasons[2].startswith("country_code:")
    assert reasons[3].startswith("names:")
    csv_path = tmp_path / "short.csv"
    csv_path.write_text(FLAT + "https://ror.org/0000000a1,Too,few\n", encoding="utf-8")
    report = load_ror(con, [csv_path])
    assert report.skipped == [(f"{csv_path}:4", "row: 3 columns, the header has 16")]


def test_unreadable_files(con, tmp_path):
    with pytest.raises(RorError, match="no such file"):
        load_ror(con, [tmp_path / "missing.json"])
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(RorError, match="not a ROR dump"):
        load_ror(con, [other])


def test_reload_is_idempotent_and_newest_duplicate_wins(con, tmp_path):
    old = dict(v2("057zh3y96", "Old Name", modified="2020-01-01"))
    new = dict(v2("057zh3y96", "The University of Tokyo", modified="2024-01-01"))
    path = tmp_path / "dupes.jsonl"
    path.write_text(jsonl([new, old, ISSP]))
    first = load_ror(con, [path])
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("ror_institutions", "ror_names")]
    second = load_ror(con, [path])
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("ror_institutions", "ror_names")] == counts
    assert first.duplicates == second.duplicates == 1
    assert con.execute("SELECT name FROM ror_institutions WHERE ror_id = '057zh3y96'").fetchone()[0] == (
        "The University of Tokyo")


def test_primary_type():
    assert primary_type(["funder", "education"]) == "education"
    assert primary_type(["funder"]) == "funder"
    assert primary_type([]) is None


def test_institution_rows_unify_with_openalex_and_give_lineage(con, tmp_path):
    top = v2("02rcrvv70", "Top", country="US", types=("government",))
    mid = v2("0447fe631", "Mid", country="US", types=("government",), rels=[("parent", "02rcrvv70")])
    leaf = v2("05w4e8v21", "Leaf", country="US", types=("funder", "government"),
              rels=[("parent", "0447fe631"), ("related", "057zh3y96")])
    path = tmp_path / "chain.jsonl"
    path.write_text(jsonl([top, mid, leaf, TOKYO]))
    load_ror(con, [path])
    con.execute("INSERT INTO institutions (ikey, institution_id, ror, name, country_code, type, lineage, origin) "
                "VALUES (1, 'I1306490931', '0447fe631', 'Mid (OpenAlex)', 'US', 'government', ['I1306490931'], 'x')")
    rows = {r["ror"]: r for r in institution_rows(con, ["https://ror.org/05w4e8v21", "057zh3y96", "0zzzzzz00"])}
    assert set(rows) == {"05w4e8v21", "057zh3y96"}
    assert rows["05w4e8v21"] == {"institution_id": "R05w4e8v21", "ror": "05w4e8v21", "name": "Leaf",
                                 "country_code": "US", "type": "government",
                                 "lineage": ["R05w4e8v21", "I1306490931", "R02rcrvv70"]}
    assert rows["057zh3y96"]["lineage"] == ["R057zh3y96"]
    with_ancestors = {r["institution_id"] for r in institution_rows(con, ["05w4e8v21"], include_ancestors=True)}
    assert with_ancestors == {"R05w4e8v21", "I1306490931", "R02rcrvv70"}


def test_real_flat_csv_head(con, shared_data, tmp_path):
    """The first 3,000 rows of the real flat CSV load without a skipped record."""
    with gzip.open(shared_data / "ror" / "ror_subset_flat.csv.gz", "rt", encoding="utf-8") as fh:
        head = "".join(line for _, line in zip(range(3001), fh, strict=False))
    path = tmp_path / "head.csv"
    path.write_text(head, encoding="utf-8")
    report = load_ror(con, [path])
    assert report.skipped == [] and report.loaded > 2900
    assert con.execute("SELECT count(*) FROM ror_institutions WHERE country_code IS NULL").fetchone()[0] == 0


def test_real_v1_and_v2_heads(con, shared_data, tmp_path):
    paths = []
    for name in ("ror_v2_latest_records.jsonl.gz", "ror_v1_only_latest_records.jsonl.gz"):
        with gzip.open(shared_data / "ror" / name, "rt", encoding="utf-8") as fh:
            head = "".join(line for _, line in zip(range(1000), fh, strict=False))
        paths.append(tmp_path / name.replace(".gz", ""))
        paths[-1].write_text(head, encoding="utf-8")
    report = load_ror(con, paths)
    assert (report.loaded, report.skipped) == (2000, [])
    assert report.names > 2000 * 2 and report.relations > 0
    assert con.execute("SELECT count(DISTINCT schema) FROM ror_institutions").fetchone()[0] == 2


def test_a_ror_csv_cell_over_the_csv_module_default_loads(con, tmp_path):
    """A names/aliases cell longer than the csv module's default limit (131,072 characters) must not abort
    `ror load` (issue 25: the same rule as the export readers)."""
    import csv

    csv.field_size_limit(131_072)  # the default, whatever an earlier test in this process set
    long_aliases = "|".join(f"Alias {i}" for i in range(25_000))  # ~240,000 characters
    assert len(long_aliases) > 131_072
    flat = tmp_path / "long.csv"
    flat.write_text(FLAT.replace(",1877,Todai,", f",1877,{long_aliases},"), encoding="utf-8")
    report = load_ror(con, [flat])
    assert report.loaded == 2
    assert con.execute("SELECT count(*) FROM ror_names WHERE kind = 'alias'").fetchone()[0] >= 25_000
