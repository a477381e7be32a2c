"""Issue 29: the place gazetteer (``refdata/city_gazetteer.csv``) — its parser, the script that derives it
from a ROR dump (hand-counted oracles on records written here), which places are trusted, and that the
packaged table is what the script makes of the ROR files in ``../shared/data``."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from collabatlas.affiliations.city_country import CityCountries, gazetteer_verdicts, trusted_places
from collabatlas.refdata.city_gazetteer import gazetteer, parse_gazetteer

REPO = Path(__file__).resolve().parents[1]
HEADER = "# a comment\nwritten,code,kind,orgs,other_orgs,named_elsewhere\n"


def _script():
    spec = importlib.util.spec_from_file_location("build_city_gazetteer", REPO / "scripts" / "build_city_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_reads_rows_and_names_the_bad_line():
    rows = parse_gazetteer(HEADER + "Marburg,DE,city,5,0,1\n", "g.csv")
    assert [(r.written, r.code, r.kind, r.orgs, r.other_orgs, r.named_elsewhere, r.line) for r in rows] == [
        ("Marburg", "DE", "city", 5, 0, 1, 3)]
    with pytest.raises(ValueError, match=r"g.csv:3: code: not a country code: 'ZZ'"):
        parse_gazetteer(HEADER + "Marburg,ZZ,city,5,0,1\n", "g.csv")
    with pytest.raises(ValueError, match=r"g.csv:4: kind: expected city or region, got 'town'"):
        parse_gazetteer(HEADER + "Marburg,DE,city,5,0,1\nLyon,FR,town,5,0,1\n", "g.csv")
    with pytest.raises(ValueError, match=r"g.csv:3: orgs: expected a count, got 'x'"):
        parse_gazetteer(HEADER + "Marburg,DE,city,x,0,1\n", "g.csv")
    with pytest.raises(ValueError, match=r"g.csv: expected the columns written,code,kind"):
        parse_gazetteer("written,code\nMarburg,DE\n", "g.csv")


def test_the_packaged_table_loads_and_trusts_measured_places_only():
    rows = gazetteer()
    assert len(rows) > 10_000
    places = trusted_places()
    assert places["marburg"] == "DE" and places["paderborn"] == "DE" and places["tubingen"] == "DE"
    assert places["tuebingen"] == "DE" and places["pyeongtaek"] == "KR"      # spellings
    verdicts = gazetteer_verdicts()
    for name in ("cambridge", "london", "victoria", "punjab", "georgia", "melbourne", "alfred", "nanyang",
                 "baden", "mobile", "surrey"):
        assert verdicts.get(name, "absent") in (None, "absent"), name
    assert "georgia" not in places and "new mexico" not in places                # US state names never


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def _v2(name: str, city: str, country: str, region: str) -> dict:
    return {"names": [{"value": name, "types": ["ror_display"]}, {"value": "ACR", "types": ["acronym"]}],
            "locations": [{"geonames_details": {"name": city, "country_code": country,
                                                "country_subdivision_name": region}}]}


def test_the_script_counts_organisations_per_place_and_the_names_abroad(tmp_path):
    v2 = _write_jsonl(tmp_path / "v2.jsonl.gz", [
        _v2("Univ of Foobarton", "Foobarton", "DE", "Hesse"), _v2("Foobarton Zoo", "Foobarton", "DE", "Hesse"),
        _v2("Foobarton College", "Foobarton", "US", "Ohio"), _v2("Quux Lab", "Quuxville", "FR", "Normandie"),
        _v2("Foobarton Institute of Chemistry", "Elsewhere", "CH", "Zug")])
    v1 = _write_jsonl(tmp_path / "v1.jsonl.gz", [
        {"name": "Quuxville Hospital", "aliases": [], "labels": [], "country": {"country_code": "FR"},
         "addresses": [{"city": "Quuxville", "geonames_city": {"geonames_admin1": {"name": "Normandie",
                                                                                  "ascii_name": "Normandie"}}}]}])
    rows = {r["written"]: r for r in _script().build([v2, v1])}
    # Foobarton: 2 DE, 1 US (share 2/3 < 0.75: not written); Quuxville: 2 FR
    assert "Foobarton" not in rows
    assert rows["Quuxville"] == {"written": "Quuxville", "code": "FR", "kind": "city", "orgs": 2, "other_orgs": 0,
                                 "named_elsewhere": 0}
    assert rows["Normandie"]["orgs"] == 2 and rows["Normandie"]["kind"] == "region"
    assert rows["Hesse"] == {"written": "Hesse", "code": "DE", "kind": "region", "orgs": 2, "other_orgs": 0,
                             "named_elsewhere": 0}
    assert "Zug" not in rows and rows["Elsewhere"]["orgs"] == 1  # "Zug": fewer than four letters


def test_the_gazetteer_names_abroad_are_counted(tmp_path):
    v2 = _write_jsonl(tmp_path / "v2.jsonl.gz", [
        _v2("Alpha", "Zembla", "US", "Ohio"), _v2("Beta", "Zembla", "US", "Ohio"),
        _v2("Zembla Institute", "Paris", "FR", "Ile-de-France"), _v2("Zembla Society", "Lyon", "FR", "Rhone"),
        _v2("Zembla Trust", "Akron", "US", "Ohio")])
    rows = {r["written"]: r for r in _script().build([v2])}
    assert rows["Zembla"]["named_elsewhere"] == 2     # the two French ones; the US one is the same country


def test_the_registry_cities_do_not_override_the_gazetteer():
    cities = CityCountries([("marburg", "US"), ("marburg", "US")])
    assert cities.registry_country("Dept Chem, Marburg") == "DE"


def test_the_packaged_table_is_what_the_script_makes_of_the_shared_ror_files(shared_data):
    files = [shared_data / "ror" / "ror_v2_latest_records.jsonl.gz",
             shared_data / "ror" / "ror_v1_only_latest_records.jsonl.gz"]
    rows = _script().build(files)
    packaged = [(p.written, p.code, p.kind, p.orgs, p.other_orgs, p.named_elsewhere) for p in gazetteer()]
    assert [(r["written"], r["code"], r["kind"], r["orgs"], r["other_orgs"], r["named_elsewhere"])
            for r in rows] == packaged
