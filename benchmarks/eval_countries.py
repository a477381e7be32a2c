"""Country coverage where the address names none (issue 29).

    python -m benchmarks.eval_countries [--heldout]     # writes eval_countries.json

Strings, with the registry = the union of ``DATA/ror`` (as ``benchmarks.eval_ror_style``):

- ``openalex_no_country``: every distinct raw affiliation string of an OpenAlex authorship *without* a
  country in ``DATA/openalex/works_api_sample.jsonl.gz``, ``DATA/openalex_extra/*.jsonl.gz`` and the
  snapshot sample's works (OpenAlex itself found no country for them);
- ``openalex_no_institution_country``: the same files read per affiliation string: every distinct raw
  string none of whose own institutions (``authorships[].affiliations[].institution_ids``) carries a
  country, also in authorships that have a country from another of their strings (a superset of the set
  above, which needs the whole authorship without a country);
- ``crossref_first_half`` / ``crossref_second_half`` / ``s2aff_train`` / ``s2aff_val``: the strings of the
  gold sets for which the address rules find no country;
- ``pubmed_affiliations`` / ``wos_addresses`` / ``scopus_affiliations``: every distinct address string of
  the PubMed, Web of Science and Scopus exports in ``DATA/pubmed``, ``DATA/wos``, ``DATA/scopus`` (read in
  place with collabatlas's own export readers; none is copied): real strings without a structured country
  (PubMed AD lines, WoS C1 addresses, Scopus affiliations);
- ``stripped_{exports,gold}_{tune,heldout}``: the export and gold-set addresses that name a country, with
  that country part removed and the country it named as the gold (:mod:`benchmarks.country_devset`; the
  ``heldout`` halves only with ``--heldout``).

Per set: the share given a country by ``match`` (the matched organisations' countries, else the address
rules', else an unambiguous registry city: ``affiliations.city_country``) — "now" — beside the address
rules plus the matched organisation's country without the city rule ("previous"); and two agreement
figures for the countries given: with the registry countries of the gold organisations (gold sets, where
a gold id is in the registry) or the removed country (stripped sets), and with an independent matcher,
country_converter's regular expressions over the whole string (where it finds exactly one country; it
reads ``Beth Israel`` as Israel, so this is a floor). A string agrees when one of its countries is the other's.
"""

from __future__ import annotations

import glob
import gzip
import json
from pathlib import Path

from benchmarks.country_devset import stripped_sets
from benchmarks.eval_ror_style import gold_sets, union_store
from collabatlas.affiliations.address_country import resolve_country
from collabatlas.affiliations.matching import AffiliationMatcher
from collabatlas.refdata.countries import converter, quiet


def _openalex_authorships(data_dir: Path):
    files = [data_dir / "openalex" / "works_api_sample.jsonl.gz",
             *sorted(Path(p) for p in glob.glob(str(data_dir / "openalex_extra" / "*.jsonl.gz"))),
             *sorted(Path(p) for p in glob.glob(str(data_dir / "openalex" / "snapshot_sample" / "works" / "**"
                                                        / "*.gz"), recursive=True))]
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield from json.loads(line).get("authorships") or []


def openalex_no_country(data_dir: Path) -> list[str]:
    """Raw strings of the OpenAlex authorships without any country."""
    out: dict[str, None] = {}
    for a in _openalex_authorships(data_dir):
        if a.get("countries"):
            continue
        for raw in a.get("raw_affiliation_strings") or [a.get("raw_affiliation_string")]:
            if raw and raw.strip():
                out[raw] = None
    return list(out)


def openalex_no_institution_country(data_dir: Path) -> list[str]:
    """Raw strings none of whose own OpenAlex institutions has a country (per ``affiliations`` entry; an
    authorship without that field: its strings when none of its institutions has a country)."""
    out: dict[str, None] = {}
    for a in _openalex_authorships(data_dir):
        country_of = {i.get("id"): i.get("country_code") for i in a.get("institutions") or []}
        if a.get("affiliations"):
            pairs = [(f.get("raw_affiliation_string"), f.get("institution_ids") or []) for f in a["affiliations"]]
        else:
            pairs = [(raw, list(country_of)) for raw in a.get("raw_affiliation_strings")
                     or [a.get("raw_affiliation_string")]]
        for raw, ids in pairs:
            if raw and raw.strip() and not any(country_of.get(i) for i in ids):
                out[raw] = None
    return list(out)


