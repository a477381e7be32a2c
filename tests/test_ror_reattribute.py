"""Issue 28: exports ingested before `ror load` are re-attributed by it (no second ingest), and issue 25:
re-ingesting the same files once a registry is loaded is a no-op (the data version stays)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from collabatlas.atlas import Atlas
from collabatlas.store import schema as store
from collabatlas.views.cli import app
from tests.conftest import institution, work, write_jsonl

EXPORT = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Ann, A
   Bob, B
   Cy, C
AF Ann, Alice
   Bob, Bert
   Cy, Carl
TI A sufficiently long title about re-attributing addresses
DI 10.1000/REATTR
C1 [Ann, Alice; Bob, Bert] Univ Tokyo, Dept Phys, Tokyo 1130033, Japan.
   [Bob, Bert] Univ Tokyo, Dept Chem, Tokyo 1130033, Japan.
   [Bob, Bert] Univ Utah, Salt Lake City, UT 84112 USA.
   [Cy, Carl] Nowhere Lab, Atlantis.
PY 2020
UT WOS:000000000000901
ER

EF
"""


def _v2(rid: str, name: str, country: str, city: str) -> dict:
    return {"id": f"https://ror.org/{rid}", "names": [{"value": name, "types": ["ror_display"], "lang": None}],
            "types": ["education"], "status": "active",
            "locations": [{"geonames_details": {"country_code": country, "name": city}}]}


def _files(tmp_path):
    export = tmp_path / "savedrecs.txt"
    export.write_text(EXPORT)
    registry = tmp_path / "ror.jsonl"
    registry.write_text("\n".join(json.dumps(r) for r in (
        _v2("057zh3y96", "The University of Tokyo", "JP", "Tokyo"),
        _v2("03r0ha626", "University of Utah", "US", "Salt Lake City"))))
    return export, registry


def _scores(db, level: str) -> dict:
    with Atlas(db) as atlas:
        return {r.unit: (r.count, round(r.share, 10)) for r in atlas.scores(level=level).itertuples()}


def test_ror_load_reattributes_exports_ingested_before(tmp_path):
    export, registry = _files(tmp_path)
    runner = CliRunner()
    late, early = tmp_path / "late.duckdb", tmp_path / "early.duckdb"
    assert runner.invoke(app, ["ingest", str(export), "--store", str(late)]).exit_code == 0
    assert _scores(late, "institution") == {}  # no registry: institutions empty
    loaded = runner.invoke(app, ["ror", "load", str(registry), "--store", str(late)], env={"COLUMNS": "200"})
    assert loaded.exit_code == 0, loaded.output
    assert "3 export addresses ingested before now match a ROR organisation: 1 works re-attributed" in \
        " ".join(loaded.stderr.split())
    # hand oracle: Ann (Tokyo) 1/3; Bob (Tokyo Phys + Tokyo Chem = one institution, Utah) 1/6 each; Cy (no
    # institution, no country) counts for none
    institutions = _scores(late, "institution")
    assert institutions == {"057zh3y96": (1, round(1 / 3 + 1 / 6, 10)), "03r0ha626": (1, round(1 / 6, 10))}
    # the same as loading the registry first, then ingesting
    assert runner.invoke(app, ["ror", "load", str(registry), "--store", str(early)]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(export), "--store", str(early)]).exit_code == 0
    for level in ("institution", "country", "sector"):
        assert _scores(late, level) == _scores(early, level), level
    con = store.connect(late, read_only=True)
    bob = con.execute("SELECT n_institutions, n_countries FROM authorships WHERE author_position = 2").fetchone()
    assert bob == (2, 2)  # two Tokyo addresses are one institution now
    assert con.execute("SELECT count(*) FROM institutions WHERE origin = 'address'").fetchone()[0] == 1  # Atlantis
    con.close()


def test_reingest_with_a_registry_is_a_no_op(tmp_path):
    export, registry = _files(tmp_path)
    db = tmp_path / "s.duckdb"
    with Atlas(db) as atlas:
        from collabatlas.affiliations.ror import load_ror

        load_ror(atlas.con, [registry])
        # an OpenAlex institution typed funder takes its sector from its ROR type (ror_type): re-staging it
        # used to clear that type, so every re-ingest counted as a change
        funder = {**institution("I9", "JP", "funder"), "ror": "https://ror.org/057zh3y96"}
        openalex = write_jsonl(tmp_path / "works.jsonl", [work("W1", [[funder], [("I8", "JP")]])])
        first = atlas.ingest([export, openalex])
        assert atlas.con.execute("SELECT ror_type FROM institutions WHERE institution_id = 'I9'").fetchone() == (
            "education",)
        versions = [first.data_version] + [atlas.ingest([export, openalex]).data_version for _ in range(2)]
        assert versions == [first.data_version] * 3
        assert atlas.con.execute("SELECT count(*) FROM ingest_log").fetchone()[0] == 1


MULTI = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Ann, A
   Bob, B
AF Ann, Alice
   Bob, Bert
TI A sufficiently long title about addresses naming two organisations
DI 10.1000/MULTI
C1 [Ann, Alice] Jet Propulsion Laboratory, California Institute of Technology, Pasadena, CA 91109 USA.
   [Bob, Bert] Univ Tokyo, Tokyo 1130033, Japan.
PY 2021
UT WOS:000000000000902
ER

EF
"""


def test_an_address_naming_two_organisations_splits_the_authors_part(tmp_path):
    """Issue 29: attribution splits an author's part over the organisations one address names, as over
    several addresses (hand oracle: Ann's half is a quarter each for JPL and Caltech)."""
    from collabatlas.affiliations.matching import AffiliationMatcher

    export = tmp_path / "multi.txt"
    export.write_text(MULTI)
    institutions = [("057zh3y96", "The University of Tokyo", ["education"], "JP", "Tokyo", "active"),
                    ("05dxps055", "California Institute of Technology", ["education"], "US", "Pasadena", "active"),
                    ("027k65916", "Jet Propulsion Laboratory", ["government"], "US", "Pasadena", "active")]
    names = [(rid, name, "ror_display") for rid, name, *_ in institutions]
    matcher = AffiliationMatcher(institutions, names, min_confidence=0, multi_confidence=0)
    assert set(matcher.match("Jet Propulsion Laboratory, California Institute of Technology, Pasadena, "
                             "CA 91109 USA").ror_ids) == {"05dxps055", "027k65916"}
    registry = tmp_path / "ror.jsonl"
    registry.write_text("\n".join(json.dumps(_v2(rid, name, c, city)) for rid, name, _, c, city, _ in institutions))
    db = tmp_path / "s.duckdb"
    with Atlas(db) as atlas:
        from collabatlas.affiliations.ror import load_ror

        load_ror(atlas.con, [registry])
        atlas.ingest(export, matcher=matcher)
        shares = {r.unit: round(r.share, 10) for r in atlas.scores(level="institution").itertuples()}
        countries = {r.unit: round(r.share, 10) for r in atlas.scores(level="country").itertuples()}
    assert shares == {"057zh3y96": 0.5, "05dxps055": 0.25, "027k65916": 0.25}
    assert countries == {"JP": 0.5, "US": 0.5}
