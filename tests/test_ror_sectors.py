"""Sectors from the ROR registry where OpenAlex gives none: OpenAlex types many universities
``funder`` (no sector); with a ROR registry loaded, such an institution takes the first of its
ROR types that has a sector. Hand-checked on three institutions; then on the real samples."""

from __future__ import annotations

import gzip
import json

import pytest
from typer.testing import CliRunner

import collabatlas
from collabatlas.affiliations.ror import apply_ror_types, load_ror
from collabatlas.store import schema as store
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl
from tests.test_ror import v2


def _inst(iid, country, type_, ror):
    return dict(institution(iid, country, type_), ror=f"https://ror.org/{ror}")


UNI = _inst("I1", "JP", "funder", "0aaaaa101")       # a university OpenAlex types funder
FUND = _inst("I2", "US", "funder", "0bbbbb202")      # a real funder: ROR says funder only
CORP = _inst("I3", "DE", "company", "0ccccc303")     # OpenAlex's own type wins
ROR = [v2("0aaaaa101", "University One", types=("education", "funder")),
       v2("0bbbbb202", "Funding Agency", types=("funder",)),
       v2("0ccccc303", "Corp", types=("nonprofit",))]


def _ror_file(tmp_path):
    path = tmp_path / "ror.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in ROR) + "\n").encode()))
    return path


def _sector_shares(atlas) -> dict:
    return dict(zip(*atlas.scores(level="sector")[["unit", "share"]].T.values, strict=True))


def test_funder_typed_university_is_academic_once_ror_is_loaded(tmp_path):
    # one work, three authors: I1, I2, I3
    path = tmp_path / "store.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[UNI], [FUND], [CORP]])]))
        assert _sector_shares(atlas) == pytest.approx({"corporate": 1 / 3})  # I1, I2: no sector
        version = atlas.data_version
    runner = CliRunner()
    result = runner.invoke(app, ["ror", "load", str(_ror_file(tmp_path)), "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "sector comes from ROR" in result.stdout
    with collabatlas.open(path, read_only=True) as atlas:
        assert atlas.data_version == version + 1 and atlas.unit_shares_saved
        # I1 → academic (first ROR type with a sector); I2 stays without (ROR: funder only); I3 company
        assert _sector_shares(atlas) == pytest.approx({"academic": 1 / 3, "corporate": 1 / 3})
        types = dict(atlas.con.execute("SELECT institution_id, ror_type FROM institutions").fetchall())
        assert types == {"I1": "education", "I2": None, "I3": None}
        assert atlas.institution_attributes().loc[atlas.resolve_unit("institution", "I1"), "type"] == "education"
        assert atlas.industry().empty is False  # I3 corporate with an academic partner now
    # loading the same registry again changes nothing: no new data version
    assert runner.invoke(app, ["ror", "load", str(_ror_file(tmp_path)), "--store", str(path)]).exit_code == 0
    with collabatlas.open(path, read_only=True) as atlas:
        assert atlas.data_version == version + 1


def test_ingest_after_ror_load_applies_ror_types_and_later_openalex_types_win(tmp_path):
    with collabatlas.open(":memory:") as atlas:
        load_ror(atlas.con, [_ror_file(tmp_path)])
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", [work("W1", [[UNI], [CORP]])]))
        assert _sector_shares(atlas) == pytest.approx({"academic": 0.5, "corporate": 0.5})
        # OpenAlex re-types I1 as education: its own type gives the sector, ror_type is cleared
        newer = dict(UNI, type="education")
        atlas.ingest(write_jsonl(tmp_path / "w2.jsonl", [work("W2", [[newer]], updated="2025-01-01T00:00:00")]))
        assert atlas.con.execute("SELECT ror_type FROM institutions WHERE institution_id = 'I1'").fetchone() == (None,)
        assert apply_ror_types(atlas.con) == 0


def test_real_sample_funder_universities_get_a_sector(shared_data, tmp_path):
    with collabatlas.open(tmp_path / "real.duckdb") as atlas:
        atlas.ingest(shared_data / "openalex" / "works_api_sample.jsonl.gz")
        before = atlas.scores(level="sector")["share"].sum()
        funders = atlas.con.execute("SELECT count(*) FROM institutions WHERE lower(type) = 'funder'").fetchone()[0]
        report = load_ror(atlas.con, sorted((shared_data / "ror").glob("ror_v*_records.jsonl.gz")))
        atlas.refresh()
        typed = atlas.con.execute("SELECT count(*) FROM institutions WHERE ror_type IS NOT NULL").fetchone()[0]
        after = atlas.scores(level="sector")["share"].sum()
    assert funders > 0 and 0 < typed <= funders and report.sector_types_changed == typed
    assert after > before  # parts that had no sector now have one; none is lost


def test_read_only_open_of_an_older_schema_says_how_to_upgrade(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    store.meta_set(con, "schema_version", "4")
    con.close()
    with pytest.raises(store.StoreError, match="refresh"):
        store.connect(path, read_only=True)
    store.connect(path).close()  # a writable open upgrades it
    store.connect(path, read_only=True).close()
