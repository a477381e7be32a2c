"""Which process holds a store, when DuckDB refuses to open it because of another process's lock.

DuckDB lets one process write a store file, and none while another process has it open (even
read-only: ``collabatlas serve`` opens it while it answers a request). Its error names the other
process's program and PID and advises a DuckDB CLI flag; :func:`busy_message` turns it into what a
collabatlas user can do. :func:`retry_delays` is how long an open waits between tries: a store held
for the length of one request is free again within a moment (``$COLLABATLAS_STORE_WAIT`` bounds the
wait).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

_HELD = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def _command_line(pid: str) -> str | None:
    """The command line of process ``pid`` (Linux ``/proc``), or None where it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w for w in raw.decode("utf-8", "replace").split("\0") if w]
    return " ".join(words) or None


def busy_message(target: str, exc: BaseException) -> str | None:
    """The message for a store locked by another process, or None when ``exc`` is not that."""
    found = _HELD.search(str(exc))
    if not found:
        return None
    program, pid = found.groups()
    command = _command_line(pid) or program
    hint = (" (`collabatlas serve` holds its store only while it answers a request: this one took longer)"
            if "serve" in command else "")
    return (f"store {target} is busy: in use by another process: PID {pid}, {command}{hint}. Another collabatlas "
            "process (e.g. serve or ingest) keeps the store while it runs, and DuckDB lets only one process open a "
            "store while another writes it: stop that process and run this command again, or work on a copy of "
            "the store")


def retry_delays(wait: float) -> Iterator[float]:
    """The pauses between tries to open a busy store: 0.05 s doubling to at most 0.25 s (a reader
    that closes the store between requests leaves short gaps), in all at most ``wait`` seconds (none
    when ``wait`` is 0)."""
    left, pause = wait, 0.05
    while left > 0:
        step = min(pause, left)
        yield step
        left -= step
        pause = min(pause * 2, 0.25)


def waited_message(message: str, wait: float) -> str:
    """``message`` (:func:`busy_message`) with how long the open waited and how to wait longer."""
    return (f"{message} (waited {wait:g} s for it; COLLABATLAS_STORE_WAIT sets how long a command waits "
            "for a busy store)")
