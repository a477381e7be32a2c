"""Journal lists: exact matching (no prefix traps), aliases, and the journal filter on real counting."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.counting import journals as jl
from collabatlas.views.cli import app

from .conftest import work, write_jsonl

TRAPS = ["Science", "Science of the Total Environment", "Cell", "Cell Reports", "Nature", "Nature Communications",
         "Nature Reviews Drug Discovery", "Journal of the American Chemical Society",
         "Journal of the American Ceramic Society", "Physical Review Letters", "Physical Review E", "JAMA",
         "Proceedings of the National Academy of Sciences", "The Lancet", "Environmental Science & Technology",
         "PHYSICAL REVIEW LETTERS", "Angewandte Chemie"]


def _store(atlas_of):
    records = []
    for n, name in enumerate(TRAPS, start=1):
        source = {"id": f"https://openalex.org/S{n}", "display_name": name}
        records.append(work(f"W{n}", [[(f"I{n}", "US")], [(f"I{n + 100}", "JP")]],
                            primary_location={"source": source}))
    return atlas_of(records)


def test_titles_normalise_without_losing_what_tells_journals_apart():
    assert jl.normalise_title("The Lancet") == jl.normalise_title("LANCET") == "lancet"
    assert jl.normalise_title("Environmental Science & Technology") == "environmental science and technology"
    assert jl.normalise_title("Journal of Geophysical Research: Atmospheres") == \
        jl.normalise_title("Journal of Geophysical Research Atmospheres")
    assert jl.normalise_title("Science") != jl.normalise_title("Science of the Total Environment")
    assert "jama" in jl.title_keys("JAMA: The Journal of the American Medical Association")


def test_nature_index_list_matches_exactly(atlas_of):
    atlas = _store(atlas_of)
    matches = atlas.journals("nature-index").dropna(subset=["source_name"])
    matched = set(matches["source_name"])
    assert {"Science", "Cell", "Nature", "Nature Communications", "Journal of the American Chemical Society",
            "Physical Review Letters", "PHYSICAL REVIEW LETTERS", "JAMA", "The Lancet",
            "Proceedings of the National Academy of Sciences", "Environmental Science & Technology"} == matched
    jama = matches[matches["source_name"] == "JAMA"]
    assert list(jama["entry"]) == ["JAMA: The Journal of the American Medical Association"]
    assert list(jama["matched_by"]) == ["title alias"]
    # the 82-journal list (2018-2023) has no health-science journals
    old = set(atlas.journals("nature-index-82").dropna(subset=["source_name"])["source_name"])
    assert "JAMA" not in old and "The Lancet" not in old and "Science" in old


def test_journal_filter_counts_only_listed_journals(atlas_of):
    atlas = _store(atlas_of)
    c = atlas.counting_for("country", journals="nature-index")
    from collabatlas.counting import rules as counting

    scores = atlas._df(counting.scores_sql(c)).set_index("unit")
    assert scores.loc["US", "count"] == 11  # the eleven listed journals above, traps left out
    assert "Nature Index journals, 145" in c.filters.describe() and "not applied" in c.filters.describe()


def test_a_list_file_takes_titles_issns_and_source_ids(tmp_path, atlas_of):
    atlas = _store(atlas_of)
    listing = tmp_path / "mine.txt"
    listing.write_text("# my journals\nCell Reports\nS6\n0028-0836\nNo Such Journal\n", encoding="utf-8")
    parsed = jl.load_list(str(listing))
    assert parsed.titles == ("Cell Reports", "No Such Journal") and parsed.source_ids == ("S6",)
    assert parsed.issns == ("0028-0836",)
    found = atlas.journals(str(listing))
    assert set(found.dropna(subset=["source_name"])["source_name"]) == {"Cell Reports", "Nature Communications"}
    assert set(found[found["source_name"].isna()]["entry"]) == {"0028-0836", "No Such Journal"}


def test_unknown_list_is_an_error(tmp_path):
    with pytest.raises(jl.JournalError, match="not a file"):
        jl.load_list("nature-indx")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(jl.JournalError, match="no entries"):
        jl.load_list(str(tmp_path / "empty.txt"))


def test_journals_command_reports_unmatched_entries(sample_store):
    result = CliRunner().invoke(app, ["journals", "--journals", "nature-index", "--unmatched", "--format", "csv",
                                      "--store", str(sample_store)])
    assert result.exit_code == 0, result.output
    assert "entries match a source in the store" in result.output and "Water Research" in result.output


_WOS_NATURE = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AF Wu, Wei
TI A record of the journal Nature as Web of Science spells it
SO NATURE
SN 0028-0836
EI 1476-4687
C1 [Wu, Wei] Peking Univ, Beijing, Peoples R China.
PY 2020
UT WOS:000000000000009
ER
EF
"""


