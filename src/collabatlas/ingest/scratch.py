"""The ingest's scratch folder (the careful reader's cleaned copies): made with a ``pid`` file naming
its owner, so the next ingest removes the folders of ingests that were killed."""

from __future__ import annotations

import os
import tempfile

TMP_PREFIX = "collabatlas-ingest-"
#: a temporary folder without a live owner (its ``pid`` file names a process that is gone), or with no
#: ``pid`` file and untouched this long, is left over from a killed ingest: the next ingest removes it
STALE_TMP_SECONDS = 6 * 3600


def make_tmpdir() -> tempfile.TemporaryDirectory:
    """The ingest's scratch folder, with a ``pid`` file naming its owner (see :func:`clean_stale_tmpdirs`)."""
    tmp = tempfile.TemporaryDirectory(prefix=TMP_PREFIX)
    with open(os.path.join(tmp.name, "pid"), "w") as fh:
        fh.write(str(os.getpid()))
    return tmp


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: keep it
    return True


def clean_stale_tmpdirs(base: str | None = None, now: float | None = None) -> list[str]:
    """Remove the scratch folders of ingests that were killed (owner process gone, or no owner named
    and older than STALE_TMP_SECONDS); folders in use are never touched. Returns the removed paths."""
    import shutil
    import time

    base = base or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(TMP_PREFIX) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "pid")) as fh:
                pid = int(fh.read().strip() or 0)
        except (OSError, ValueError):
            pid = None
        try:
            if pid is not None:
                stale = pid != os.getpid() and not _pid_alive(pid)
            else:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TMP_SECONDS
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed
