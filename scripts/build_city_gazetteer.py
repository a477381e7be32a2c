"""Rebuild ``src/collabatlas/refdata/city_gazetteer.csv`` (place name → country) from a ROR data dump.

Run from the project root::

    PYTHONPATH=src python scripts/build_city_gazetteer.py ROR_FILE [ROR_FILE ...]

``ROR_FILE``: ROR records, schema v2 or v1, as JSON Lines (``.jsonl`` / ``.jsonl.gz``) or one JSON array
(``.json`` / ``.json.gz``; the Zenodo dump's ``v*-ror-data.json`` unzipped). Here:
``../shared/data/ror/ror_v2_latest_records.jsonl.gz ../shared/data/ror/ror_v1_only_latest_records.jsonl.gz``.

For every place name an organisation's location gives — its city (GeoNames name) and the first-level
subdivision it lies in (state, province, region) — the table counts the organisations per country, and
how many organisations *in other countries* carry the name as words of one of their names (``Alfred``
in ``Alfred Wegener Institute``, ``Nanyang`` in ``Nanyang Technological University``: a city name that is
also a person's name, a common word or another country's place). Only names with at least 4 letters
whose most frequent country holds at least :data:`KEEP_SHARE` of their organisations are written; which
of them the address rules trust is decided when the table is read
(:func:`collabatlas.affiliations.city_country.gazetteer_verdicts`).

ROR data is CC0; the place names in ROR records come from GeoNames (CC BY 4.0), credited in the table's
header comment lines and in docs/affiliations.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from collabatlas.affiliations.normalisation import normalise_name

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "collabatlas" / "refdata" / "city_gazetteer.csv"
KEEP_SHARE = 0.75
MIN_LETTERS = 4
HEADER = ("# Place names of ROR organisation locations (cities and first-level subdivisions) -> country.\n"
          "# Derived by scripts/build_city_gazetteer.py from ROR records (CC0, https://ror.org); place names from\n"
          "# GeoNames (CC BY 4.0, https://www.geonames.org) as given in the ROR records.\n"
          "# orgs: organisations there in the country; other_orgs: at a place of that name in other countries;\n"
          "# named_elsewhere: organisations in other countries whose name contains the place name as words.\n")


def records(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        if path.name.removesuffix(".gz").endswith(".jsonl"):
            for line in fh:
                if line.strip():
                    yield json.loads(line)
        else:
            yield from json.load(fh)


def places(record: dict) -> tuple[list[tuple[str, str, str]], list[str]]:
    """((name, country, kind) of the record's locations, the organisation's names); the first location's
    country is the organisation's."""
    out = []
    if "locations" in record:  # schema v2
        for loc in record.get("locations") or []:
            g = loc.get("geonames_details") or {}
            code = g.get("country_code")
            out += [(g.get("name"), code, "city"), (g.get("country_subdivision_name"), code, "region")]
        names = [n.get("value") for n in record.get("names") or []
                 if "acronym" not in (n.get("types") or [])]
    else:  # schema v1
        code = (record.get("country") or {}).get("country_code")
        for a in record.get("addresses") or []:
            admin1 = ((a.get("geonames_city") or {}).get("geonames_admin1") or {})
            out += [(a.get("city"), code, "city"), (admin1.get("name"), code, "region"),
                    (admin1.get("ascii_name"), code, "region")]
        names = [record.get("name")] + list(record.get("aliases") or []) + \
            [x.get("label") for x in record.get("labels") or []]
    return [(n, c, k) for n, c, k in out if n and c], [n for n in names if n]


def build(paths: list[Path]) -> list[dict]:
    count: dict[str, Counter] = defaultdict(Counter)      # normalised place → country → organisations
    written: dict[str, Counter] = defaultdict(Counter)    # normalised place → written forms
    kinds: dict[str, Counter] = defaultdict(Counter)
    org_places: list[tuple[str | None, list[str]]] = []
    for path in paths:
        for record in records(path):
            found, names = places(record)
            mine = set()
            for name, code, kind in found:
                key = normalise_name(name)
                if key and key not in mine:
                    count[key][code] += 1
                    mine.add(key)
                written[key][name] += 1
                kinds[key][kind] += 1
            org_places.append((found[0][1] if found else None, names))
    keep = {k for k, c in count.items()
            if len(k.replace(" ", "")) >= MIN_LETTERS and c.most_common(1)[0][1] >= KEEP_SHARE * sum(c.values())}
    longest = max(len(k.split()) for k in keep)
    elsewhere: Counter = Counter()
    top = {k: count[k].most_common(1)[0][0] for k in keep}
    for country, names in org_places:
        grams = set()
        for name in names:
            words = normalise_name(name).split()
            grams |= {" ".join(words[i:i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)}
        for gram in grams & keep:
            elsewhere[gram] += top[gram] != country
    rows = []
    for key in sorted(keep):
        (code, orgs), = count[key].most_common(1)
        rows.append({"written": written[key].most_common(1)[0][0], "code": code,
                     "kind": kinds[key].most_common(1)[0][0], "orgs": orgs,
                     "other_orgs": sum(count[key].values()) - orgs, "named_elsewhere": elsewhere[key]})
    return rows


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    rows = build([Path(p) for p in argv])
    buf = io.StringIO()
    buf.write(HEADER)
    writer = csv.DictWriter(buf, ["written", "code", "kind", "orgs", "other_orgs", "named_elsewhere"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"{OUT}: {len(rows)} names")


if __name__ == "__main__":
    main(sys.argv[1:])
