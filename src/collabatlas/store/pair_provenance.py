"""Where a store's country-pair table comes from: its provider and retrieval date, kept with the table.

``collabatlas ingest-pairs FILE`` records them in the store (``store_meta``), so every caption and
``meta`` of a ``--source pairs`` answer can name the source ("OpenAlex country-pair table, as
retrieved on 27 Aug 2024"). They are given with ``--provider`` / ``--retrieved``, or read from the
data folder's README.md (the section that names the file or its folder: "as retrieved on <date>"),
or, for the provider only, from the file name (``openalex_…``). Nothing found is said, never guessed:
"retrieval date not recorded".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from collabatlas.store.schema import meta_get, meta_set

META_KEY = "country_pairs_provenance"
#: "retrieved on 27 Aug 2024", "retrieved on 2024-08-27", "retrieved on August 27, 2024" (across a line break)
_RETRIEVED = re.compile(r"retrieved\s+on\s+(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|"
                        r"[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})")
_PROVIDERS = ("OpenAlex", "Dimensions", "Scopus", "Web of Science", "Lens")
NOT_RECORDED = "retrieval date not recorded"


@dataclass(frozen=True)
class PairProvenance:
    provider: str | None = None
    retrieved: str | None = None
    file: str | None = None

    @property
    def label(self) -> str:
        """``OpenAlex country-pair table, as retrieved on 27 Aug 2024`` (what every caption names)."""
        what = f"{self.provider} country-pair table" if self.provider else "country-pair table (ingest-pairs)"
        return f"{what}, as retrieved on {self.retrieved}" if self.retrieved else f"{what}, {NOT_RECORDED}"


def _readme_section(path: Path) -> str | None:
    """The README.md section (of the file's folder or the one above) that names the file or its folder."""
    for folder in (path.parent, path.parent.parent):
        readme = folder / "README.md"
        if not readme.is_file():
            continue
        try:
            text = readme.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        sections = re.split(r"(?m)^(?=#)", text)
        for section in sections:
            if path.name in section or (folder != path.parent and f"{path.parent.name}/" in section.split("\n", 1)[0]):
                return section
    return None


def detect(path: str | Path, provider: str | None = None, retrieved: str | None = None) -> PairProvenance:
    """The provenance of the pair file ``path``: the given values, else what its README says, else the
    provider named in its file name."""
    path = Path(path)
    section = _readme_section(path) if provider is None or retrieved is None else None
    if retrieved is None and section:
        found = _RETRIEVED.search(section)
        retrieved = " ".join(found.group(1).split()) if found else None
    if provider is None:
        haystack = (section.split("\n", 1)[0] if section else "") + " " + path.name
        provider = next((p for p in _PROVIDERS if p.lower().replace(" ", "") in haystack.lower().replace(" ", "")),
                        None)
    return PairProvenance(provider=provider, retrieved=retrieved, file=path.name)


def save(con: duckdb.DuckDBPyConnection, provenance: PairProvenance) -> None:
    meta_set(con, META_KEY, json.dumps(provenance.__dict__))


def load(con: duckdb.DuckDBPyConnection) -> PairProvenance:
    """The provenance saved by the last ``ingest-pairs`` (empty when none was recorded)."""
    try:
        raw = meta_get(con, META_KEY)
    except duckdb.Error:
        return PairProvenance()
    return PairProvenance(**json.loads(raw)) if raw else PairProvenance()
