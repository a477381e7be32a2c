"""Rebuild the reference data packaged in ``src/collabatlas/refdata/files`` and its manifest.

Run from the project root: ``python scripts/build_refdata.py [SHARED_DATA_DIR] [WORLD_ATLAS_DIR]``.
SHARED_DATA_DIR defaults to ../shared/data; WORLD_ATLAS_DIR is the unpacked npm package
``world-atlas`` (``npm pack world-atlas@2 && tar xzf world-atlas-*.tgz`` gives ``package/``).
Large text files are stored gzip-compressed (mtime 0, so the checksum depends on the content only).
The manifest records, for every dataset, where it comes from, its licence, when it was retrieved,
its row count and its SHA-256; ``collabatlas data info`` prints it and every load checks it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "collabatlas" / "refdata" / "files"

# name, packaged file, path in the shared-data layout (what --data DIR / $COLLABATLAS_DATA may hold),
# compress, title, publisher / origin, source URL, licence, version / retrieved, update URL (same format) or None
DATASETS = [
    ("country-codes", "country-codes.csv", "indicators/country-codes.csv", False,
     "ISO 3166 codes, UN M49 regions and sub-regions, country names (Frictionless country-codes)",
     "datasets/country-codes (Frictionless Data)", "https://github.com/datasets/country-codes",
     "PDDL-1.0 (ODC Public Domain Dedication and Licence)", "2024",
     "https://raw.githubusercontent.com/datasets/country-codes/main/data/country-codes.csv"),
    ("wb-countries", "WDI_R_package_country_income_region.csv", "indicators/WDI_R_package_country_income_region.csv",
     False, "World Bank countries: current income group, region, capital and its coordinates",
     "World Bank WDI (via the WDI R package country table)", "https://datahelpdesk.worldbank.org/knowledgebase/articles/906519",
     "CC BY 4.0", "current at retrieval (undated file)", None),
    ("wb-income-history", "Country_Income_Classification_-_World_Bank_2017_.csv.gz",
     "indicators/Country_Income_Classification_-_World_Bank_2017_.csv", True,
     "World Bank income classification by year, 1987-2016 (codes 1 low ... 4 high)",
     "Our World in Data, from the World Bank", "https://ourworldindata.org/grapher/world-banks-income-groups",
     "CC BY 4.0", "2017 edition (1987-2016)", None),
    ("wdi", "wdi_gerd_researchers_gdppc_long.csv.gz", "indicators/wdi_gerd_researchers_gdppc_long.csv", True,
     "WDI GERD % of GDP (GB.XPD.RSDV.GD.ZS), researchers per million (SP.POP.SCIE.RD.P6), "
     "GDP per capita (NY.GDP.PCAP.CD)",
     "World Bank World Development Indicators", "https://data.worldbank.org/indicator/GB.XPD.RSDV.GD.ZS",
     "CC BY 4.0", "WDI last updated 2026-07-13", "worldbank-api"),
    ("population", "population.csv.gz", "indicators/population.csv", True,
     "Population by country and year (World Bank SP.POP.TOTL via Frictionless)",
     "datasets/population (Frictionless Data), from the World Bank", "https://github.com/datasets/population",
     "PDDL-1.0 (data: World Bank, CC BY 4.0)", "2024",
     "https://raw.githubusercontent.com/datasets/population/main/data/population.csv"),
    ("trust", "Trust_World_Value_Survey.csv", "indicators/Trust_World_Value_Survey.csv", False,
     "World Values Survey: share agreeing 'most people can be trusted' (general trust), 98 countries, 1984-2014",
     "Our World in Data, from the World Values Survey", "https://ourworldindata.org/trust",
     "CC BY 4.0", "WVS 2014 (OWID)", None),
    ("nsf-gerd-2019", "table_6304_data.csv", "indicators/table_6304_data.csv", False,
     "NSF NCSES table 6304 (RD-5): GERD in millions of PPP dollars and GERD % of GDP, 2019 or latest year",
     "US National Science Foundation, NCSES, Science and Engineering Indicators", "https://ncses.nsf.gov/indicators",
     "Public domain (US Government work)", "2019-20 edition", None),
    ("nsf-gerd-2017", "table_1875_data.csv", "indicators/table_1875_data.csv", False,
     "NSF NCSES table 1875 (4-5): GERD in millions of PPP dollars and GERD % of GDP, 2017 or latest year",
     "US National Science Foundation, NCSES, Science and Engineering Indicators", "https://ncses.nsf.gov/indicators",
     "Public domain (US Government work)", "2017 edition", None),
    ("bri", "belt_and_road_countries_2020-01_iso.csv", "indicators/belt_and_road_countries_2020-01_iso.csv", False,
     "Belt and Road Initiative: the 137 countries that had signed cooperation documents, list of January 2020",
     "Belt and Road Portal list, as compiled by chaosWsF/Python-Practice; names mapped to ISO codes",
     "https://github.com/chaosWsF/Python-Practice", "BSD-2-Clause", "2020-01", None),
    ("world-110m", "countries-110m.json", None, False,
     "World country outlines, Natural Earth 1:110m (TopoJSON; ids are ISO 3166-1 numeric)",
     "world-atlas 2.0.2 (npm), from Natural Earth", "https://github.com/topojson/world-atlas",
     "ISC (world-atlas); Natural Earth is public domain", "2.0.2", "npm:world-atlas/countries-110m.json"),
    ("world-50m", "countries-50m.json", None, False,
     "World country outlines, Natural Earth 1:50m (TopoJSON; ids are ISO 3166-1 numeric)",
     "world-atlas 2.0.2 (npm), from Natural Earth", "https://github.com/topojson/world-atlas",
     "ISC (world-atlas); Natural Earth is public domain", "2.0.2", "npm:world-atlas/countries-50m.json"),
    ("nature-index-145", "nature_index_journals_145_2023-.txt", "nature_index/nature_index_journals_145_2023-.txt",
     False, "Nature Index journals since June 2023 (145 titles, natural and health sciences)",
     "Nature Index (Springer Nature), list as published; titles only",
     "https://www.nature.com/nature-index/faq", "factual list of titles", "2023-06", None),
    ("openalex-sample", "works_api_sample.jsonl.gz", "openalex/works_api_sample.jsonl.gz", False,
     "177 OpenAlex works (API responses, full Work JSON): the demo's sample when no data folder is given",
     "OpenAlex (via the test fixtures of rkrug/openalexPro and b-vitamins/openalex-python)",
     "https://openalex.org", "CC0 1.0 (OpenAlex data)", "API responses of 2024-2025", None),
    ("nature-index-82", "nature_index_journals_82_2018-2023.txt", "nature_index/nature_index_journals_82_2018-2023.txt",
     False, "Nature Index journals June 2018 - June 2023 (82 titles, natural sciences)",
     "Nature Index (Springer Nature), list as published; titles only",
     "https://www.nature.com/nature-index/faq", "factual list of titles", "2018-06", None),
]


def rows_of(name: str, data: bytes) -> int:
    if name.startswith("world-"):
        topo = json.loads(data)
        return len(next(iter(topo["objects"].values()))["geometries"])
    if name == "openalex-sample":
        return sum(1 for line in gzip.decompress(data).splitlines() if line.strip())
    text = data.decode("utf-8-sig")
    if name.startswith("nature-index"):
        return sum(1 for line in text.splitlines() if line.strip())
    return sum(1 for _ in csv.reader(io.StringIO(text))) - 1


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    atlas = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/package")
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, file, layout, compress, title, publisher, url, licence, version, update in DATASETS:
        source = atlas / file if layout is None else shared / layout
        data = source.read_bytes()
        rows = rows_of(name, data)
        stored = gzip.compress(data, mtime=0) if compress else data
        (OUT / file).write_bytes(stored)
        manifest.append({
            "name": name, "file": file, "layout_path": layout, "title": title, "publisher": publisher,
            "source_url": url, "licence": licence, "version": version, "retrieved": "2026-11",
            "rows": rows, "bytes": len(stored), "sha256": hashlib.sha256(stored).hexdigest(), "update": update,
        })
    (OUT.parent / "manifest.json").write_text(json.dumps({"datasets": manifest}, indent=1) + "\n")
    print(f"{len(manifest)} datasets, {sum(m['bytes'] for m in manifest):,} bytes in {OUT}")


if __name__ == "__main__":
    main()
