"""A development set for the country of addresses that name none (issue 29): real addresses with their
country part removed.

OpenAlex's own no-country strings in ``DATA`` are only a few dozen distinct ones (``benchmarks.eval_countries``
``openalex_no_country``). To steer by more, every real address that *names* a country — the WoS, Scopus and
PubMed export addresses (read in place with collabatlas's readers, never copied) and the Crossref / S2AFF
gold strings — loses its trailing components up to and including the one the address rules
(:func:`collabatlas.affiliations.address_country.resolve_country`) read the country from, until the rest
names none: ``Fudan Univ, Dept Phys, Shanghai 200433, Peoples R China`` → ``Fudan Univ, Dept Phys,
Shanghai 200433`` with the gold ``CN``; ``Harvard Univ, Cambridge, MA 02138 USA`` → ``Harvard Univ,
Cambridge`` (``US``). A string whose rest is empty is left out.

Each set is split in two by a hash of the stripped string (:func:`half`): ``tune`` (designed on) and
``heldout`` (reported once, at the end; ``python -m benchmarks.eval_countries --heldout``); the gold-set
strings of S2AFF val and the Crossref set's second half are held out whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from collabatlas.affiliations.address_country import resolve_country, split_components, strip_emails


def strip_country(address: str) -> tuple[str, str] | None:
    """(``address`` without its trailing country part, the country that part named), or None when the
    address names no country or nothing is left."""
    gold = resolve_country(address)
    if not gold:
        return None
    parts = split_components(strip_emails(address)[0])
    while parts and resolve_country(", ".join(parts)):
        parts.pop()
    rest = ", ".join(parts).strip(" .")
    return (rest, gold) if rest else None


def half(text: str) -> str:
    """``tune`` or ``heldout``, by the first byte of the string's SHA-256 (stable across runs)."""
    return "tune" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def stripped_sets(data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """``stripped_{exports,gold}_{tune,heldout}``: (stripped string, gold country), distinct strings in
    first-seen order (the first gold wins). The gold-set strings of ``s2aff_val`` and
    ``crossref_second_half`` (reported untouched by ``benchmarks.eval_ror_style``) are all held out."""
    from benchmarks.eval_countries import EXPORT_SETS, export_addresses
    from benchmarks.eval_ror_style import TRAIN_SETS, gold_sets

    gold = gold_sets(data_dir)
    sources = {"exports": [(a, True) for folder in EXPORT_SETS.values() for a in export_addresses(data_dir, folder)],
               "gold": [(t, name in TRAIN_SETS) for name, items in gold.items() for t, _ in items]}
    out: dict[str, list[tuple[str, str]]] = {}
    for name, texts in sources.items():
        seen: dict[str, tuple[str, bool]] = {}
        for text, tunable in texts:
            got = strip_country(text)
            if got and got[0] not in seen:
                seen[got[0]] = (got[1], tunable)
        out[f"stripped_{name}_tune"] = [(t, g) for t, (g, ok) in seen.items() if ok and half(t) == "tune"]
        out[f"stripped_{name}_heldout"] = [(t, g) for t, (g, ok) in seen.items() if not ok or half(t) != "tune"]
    return out
