"""The country rules table (``country_rules.csv``, beside this module): how addresses and users write a
country that its ISO name does not cover — Web of Science abbreviations (``Equat Guinea``), colloquial
names (``Holland``), the country's name in another language (``Alemania``, ``Schweiz``, ``États-Unis``:
raw affiliation strings of non-English journals) and historical countries (``Czechoslovakia`` → ISO
3166-3 ``CS``, never one of its successors). Each row names its kind and, for a historical country or an
unknown, the reason. One table serves the address rules (:mod:`collabatlas.affiliations.address_country`)
and the resolver of what a user types (:func:`collabatlas.refdata.country_names.country_code`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from collabatlas.refdata.countries import HISTORICAL_CODES, iso2_codes

_NON_WORD = re.compile(r"[^a-z0-9]+")


# letters that Unicode does not decompose into a base letter and an accent (``Łódź``, ``Tromsø``, ``Æ``)
UNDECOMPOSED_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss",
                                      "đ": "d", "Đ": "D", "ı": "i", "œ": "oe", "Œ": "Oe", "þ": "th", "ð": "d"})


def normalise(text: str) -> str:
    """Fold accents (and the letters of :data:`UNDECOMPOSED_LETTERS`), lower-case, drop dots (``P.R.`` →
    ``pr``), other punctuation → space."""
    folded = unicodedata.normalize("NFKD", text.translate(UNDECOMPOSED_LETTERS))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("#tab#", " ").replace(".", "").replace("'", " ").replace("’", " ").replace("&", " ")
    return " ".join(_NON_WORD.split(folded)).strip()


# explicit variants (WoS abbreviations, historical and colloquial names): one table, one file,
# ``country_rules.csv`` (columns written, code, kind, reason); loaded by :func:`rules_table`
RULES_FILE = "country_rules.csv"
KINDS = ("wos", "variant", "historical", "language")
UNKNOWN = ""  # a rule that resolves to "unknown, with a reason": the address names no single country


@dataclass(frozen=True)
class CountryRule:
    """One row of the rules table: how an address writes a country, and what it resolves to."""
    written: str        # as Web of Science (or another source) writes it
    code: str           # ISO 3166-1 alpha-2, an ISO 3166-3 code of a historical country, or "" (unknown)
    kind: str           # wos (an abbreviation of a current country), historical, variant, language (the
                        # country's name in another language: ``Alemania``, ``Schweiz``; issue 29)
    reason: str         # why (required for historical countries and unknowns)
    line: int           # line in the file (for messages)


@lru_cache(maxsize=1)
def rules_table() -> tuple[CountryRule, ...]:
    """The rows of ``country_rules.csv``, checked: a known code (ISO 3166-1, XK or a historical ISO 3166-3
    code), a reason for each historical or unknown row, no written form twice."""
    return parse_rules(resources.files(__package__).joinpath(RULES_FILE).read_text(encoding="utf-8"))


def parse_written_table(text: str, name: str, make, problem_of) -> tuple:
    """The rows of a table keyed by a written form (``country_rules.csv``, ``country_regions.csv``):
    ``make(row, line)`` builds a row, ``problem_of(rule, key)`` names what is wrong with it (None when
    nothing); a written form that normalises as an earlier one does is refused too. A bad row raises
    ValueError naming the file and line."""
    import csv
    import io

    rows, seen = [], {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        rule = make(row, line)
        key = normalise(rule.written)
        problem = problem_of(rule, key)
        if problem is None and key in seen:
            problem = f"written: {rule.written!r} normalises as line {seen[key]} does"
        if problem:
            raise ValueError(f"{name}:{line}: {problem}")
        seen[key] = line
        rows.append(rule)
    return tuple(rows)


def _rule_problem(rule: CountryRule, key: str) -> str | None:
    if rule.code and rule.code not in iso2_codes() and rule.code not in HISTORICAL_CODES:
        return f"code: not a country code: {rule.code!r}"
    if rule.kind not in KINDS:
        return f"kind: expected wos, variant, historical or language, got {rule.kind!r}"
    if (rule.kind == "historical" or not rule.code) and not rule.reason:
        return "reason: required for a historical country or an unknown"
    return None


def parse_rules(text: str, name: str = RULES_FILE) -> tuple[CountryRule, ...]:
    """Rows of a rules table (the text of ``country_rules.csv``); a bad row raises ValueError naming its line."""
    return parse_written_table(
        text, name, lambda row, line: CountryRule(row["written"].strip(), row["code"].strip(), row["kind"].strip(),
                                                  (row["reason"] or "").strip(), line), _rule_problem)


def country_rule(written: str) -> CountryRule | None:
    """The rules-table row for a written country (``Equat Guinea``), compared normalised; None when none."""
    key = normalise(written)
    return next((r for r in rules_table() if normalise(r.written) == key), None)


@lru_cache(maxsize=1)
def variants() -> dict[str, str]:
    """Normalised written form → code (``""`` for an unknown) from the rules table."""
    return {normalise(r.written): r.code for r in rules_table()}