def export_addresses(data_dir: Path, folder: str) -> list[str]:
    """Every distinct author address string of the export files in ``data_dir/folder``, in file order."""
    from collabatlas.sources.export_readers import reader_for
    from collabatlas.sources.exports import ByteCounter
    from collabatlas.sources.formats import detect_format
    from collabatlas.sources.ingest_report import IngestReport

    out: dict[str, None] = {}
    for path in sorted((data_dir / folder).iterdir()):
        fmt = detect_format(path)
        if fmt not in ("wos", "scopus", "pubmed"):
            continue
        counter = ByteCounter(path)
        try:
            for record in reader_for(fmt, path)(path, IngestReport(), counter):
                for author in record.authors:
                    out.update(dict.fromkeys(a for a in author.addresses if a and a.strip()))
        finally:
            counter.close()
    return list(out)


EXPORT_SETS = {"pubmed_affiliations": "pubmed", "wos_addresses": "wos", "scopus_affiliations": "scopus"}


def _independent(text: str, cc) -> str | None:
    with quiet():
        code = cc.convert(text, to="ISO2", not_found=None)
    return code if isinstance(code, str) and len(code) == 2 else None


def evaluate(data_dir: Path, con=None, heldout: bool = False) -> dict:
    con = con or union_store(data_dir)
    registry = dict(con.execute("SELECT ror_id, country_code FROM ror_institutions").fetchall())
    now = AffiliationMatcher.from_store(con)
    cc = converter()
    sets = {"openalex_no_country": [(t, frozenset()) for t in openalex_no_country(data_dir)],
            "openalex_no_institution_country": [(t, frozenset()) for t in openalex_no_institution_country(data_dir)]}
    sets |= {name: [(t, g) for t, g in items if resolve_country(t) is None]
             for name, items in gold_sets(data_dir).items()}
    sets |= {name: [(t, frozenset()) for t in export_addresses(data_dir, folder)]
             for name, folder in EXPORT_SETS.items()}
    sets |= {name: [(t, country) for t, country in items] for name, items in stripped_sets(data_dir).items()
             if heldout or name.endswith("_tune")}
    result = {}
    for name, items in sets.items():
        n = given = given_before = gold_n = gold_agree = ind_n = ind_agree = 0
        for text, gold in items:
            m = now.match(text)
            countries = set(m.country_codes)
            n += 1
            given += bool(countries)
            given_before += bool(m.ror_id or m.address_country)  # rules + matched organisation only
            gold_countries = {gold} if isinstance(gold, str) else {registry[g] for g in gold if g in registry}
            if countries and gold_countries:
                gold_n += 1
                gold_agree += bool(countries & gold_countries)
            other = _independent(text, cc)
            if countries and other:
                ind_n += 1
                ind_agree += other in countries
        result[name] = {"strings": n, "given_now": round(given / n, 4) if n else 0.0,
                        "given_previous": round(given_before / n, 4) if n else 0.0,
                        "agree_gold": round(gold_agree / gold_n, 4) if gold_n else None, "agree_gold_n": gold_n,
                        "agree_independent": round(ind_agree / ind_n, 4) if ind_n else None,
                        "agree_independent_n": ind_n}
    return result


def summary(result: dict) -> str:
    lines = [f"{'set (gold sets: strings with no address-rule country)':44} {'strings':>8} {'previous':>9} {'now':>7} "
             f"{'agree gold':>14} {'agree coco':>14}"]
    for name, r in result.items():
        gold = "-" if r["agree_gold"] is None else f"{r['agree_gold']:.3f} ({r['agree_gold_n']})"
        ind = "-" if r["agree_independent"] is None else f"{r['agree_independent']:.3f} ({r['agree_independent_n']})"
        lines.append(f"{name:44} {r['strings']:8,} {r['given_previous']:9.3f} {r['given_now']:7.3f} "
                     f"{gold:>14} {ind:>14}")
    return "\n".join(lines)


def main() -> None:
    import sys

    from benchmarks.eval_affiliations import default_data_dir

    result = evaluate(default_data_dir(), heldout="--heldout" in sys.argv[1:])
    Path("eval_countries.json").write_text(json.dumps(result, indent=2))
    print(summary(result))


if __name__ == "__main__":
    main()
