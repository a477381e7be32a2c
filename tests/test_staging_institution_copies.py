"""One row per institution from the works (collabatlas.sources.openalex_staging): the copy in the most
recently updated work wins, whichever way its id is spelled in each work (the rows are grouped by the id
as written first, then by the normalised id)."""

from __future__ import annotations

import orjson

import collabatlas


def _work(n: int, updated: str, inst_id: str, name: str) -> dict:
    return {"id": f"https://openalex.org/W{n}", "display_name": f"Paper {n}", "publication_year": 2020,
            "updated_date": updated, "type": "article",
            "authorships": [{"author": {"id": f"https://openalex.org/A{n}", "display_name": f"Author {n}"},
                             "institutions": [{"id": inst_id, "display_name": name, "country_code": "JP",
                                               "type": "education"}],
                             "countries": ["JP"]}]}


def test_newest_copy_wins_across_id_spellings(tmp_path):
    works = [
        _work(1, "2024-06-01T00:00:00", "https://openalex.org/I7", "Newest"),  # newest update, first record
        _work(2, "2024-01-01T00:00:00", "https://openalex.org/i7", "Older, later record"),
        _work(3, "2023-01-01T00:00:00", "I7", "Oldest, last record"),
        _work(4, "2024-03-01T00:00:00", "https://openalex.org/I8", "Other"),
    ]
    path = tmp_path / "works.jsonl"
    path.write_bytes(b"".join(orjson.dumps(w) + b"\n" for w in works))
    with collabatlas.open(tmp_path / "s.duckdb") as atlas:
        report = atlas.ingest(path)
        rows = atlas.con.execute("SELECT institution_id, name, CAST(updated_date AS VARCHAR) FROM institutions "
                                 "ORDER BY institution_id").fetchall()
        affiliated = atlas.con.execute("SELECT count(*) FROM affiliations a JOIN institutions i USING (ikey) "
                                       "WHERE i.institution_id = 'I7'").fetchone()[0]
    assert report.works_inserted == 4
    assert rows == [("I7", "Newest", "2024-06-01 00:00:00"), ("I8", "Other", "2024-03-01 00:00:00")]
    assert affiliated == 3