def test_a_list_file_matches_by_issn_before_title(tmp_path):
    """Issue 15: an ISSN line matches a work's issn_l or any of its ISSNs (OpenAlex and exports alike); a line
    of ISSNs and a title falls back to the title; an ISSN whose check character does not fit is an error."""
    from tests._export_fakes import FakeMatcher

    def journal(n, name, issn_l=None, issns=None):
        return {"source": {"id": f"https://openalex.org/S{n}", "display_name": name, "issn_l": issn_l, "issn": issns}}

    records = [
        work("W1", [[("I1", "US")]], primary_location=journal(1, "Nature", "0028-0836", ["0028-0836", "1476-4687"])),
        work("W2", [[("I1", "US")]], primary_location=journal(1, "Nature", "0028-0836", ["0028-0836", "1476-4687"])),
        work("W3", [[("I2", "JP")]], primary_location=journal(2, "Nature Communications", "2041-1723", ["2041-1723"])),
        work("W4", [[("I2", "JP")]], primary_location=journal(3, "Science")),  # no ISSN known
        work("W5", [[("I2", "JP")]], primary_location=journal(4, "Cell", "0092-8674", ["0092-8674"])),
    ]
    atlas = collabatlas.open(":memory:")
    atlas.ingest(write_jsonl(tmp_path / "w.jsonl", records))
    (tmp_path / "nature.txt").write_text(_WOS_NATURE, encoding="utf-8")
    atlas.ingest(tmp_path / "nature.txt", matcher=FakeMatcher())
    listing = tmp_path / "issns.txt"
    listing.write_text("1476-4687\n2041-1723\n0036-8075; Science\n0092-8674\tNature\n0000-0019\n", encoding="utf-8")
    parsed = jl.load_list(str(listing))
    assert parsed.issns == ("1476-4687", "2041-1723", "0036-8075", "0092-8674", "0000-0019") and parsed.titles == ()
    found = atlas.journals(str(listing))
    got = sorted((r.line, r.source_id if isinstance(r.source_id, str) else "", r.source_name, r.matched_by, r.works)
                 for r in found.itertuples() if isinstance(r.source_name, str))
    assert got == [
        (1, "", "NATURE", "ISSN", 1),  # the WoS record (no source id): its EI
        (1, "S1", "Nature", "ISSN", 2),  # the OpenAlex source: one of its ISSNs, not its issn_l
        (2, "S2", "Nature Communications", "ISSN", 1),
        (3, "S3", "Science", "title (no ISSN matched)", 1),
        (4, "S4", "Cell", "ISSN", 1),  # the ISSN wins: the title on the line is not used
    ]
    assert list(found[found["line"] == 5]["source_name"].isna()) == [True]  # a valid ISSN no work has
    c = atlas.counting_for("country", journals=str(listing))
    from collabatlas.counting import rules as counting

    scores = atlas._df(counting.scores_sql(c)).set_index("unit")
    assert dict(scores["count"]) == {"US": 2, "CN": 1, "JP": 3}  # W1, W2; the WoS record; W3, W4, W5
    listing.write_text("Nature\n0028-0837\n", encoding="utf-8")
    with pytest.raises(jl.JournalError, match=r"issns.txt, line 2: '0028-0837' is not a valid ISSN .*'6'"):
        jl.load_list(str(listing))
