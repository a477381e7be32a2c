"""Report folders written atomically: everything goes into a temporary folder beside the target,
which then takes the target's place; on failure the temporary folder is removed and the target is
left as it was, so nothing half-written looks complete.

A report folder lists the files it owns in :data:`MANIFEST`. Writing a report into a folder holding
an earlier report replaces the files that report owned (stale charts and tables disappear) and keeps
any other file found there; a non-empty folder that is not a collabatlas report is refused.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from collabatlas.atlas import __version__
from collabatlas.errors import UserError

MANIFEST = ".collabatlas-report.json"
#: what a report written before the manifest existed owned (recognised by its index.html)
LEGACY_PATTERNS = ("index.html", "*.png", "*.svg", "factsheet-*.pdf", "data/*.csv")


class ReportFolderError(UserError):
    """The target of a report is a file, or a non-empty folder that is not a collabatlas report."""


def owned_files(out: Path) -> set[str]:
    """The files (relative POSIX paths) of the report in ``out`` — empty for a missing or empty
    folder; raises :class:`ReportFolderError` when ``out`` cannot take a report."""
    if not out.exists():
        return set()
    if not out.is_dir():
        raise ReportFolderError(f"--out {out}: exists and is not a folder")
    if not any(out.iterdir()):
        return set()
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            return {str(f) for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise ReportFolderError(f"--out {out}: {MANIFEST} is damaged ({exc}); remove the folder or "
                                    "choose another") from exc
    index = out / "index.html"
    if index.is_file() and "collabatlas" in index.read_text(encoding="utf-8", errors="replace"):
        return {p.relative_to(out).as_posix() for pattern in LEGACY_PATTERNS for p in out.glob(pattern)}
    raise ReportFolderError(f"--out {out}: the folder is not empty and holds no collabatlas report; "
                            "choose an empty or new folder (nothing was written)")


@contextlib.contextmanager
def report_folder(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``out`` to write the report into; on normal exit it becomes
    ``out`` (with :data:`MANIFEST` listing its files, and the files of ``out`` that the earlier report
    did not own copied in), on an exception it is removed and ``out`` is untouched."""
    out = Path(out)
    owned = owned_files(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.writing-", dir=out.parent))
    try:
        yield tmp
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        (tmp / MANIFEST).write_text(json.dumps({"generator": f"collabatlas {__version__}", "files": files},
                                               indent=1), encoding="utf-8")
        if out.exists():
            for path in sorted(out.rglob("*")):
                rel = path.relative_to(out).as_posix()
                if path.is_file() and rel not in owned and rel != MANIFEST and not (tmp / rel).exists():
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, tmp / rel)  # not the report's: kept (copied: the original stays on failure)
            old = out.parent / (tmp.name.replace(".writing-", ".replaced-"))
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
