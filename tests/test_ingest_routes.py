"""The ingest routes each input format through one table (collabatlas.ingest.routes), no branch per format."""

from __future__ import annotations

import pytest

from collabatlas.ingest.pipeline import split_exports
from collabatlas.ingest.routes import ROUTES, route
from collabatlas.sources.exports import EXPORT_ORIGINS, FORMATS
from collabatlas.sources.ingest_report import IngestReport
from collabatlas.sources.openalex import InputError

PAIRS = "year,country_a,country_b,works\n2020,JP,US,3\n"
WOS = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAF Ann, Alice\nTI A title\nUT WOS:000000000000009\nER\n"


def test_every_format_has_a_route_and_the_exports_go_to_the_export_stager():
    for fmt in (*FORMATS[1:], "pairs", "unknown"):
        assert fmt in ROUTES
    assert {f for f, r in ROUTES.items() if r.reader == "export"} == set(EXPORT_ORIGINS)
    assert route("no such format") is ROUTES["unknown"]
    assert route("openalex").advice("x") is None
    assert route("pairs").advice("p.csv") == ("p.csv holds country-pair aggregates: load it with "
                                              "`collabatlas ingest-pairs p.csv`")


def test_a_named_pair_file_is_refused_and_one_in_a_folder_noted_and_skipped(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    with pytest.raises(InputError, match="collabatlas ingest-pairs"):
        split_exports([pairs], "auto")
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "pairs.csv").write_text(PAIRS)
    (folder / "README.txt").write_text("notes\n")
    (folder / "savedrecs.txt").write_text(WOS)
    report = IngestReport()
    openalex, exports = split_exports([folder], "auto", report)
    assert openalex == [] and exports == [(folder / "savedrecs.txt", "wos")]
    assert report.files_skipped["not a WoS, Scopus, PubMed or OpenAlex file"] == 2
    assert any("ingest-pairs" in n for n in report.messages)


def test_a_folder_without_exports_goes_whole_to_the_openalex_reader(tmp_path):
    folder = tmp_path / "snapshot"
    folder.mkdir()
    (folder / "w.jsonl").write_text('{"id": "W1"}\n')
    assert split_exports([folder], "auto") == ([folder], [])
    # a named file of no known format: the OpenAlex reader reads it (and names the accepted formats)
    odd = tmp_path / "odd.txt"
    odd.write_text("hello\n")
    assert split_exports([odd], "auto") == ([odd], [])
