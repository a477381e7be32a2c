"""What an ingest did: files, records read, stored, replaced, and every skipped record with its reason.

The accounting identity: every record read ends in exactly one bucket, so ``unaccounted`` is 0::

    records read = stored + replaced + unchanged + merged (duplicates) + older copies in the input
                   + institution records + skipped (by reason) + lost to damage (by file)

(an institution entity record is stored, updated or an older copy, all counted in
``institution_records``; "lost to damage" are the skipped records whose reason is one of
``DAMAGE_REASONS``, listed per file in ``damaged_files``). :meth:`IngestReport.check_accounting`
checks it on every ingest and sync, inside the merge transaction before the commit: when it does not
hold, the run stops with :class:`AccountingError` (exit 1) naming the files, and the store is left as
it was. :meth:`IngestReport.accounting` gives the terms for the summary and ``--json``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from collabatlas.errors import DataError

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


class AccountingError(DataError):
    """The records read do not add up to the records stored, replaced, unchanged, merged, skipped and
    lost (a bug: the ingest is not committed)."""


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
    #: file -> records lost to damage in it (the skipped records whose reason is in DAMAGE_REASONS)
    damaged_files: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unit_shares_seconds: float = 0.0  # saving per-level unit shares after the ingest (Atlas.ingest)
    aggregates_seconds: float = 0.0  # saving the per-year aggregates built from them (Atlas.ingest)
    data_version: int = 0
    #: works whose saved unit shares this ingest changed (new, replaced, merged away, or naming an
    #: institution whose attributes changed): what incremental maintenance recomputes (collabatlas.ingest.maintenance)
    works_recounted: int = 0
    works_merged_away: int = 0  # stored works removed because OpenAlex merged them into another (sync)
    #: records of this input not stored because OpenAlex merged them into another work (of ``skipped``)
    records_merged_away: int = 0
    #: works written by this ingest naming more institutions than the pair figures take (counting.rules.MAX_PAIR_UNITS)
    works_over_pair_cap: int = 0
    merged_ids_refused: Counter = field(default_factory=Counter)  # reason -> merged work ids refused
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

    def lost_in(self, path: str, n: int) -> None:
        """``n`` of the records skipped for a damage reason were in the file ``path``."""
        if n:
            self.damaged_files[str(path)] += n

    def accounting(self) -> dict:
        """The terms of the accounting identity (see the module docstring): ``read`` on the left, every
        bucket on the right, ``unaccounted`` the difference (0)."""
        return {
            "read": self.records_read,
            "stored": self.works_inserted,
            "replaced": self.works_replaced,
            "unchanged": self.works_unchanged,
            "merged": self.duplicates_merged,
            "older copies in the input": self.works_superseded_in_input,
            "institution records": self.institution_records,
            "skipped": {r: n for r, n in sorted(self.skipped.items()) if r not in DAMAGE_REASONS},
            "lost to damage": dict(sorted(self.damaged_files.items())),
            "unaccounted": self.unaccounted,
        }

    def accounting_line(self) -> str:
        """The identity with this run's numbers, e.g. ``read 10 = stored 7 + ... + lost 1``."""
        a = self.accounting()
        right = [f"{k} {v:,}" for k, v in a.items() if k not in ("read", "skipped", "lost to damage", "unaccounted")]
        right.append(f"skipped {sum(a['skipped'].values()):,}")
        right.append(f"lost to damage {sum(a['lost to damage'].values()):,}")
        return f"records read {a['read']:,} = " + " + ".join(right)

    def detail_rows(self) -> list[tuple[str, int]]:
        """The summary's rows beyond the buckets: records lost per damaged file, stored works merged
        away, merged ids refused, works over the pair cap (only those that occurred)."""
        rows = [(f"  lost to damage in {path}", n) for path, n in sorted(self.damaged_files.items())]
        if self.works_merged_away:
            rows.append(("stored works merged away (OpenAlex merged_ids)", self.works_merged_away))
        rows += [(f"merged ids refused: {reason}", n) for reason, n in sorted(self.merged_ids_refused.items())]
        if self.works_over_pair_cap:
            rows.append(("works left out of the institution pair figures (too many institutions)",
                         self.works_over_pair_cap))
        return rows

    def check_accounting(self) -> None:
        """Raise :class:`AccountingError` naming the files when the identity does not hold (records
        counted twice or in no bucket, or damage not attributed to a file)."""
        unaccounted = self.unaccounted
        unattributed = self.damaged - sum(self.damaged_files.values())
        if not unaccounted and not unattributed:
            return
        names = [f.path for f in self.files] or ["(no file recorded)"]
        where = names[0] if len(names) == 1 else "one of " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        problem = (f"{abs(unaccounted):,} records {'in no bucket' if unaccounted > 0 else 'counted twice'}"
                   if unaccounted else f"{unattributed:,} records lost to damage without a file named")
        raise AccountingError(f"ingest not committed: the records read do not add up ({problem}; "
                              f"{self.accounting_line()}) in {where}; please report this")

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
        out["damaged_files"] = dict(self.damaged_files)
        out["merged_ids_refused"] = dict(self.merged_ids_refused)
        out["accounting"] = self.accounting()
        out["records_skipped"] = self.records_skipped
        out["duplicates_merged"] = self.duplicates_merged
        out["unaccounted"] = self.unaccounted
        out["records_lost_to_damaged_files"] = self.damaged
        out["bytes_read"] = self.bytes_read
        return out
