"""What an ingest did: files, records read, stored, replaced, and every skipped record with its reason.

Accounting: every record read ends in exactly one bucket, so ``unaccounted`` is always 0::

    records_read = works_inserted + works_replaced + works_unchanged + duplicates_merged
                   + works_superseded_in_input + institution_records + records_skipped

(records_skipped by reason; an institution entity record is stored, updated or an older copy, all
counted in ``institution_records``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

MAX_MESSAGES = 200  # messages kept verbatim; every problem is still counted

#: skip reasons that mean a file is damaged (cannot be parsed): ``collabatlas ingest`` then exits with
#: DAMAGED_EXIT_CODE after printing the summary, so scripts can tell
DAMAGE_REASONS = frozenset({"malformed JSON line", "malformed JSON record (over several lines)",
                            "malformed JSON document", "truncated or corrupt gzip", "truncated or corrupt file",
                            # export readers (collabatlas.sources.wos, bibtex, pubmed, textread)
                            "unterminated WoS record (no ER before the next PT)",
                            "unterminated WoS record (file ends before ER)",
                            "unterminated BibTeX entry (braces never close)",
                            "malformed or truncated XML record",
                            "malformed CSV row (a quote that does not close; the lines after it are read again)",
                            "row cut short at the end of the file (truncated file)"})
DAMAGED_EXIT_CODE = 3


@dataclass
class FileStat:
    path: str
    entity: str
    records: int = 0
    bytes: int = 0
    reader: str = "fast"  # "fast" (DuckDB read_json), "careful" (line-by-line validation), or the export reader


@dataclass
class IngestReport:
    files: list[FileStat] = field(default_factory=list)
    records_read: int = 0
    works_read: int = 0
    institutions_read: int = 0
    works_inserted: int = 0
    works_replaced: int = 0
    works_unchanged: int = 0  # already stored with the same or a newer updated_date
    works_superseded_in_input: int = 0  # an older copy of a work that appears again in this input
    duplicates_merged_by_doi: int = 0  # a record from another source merged into a work by DOI
    duplicates_merged_by_title: int = 0  # ... by normalised title + year + first-author surname
    institutions_inserted: int = 0
    institutions_updated: int = 0
    institution_records: int = 0  # institution entity records taken into the merge
    skipped_institutions: int = 0  # of records_skipped: institution records
    skipped: Counter = field(default_factory=Counter)  # reason -> records
    warnings: Counter = field(default_factory=Counter)  # reason -> records kept with a field blanked
    files_skipped: Counter = field(default_factory=Counter)  # reason -> files
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unit_shares_seconds: float = 0.0  # saving per-level unit shares after the ingest (Atlas.ingest)
    aggregates_seconds: float = 0.0  # saving the per-year aggregates built from them (Atlas.ingest)
    data_version: int = 0
    #: works whose saved unit shares this ingest changed (new, replaced, merged away, or naming an
    #: institution whose attributes changed): what incremental maintenance recomputes (collabatlas.ingest.maintenance)
    works_recounted: int = 0
    works_merged_away: int = 0  # stored works removed because OpenAlex merged them into another (sync)
    #: how the saved unit shares and aggregates were brought up to date: "incremental", "full rebuild", ""
    derived_update: str = ""
    changed: bool = True  # False: the store already held all of it (no new data version, no log row)

    def skip(self, reason: str, where: str, n: int = 1, entity: str = "works") -> None:
        """Count ``n`` records skipped for ``reason``; ``where`` names file and line/record."""
        self.skipped[reason] += n
        if entity == "institutions":
            self.skipped_institutions += n
        self.note(f"{where}: {reason}" + (f" ({n} records)" if n > 1 else ""))

    def warn(self, reason: str, n: int = 1) -> None:
        self.warnings[reason] += n

    def note(self, message: str) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)
        elif len(self.messages) == MAX_MESSAGES:
            self.messages.append("... further messages omitted (all are counted above)")

    def count_read(self, entity: str, n: int) -> None:
        """``n`` records of ``entity`` read (valid or not)."""
        self.records_read += n
        if entity == "works":
            self.works_read += n
        else:
            self.institutions_read += n

    @property
    def records_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def unaccounted(self) -> int:
        """Records read that are in no bucket (0 unless something is wrong; negative: counted twice)."""
        return self.records_read - (self.works_inserted + self.works_replaced + self.works_unchanged
                                    + self.duplicates_merged + self.works_superseded_in_input
                                    + self.institution_records + self.records_skipped)

    @property
    def damaged(self) -> int:
        """Records lost to damaged files (see ``DAMAGE_REASONS``)."""
        return sum(n for reason, n in self.skipped.items() if reason in DAMAGE_REASONS)

    @property
    def duplicates_merged(self) -> int:
        return self.duplicates_merged_by_doi + self.duplicates_merged_by_title

    def merged_summary(self) -> str:
        """``merged: 12 duplicates (9 by DOI, 3 by title+year+author)``"""
        return (f"merged: {self.duplicates_merged} duplicates ({self.duplicates_merged_by_doi} by DOI, "
                f"{self.duplicates_merged_by_title} by title+year+author)")

    @property
    def bytes_read(self) -> int:
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["skipped"] = dict(self.skipped)
        out["warnings"] = dict(self.warnings)
        out["files_skipped"] = dict(self.files_skipped)
        out["records_skipped"] = self.records_skipped
        out["duplicates_merged"] = self.duplicates_merged
        out["unaccounted"] = self.unaccounted
        out["records_lost_to_damaged_files"] = self.damaged
        out["bytes_read"] = self.bytes_read
        return out
