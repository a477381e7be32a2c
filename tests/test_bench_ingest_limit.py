"""The parse limit of benchmarks/bench_ingest_limit.py: one row per (work, author, institution), an author
without institutions kept once, with the columns the product reads."""

from __future__ import annotations

import gzip

import duckdb
import orjson

from benchmarks.bench_ingest_limit import parse_sql


def _inst(i: str) -> dict:
    return {"id": f"https://openalex.org/{i}", "display_name": i, "ror": None, "country_code": "JP",
            "type": "education", "lineage": [f"https://openalex.org/{i}"]}


def test_parse_rows_are_work_author_institution(tmp_path):
    works = [
        {"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1/a", "display_name": "A",
         "publication_year": 2020,
         "primary_location": {"source": {"id": "https://openalex.org/S1", "issn_l": "1234-5678",
                                         "issn": ["1234-5678"]}},
         "authorships": [{"author": {"id": "https://openalex.org/A1", "display_name": "Ann"},
                          "institutions": [_inst("I1"), _inst("I2")], "countries": ["JP"]},
                         {"author": {"id": "https://openalex.org/A2", "display_name": "Bob"}, "institutions": [],
                          "countries": []}]},
        {"id": "https://openalex.org/W2", "display_name": "B", "publication_year": 2021,
         "authorships": [{"author": {"id": "https://openalex.org/A3"}, "institutions": [_inst("I1")],
                          "countries": ["JP"]}]},
    ]
    path = tmp_path / "works.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"".join(orjson.dumps(w) + b"\n" for w in works))
    con = duckdb.connect()
    rows = con.execute(f"SELECT id, author_position, author_id, institution_id, issn_l FROM ({parse_sql()}) "
                       "ORDER BY id, author_position, institution_id NULLS LAST", [[str(path)]]).fetchall()
    w1, w2 = "https://openalex.org/W1", "https://openalex.org/W2"
    assert rows == [(w1, 1, "https://openalex.org/A1", "https://openalex.org/I1", "1234-5678"),
                    (w1, 1, "https://openalex.org/A1", "https://openalex.org/I2", "1234-5678"),
                    (w1, 2, "https://openalex.org/A2", None, "1234-5678"),
                    (w2, 1, "https://openalex.org/A3", "https://openalex.org/I1", None)]


def test_baseline_must_be_a_checkouts_src_folder(tmp_path, capsys):
    import pytest

    from benchmarks.bench_ingest_limit import main

    with pytest.raises(SystemExit) as exc:
        main(["--works", "10", "--rounds", "1", "--out", str(tmp_path / "out"), "--baseline", str(tmp_path)])
    assert exc.value.code == 2
    assert "no collabatlas package there" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
