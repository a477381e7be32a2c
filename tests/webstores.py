"""Small hand-made stores for the dashboard tests: works whose institutions have coordinates (so a
collaboration distance can be measured), names holding HTML, and country-pair aggregates from a
CSV written here (``Atlas.ingest_country_pairs``)."""

from __future__ import annotations

from pathlib import Path

import collabatlas

from .conftest import institution, work, write_jsonl

TOKYO, KYOTO, BOSTON, LONDON, BEIJING = (35.6895, 139.6917), (35.0116, 135.7681), (42.3601, -71.0589), \
    (51.5074, -0.1278), (39.9042, 116.4074)
#: names that would run script or break markup if any view pasted them as HTML
HOSTILE = {"I1": 'Tokyo <b>Univ</b> & "Lab"', "I3": '<img src=x onerror="window.pwned=1">Boston</img>',
           "I4": "London </script><script>window.pwned=2</script>"}
PLACES = {"I1": ("JP", TOKYO), "I2": ("JP", KYOTO), "I3": ("US", BOSTON), "I4": ("GB", LONDON),
          "I5": ("CN", BEIJING), "I6": ("US", None)}

PAIRS_CSV = """year,country_a,country_b,works
2019,JP,JP,5000
2019,JP,US,410
2019,US,JP,410
2019,JP,GB,150
2019,GB,JP,150
2020,JP,JP,5200
2020,JP,US,430
2020,US,JP,430
2020,JP,CN,370
2020,CN,JP,370
2021,JP,JP,5300
2021,JP,US,455
2021,US,JP,455
2021,JP,GB,190
2021,GB,JP,190
"""
#: JP's partners in PAIRS_CSV over 2019-2021
PAIR_TOTALS = {"US": 1295, "CN": 370, "GB": 340}


def _entity(iid: str, geocoded: bool = True) -> dict:
    country, where = PLACES[iid]
    record = {**institution(iid, country), "updated_date": "2024-01-01T00:00:00",
              "display_name": HOSTILE.get(iid, f"Institution {iid}")}
    record["geo"] = ({"country_code": country, "latitude": where[0], "longitude": where[1]}
                     if where and geocoded else {})
    return record


def _works() -> list[dict]:
    i = {iid: _entity(iid) for iid in PLACES}
    return [
        work("W1", [[i["I1"]], [i["I3"]]], year=2019),            # Tokyo-Boston: >= 5,000 km
        work("W2", [[i["I1"]], [i["I4"]]], year=2019),            # Tokyo-London: >= 5,000 km
        work("W3", [[i["I2"]], [i["I5"]]], year=2020),            # Kyoto-Beijing: 1,000-3,000 km
        work("W4", [[i["I1"]], [i["I2"]], [i["I3"]]], year=2020),  # largest pair Tokyo/Kyoto-Boston
        work("W5", [[i["I1"]], [i["I6"]]], year=2021),            # US partner without coordinates
        work("W6", [[i["I1"]], [i["I2"]]], year=2021),            # domestic
        work("W7", [[i["I3"]], [i["I4"]]], year=2021),            # Boston-London, no JP
        work("W8", [[i["I1"]], [i["I3"]], [i["I4"]]], year=2021),
    ]


def hand_store(path: Path, geocoded: bool = True, pairs: bool = False) -> Path:
    """A store of the hand-made works above at ``path`` (``geocoded``: with the institutions'
    coordinates; ``pairs``: with the country-pair aggregates of :data:`PAIRS_CSV`)."""
    folder = path.parent / f"{path.stem}-in"
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "works.jsonl", _works())
    write_jsonl(folder / "institutions.jsonl", [_entity(iid, geocoded) for iid in PLACES])
    with collabatlas.open(path) as atlas:
        atlas.ingest(folder)
        if pairs:
            csv = folder.parent / f"{path.stem}-pairs.csv"
            csv.write_text(PAIRS_CSV)
            atlas.ingest_country_pairs(csv)
    return path
