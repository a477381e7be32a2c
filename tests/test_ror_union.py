"""The registry as a union of sources (issue 29): ROR dumps plus OpenAlex institution records (flat CSV,
API pages, entity files), merged by ROR id, each record keeping the files it was found in."""

from __future__ import annotations

import gzip
import json

from typer.testing import CliRunner

from collabatlas.affiliations.ror import load_ror, ror_sources
from collabatlas.store import schema as store
from collabatlas.views.cli import app
from tests.test_ror import ISSP, TOKYO, jsonl

OPENALEX_CSV = (
    "openalex_id,display_name,country_code,type,works_count,cited_by_count,ror_id,homepage_url,image_url\n"
    "https://openalex.org/I74801974,University of Tokyo (OpenAlex),JP,education,1,1,https://ror.org/057zh3y96,,\n"
    "https://openalex.org/I1,Kyoto Sangyo University,JP,education,1,1,https://ror.org/03wgz3y75,,\n"
    "https://openalex.org/I2,No Ror Institute,FR,facility,1,1,,,\n")
API_PAGE = {"meta": {"count": 1}, "results": [
    {"id": "https://openalex.org/I3", "ror": "https://ror.org/02e16g702", "display_name": "Hokkaido University",
     "country_code": "JP", "type": "education", "display_name_acronyms": ["HU"],
     "display_name_alternatives": ["Hokudai"], "geo": {"city": "Sapporo", "latitude": 43.07, "longitude": 141.35}}]}


def _files(tmp_path):
    ror = tmp_path / "ror.jsonl.gz"
    ror.write_bytes(gzip.compress(jsonl([TOKYO, ISSP]).encode()))
    flat = tmp_path / "openalex.csv"
    flat.write_text(OPENALEX_CSV)
    page = tmp_path / "page.json"
    page.write_text(json.dumps(API_PAGE, indent=2))
    return ror, flat, page


def test_union_merged_by_ror_id_keeps_sources(tmp_path):
    ror, flat, page = _files(tmp_path)
    con = store.connect(None)
    report = load_ror(con, [flat, ror, page])  # the OpenAlex file first: the ROR record still wins
    assert (report.records_read, report.loaded, report.duplicates) == (6, 4, 1)  # Tokyo twice, one without ROR
    assert report.skipped == [(f"{flat}:4", "ror_id: missing (an OpenAlex institution without a ROR id)")]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT ror_id, name, schema, types, country_code, city, sources FROM ror_institutions").fetchall()}
    assert rows["057zh3y96"] == ("The University of Tokyo", "v2", ["education"], "JP", "Tokyo",
                                 sorted([str(flat), str(ror)]))
    assert rows["03wgz3y75"] == ("Kyoto Sangyo University", "openalex", ["education"], "JP", None, [str(flat)])
    assert rows["02e16g702"] == ("Hokkaido University", "openalex", ["education"], "JP", "Sapporo", [str(page)])
    names = con.execute("SELECT kind, name FROM ror_names WHERE ror_id = '02e16g702' ORDER BY ALL").fetchall()
    assert names == [("acronym", "HU"), ("alias", "Hokudai"), ("ror_display", "Hokkaido University")]
    sources = ror_sources(con)
    assert sources[["records_read", "skipped", "organisations", "kept"]].values.tolist() == [
        [3, 1, 2, 1], [2, 0, 2, 2], [1, 0, 1, 1]]
    assert list(sources["format"]) == ["OpenAlex institutions (csv)", "ROR v2 JSON (lines)",
                                       "OpenAlex institutions (page)"]


def test_cli_ror_info_lists_each_source(tmp_path):
    ror, flat, page = _files(tmp_path)
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    loaded = runner.invoke(app, ["ror", "load", str(ror), str(flat), str(page), "--store", str(db)])
    assert loaded.exit_code == 0, loaded.output
    info = runner.invoke(app, ["ror", "info", "--store", str(db), "--by", "source", "--format", "csv"])
    assert info.exit_code == 0, info.output
    lines = info.stdout.strip().splitlines()
    assert lines[0] == "source,format,records_read,skipped,organisations,kept"
    assert [line.split(",")[0] for line in lines[1:]] == [str(ror), str(flat), str(page)]
    table = runner.invoke(app, ["ror", "info", "--store", str(db)], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "page.json" in table.stdout and "education" in table.stdout
    bad = runner.invoke(app, ["ror", "info", "--store", str(db), "--by", "colour"])
    assert bad.exit_code == 2


def test_real_union_loads_54484(shared_data):
    con = store.connect(None)
    ror = shared_data / "ror"
    report = load_ror(con, [ror / "ror_v2_latest_records.jsonl.gz", ror / "ror_v1_only_latest_records.jsonl.gz",
                            ror / "openalex_institutions_top10k_2025-01.csv.gz"])
    assert report.loaded == 54_484  # 35,990 + 15,380 ROR records, 3,114 ids only OpenAlex has (data README)
    assert ror_sources(con)["kept"].tolist() == [35_990, 15_380, 3_114]
