"""Reading OpenAlex merged-id files (``merged_ids/works/*.csv.gz``): a plain comma-separated file is
read with its columns given (no sniffing: a small sync's fixed cost), any other file through DuckDB's
sniffer; every row ends in the staged table whatever the path (collabatlas.ingest.merged_ids)."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from collabatlas.ingest.merged_ids import NEW_MERGED, SyncError, _merged_files_sql, _plain_header, _stage_merged_ids


def _staged(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"SELECT record_id, merge_into_id, CAST(merge_date AS VARCHAR) FROM {NEW_MERGED} "
                       "ORDER BY record_id").fetchall()


def test_plain_files_in_any_column_order_and_a_sniffed_one_are_read_whole(tmp_path):
    plain = tmp_path / "2024-01-01.csv.gz"
    plain.write_bytes(gzip.compress(b'merge_date,id,merge_into_id\n2024-01-01,https://openalex.org/W2,W1\n'
                                    b'2024-01-02,"W3",https://openalex.org/W1\n'))
    reordered = tmp_path / "2024-02-01.csv"  # other column order, CRLF line ends, a byte-order mark
    reordered.write_bytes("\ufeffid,merge_into_id,merge_date\r\nW4,W1,2024-02-01\r\n".encode())
    tabs = tmp_path / "2024-03-01.csv"  # not comma-separated: left to the sniffer
    tabs.write_bytes(b"merge_date\tid\tmerge_into_id\n2024-03-01\tW5\tW1\n")
    assert _plain_header(plain) == ("merge_date", "id", "merge_into_id")
    assert _plain_header(reordered) == ("id", "merge_into_id", "merge_date")
    assert _plain_header(tabs) is None
    sources = _merged_files_sql([plain, reordered, tabs])
    assert len(sources) == 3 and sum("auto_detect = false" in s for s in sources) == 2
    con = duckdb.connect()
    assert _stage_merged_ids(con, [plain, reordered, tabs]) == 4
    assert _staged(con) == [("W2", "W1", "2024-01-01"), ("W3", "W1", "2024-01-02"), ("W4", "W1", "2024-02-01"),
                            ("W5", "W1", "2024-03-01")]


def test_plain_files_with_the_same_header_are_read_in_one_statement(tmp_path):
    files = []
    for day in ("2024-01-01", "2024-01-02"):
        f = tmp_path / f"{day}.csv.gz"
        f.write_bytes(gzip.compress(f"merge_date,id,merge_into_id\n{day},W{day[-1]}0,W1\n".encode()))
        files.append(f)
    assert len(_merged_files_sql(files)) == 1
    con = duckdb.connect()
    assert _stage_merged_ids(con, files) == 2


def test_a_file_that_is_no_merged_id_csv_stops_with_its_folder(tmp_path):
    bad = tmp_path / "2024-01-01.csv.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(SyncError, match="cannot read as CSV with columns merge_date,id,merge_into_id"):
        _stage_merged_ids(duckdb.connect(), [bad])
    short = tmp_path / "2024-01-02.csv"  # the plain header, then a row with a missing field
    short.write_bytes(b"merge_date,id,merge_into_id\n2024-01-02,W5\n")
    with pytest.raises(SyncError, match=str(tmp_path.name)):
        _stage_merged_ids(duckdb.connect(), [short])
