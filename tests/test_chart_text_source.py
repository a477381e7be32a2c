"""The source line of chart captions: the origins of the store's records, most records first."""

from collabatlas.views.chart_text import source_text


class _Atlas:
    def __init__(self, con):
        self.con = con


def test_source_text_names_origins_most_records_first():
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE work_sources (wkey BIGINT, origin VARCHAR)")
    con.execute("INSERT INTO work_sources VALUES (1, 'wos'), (2, 'wos'), (3, 'openalex'), (1, 'openalex'), "
                "(4, 'wos'), (5, 'pubmed')")
    assert source_text(_Atlas(con)) == "works from WoS, OpenAlex, PubMed"


def test_source_text_without_work_sources_reads_works_origin_and_without_either_says_works():
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE works (origin VARCHAR)")
    con.execute("INSERT INTO works VALUES ('scopus'), ('scopus'), ('openalex')")
    assert source_text(_Atlas(con)) == "works from Scopus, OpenAlex"
    assert source_text(_Atlas(duckdb.connect())) == "works"
