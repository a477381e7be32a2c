"""The source line of chart captions: the origins of the store's records, most records first
(``collabatlas.store.records.origins`` computes them; ``source_text`` only words them)."""

import duckdb
import pandas as pd

from collabatlas.store.records import origins, source_records, work_count
from collabatlas.views.chart_text import source_text


class _Atlas:
    """What source_text asks of the Atlas: the origins table."""

    def __init__(self, con):
        self._con = con

    def origins(self):
        return origins(self._con)


def test_source_text_names_origins_most_records_first():
    con = duckdb.connect()
    con.execute("CREATE TABLE work_sources (wkey BIGINT, origin VARCHAR)")
    con.execute("INSERT INTO work_sources VALUES (1, 'wos'), (2, 'wos'), (3, 'openalex'), (1, 'openalex'), "
                "(4, 'wos'), (5, 'pubmed')")
    assert origins(con).values.tolist() == [["wos", 3], ["openalex", 2], ["pubmed", 1]]
    assert source_text(_Atlas(con)) == "works from WoS, OpenAlex, PubMed"


def test_source_text_without_work_sources_reads_works_origin_and_without_either_says_works():
    con = duckdb.connect()
    con.execute("CREATE TABLE works (origin VARCHAR)")
    con.execute("INSERT INTO works VALUES ('scopus'), ('scopus'), ('openalex')")
    assert source_text(_Atlas(con)) == "works from Scopus, OpenAlex"
    assert origins(duckdb.connect()).empty
    assert source_text(_Atlas(duckdb.connect())) == "works"


def test_source_records_counts_records_whose_work_another_source_holds():
    con = duckdb.connect()
    con.execute("CREATE TABLE work_sources (wkey BIGINT, origin VARCHAR)")
    con.execute("CREATE TABLE works (wkey BIGINT)")
    # work 1: OpenAlex and WoS; work 2: WoS twice (same source: not another); work 3: OpenAlex only
    con.execute("INSERT INTO work_sources VALUES (1, 'openalex'), (1, 'wos'), (2, 'wos'), (2, 'wos'), (3, 'openalex')")
    con.execute("INSERT INTO works VALUES (1), (2), (3)")
    expected = pd.DataFrame({"source": ["wos", "openalex"], "records": [3, 2], "same_work_in_another_source": [1, 1]})
    pd.testing.assert_frame_equal(source_records(con), expected)
    assert work_count(con) == 3


def test_the_atlas_answers_the_demo_summary_and_the_caption(tmp_path):
    from collabatlas.atlas import Atlas

    with Atlas(tmp_path / "s.duckdb") as atlas:
        assert atlas.work_count() == 0
        assert atlas.source_records().columns.tolist() == ["source", "records", "same_work_in_another_source"]
        assert atlas.origins().empty and source_text(atlas) == "works"
