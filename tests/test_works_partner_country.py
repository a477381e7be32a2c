"""The works of an institution with a partner country (a hotspot of its profile): unit at institution
level, partner at country level; the contributions add up to the hotspot's CS (hand oracle, random
data), from the library, the CLI and the API."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from collabatlas.counting.rules import CountingError
from collabatlas.views.cli import app

from .conftest import work, write_jsonl
from .test_works_drilldown import _records, works


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


#: W1: I1 (US), I2 (FR), I3 (FR), one author each: I1's CS with FR = (1/3 + 1/3) + (1/3 + 1/3) = 4/3
#: W2: I1 (US), I4 (DE): no French partner, not listed
#: W3: one author at I1 (US) and I2 (FR) (1/4 each), one at I5 (US) (1/2): CS with FR = 1/4 + 1/4 = 1/2
HAND = [work("W1", [[("I1", "US")], [("I2", "FR")], [("I3", "FR")]]),
        work("W2", [[("I1", "US")], [("I4", "DE")]]),
        work("W3", [[("I1", "US"), ("I2", "FR")], [("I5", "US")]])]


def test_the_works_with_a_partner_country_by_hand(atlas_of):
    atlas = atlas_of(HAND)
    behind = atlas.works("I1", level="institution", partner_country="fr")
    assert behind["work"].tolist() == ["W1", "W3"]
    assert [round(x, 12) for x in behind["contribution"]] == [round(4 / 3, 12), 0.5]
    assert [round(x, 12) for x in behind["share"]] == [round(1 / 3, 12), 0.25]
    assert [round(x, 12) for x in behind["partner_share"]] == [round(2 / 3, 12), 0.25]
    assert behind.attrs["figure"] == "cs" and _close(behind.attrs["total"], 4 / 3 + 1 / 2)
    hotspots = atlas.profile("I1").hotspots.set_index("country")
    assert _close(hotspots.loc["FR", "cs"], behind.attrs["total"])  # the figure the hotspot shows
    assert atlas.works("I1", level="institution", partner_country="DE")["work"].tolist() == ["W2"]


def test_a_partner_country_is_refused_where_it_does_not_apply(atlas_of):
    atlas = atlas_of(HAND)
    with pytest.raises(CountingError, match="institution"):
        atlas.works("US", partner_country="FR")
    with pytest.raises(CountingError, match="not both"):
        atlas.works("I1", "I2", level="institution", partner_country="FR")
    with pytest.raises(CountingError, match="figure cs"):
        atlas.works("I1", level="institution", figure="share", partner_country="FR")
    with pytest.raises(CountingError, match="unknown country"):
        atlas.works("I1", level="institution", partner_country="XX")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=works)
def test_the_works_add_up_to_every_partner_country_on_random_data(atlas_of, data):
    atlas = atlas_of(_records(data))
    for unit in atlas.scores(level="institution")["unit"]:
        for row in atlas.partner_countries(unit).itertuples():
            total = atlas.works(unit, level="institution", partner_country=row.country).attrs["total"]
            assert _close(total, row.cs), (unit, row.country)


def test_cli_and_api_give_the_same_rows(tmp_path):
    from fastapi.testclient import TestClient

    import collabatlas
    from collabatlas.views.web.app import create_app

    store = tmp_path / "s.duckdb"
    with collabatlas.open(store) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "w.jsonl", HAND))
    result = CliRunner().invoke(app, ["works", "I1", "--level", "institution", "--partner-country", "FR",
                                      "--format", "json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    cli_rows = json.loads(result.output)
    with TestClient(create_app(store)) as client:
        body = client.get("/api/works/I1", params={"level": "institution", "partner_country": "FR"}).json()
        refused = client.get("/api/works/US", params={"partner_country": "FR"})
    assert [r["work"] for r in body["rows"]] == [r["work"] for r in cli_rows] == ["W1", "W3"]
    assert body["meta"]["params"]["partner_country"] == "FR" and body["meta"]["rows"] == 2
    assert refused.status_code == 422 and "institution" in refused.json()["detail"]
