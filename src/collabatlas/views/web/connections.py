"""The store of the web server, opened read-only while requests are answered and closed between them.

DuckDB lets no process write a store file while another has it open, even read-only. So that
``collabatlas ingest`` (or ``ror load``, ``refresh``) can run while ``collabatlas serve`` does, the
server holds the store only while it answers: :meth:`ThreadAtlases.lease` marks a request (or the
start-up warm-up) in flight; the first :meth:`ThreadAtlases.get` of a lease opens the store
read-only, and every connection is closed :data:`LINGER` seconds after the last lease ended (at once
when the store has been open for :data:`MAX_OPEN` seconds), so that the requests of one dashboard
page share one open store (an open costs about 0.1 s and DuckDB's buffers go with the close). A
writer that starts meanwhile waits for it (``store.schema.connect`` tries again for
``$COLLABATLAS_STORE_WAIT`` seconds, default 10).

Between leases the server remembers the data version it last read and the file's fingerprint (size,
modification time and inode of the store and of its write-ahead log): while the fingerprint is
unchanged, :meth:`ThreadAtlases.version` answers without opening the store, so cached results are
served without touching it. When the file changed (an ingest committed), the next request opens the
store and reads the new data version; the result cache keys on it, so nothing older is served. While
another process writes the store (an ingest running), the server answers from its cache at the last
data version it read, and a request that needs the store gets HTTP 503 naming that process.

A DuckDB connection must not be used by two threads at once; each
:meth:`duckdb.DuckDBPyConnection.cursor` is a new connection to the same database that one thread may
use while others query through theirs. Every server thread therefore gets its own
:class:`~collabatlas.atlas.Atlas` over a cursor of the open store (:meth:`Atlas.cursor`). The temporary
tables a roll-up or ``exclude_dual_affiliations`` request builds are per cursor.

An in-memory store, or an open :class:`Atlas` handed to ``create_app``, is held for the app's life
instead (nothing else can open it).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from collabatlas.atlas import Atlas
from collabatlas.errors import StoreBusyError
from collabatlas.settings import EngineSettings

#: how long a request waits for a store that another process is writing before it answers 503
REQUEST_WAIT = 1.0
#: seconds the store stays open after the last request in flight was answered
LINGER = 1.0
#: a store open this long (seconds) is closed as soon as no request is in flight, lingering not
MAX_OPEN = 5.0


def fingerprint(path: Path) -> tuple:
    """What changes when a committed write reaches the store file or its write-ahead log."""
    stamps = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            st = file.stat()
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(stamps)


class ThreadAtlases:
    """The store (read-only unless ``:memory:``) with one cursor Atlas per thread, open while a lease
    is held (a path) or for the app's life (``:memory:`` or an open Atlas)."""

    def __init__(self, store: str | os.PathLike | Atlas, wait: float = REQUEST_WAIT, linger: float = LINGER):
        self.held = isinstance(store, Atlas) or str(store) == ":memory:"
        self._owns_root = not isinstance(store, Atlas)
        self.read_only = self._owns_root and not self.held
        self._lock = threading.RLock()
        self._local = threading.local()
        self._opened: list[Atlas] = []
        self._thread_ids: set[int] = set()
        self._leases = 0
        self._generation = 0
        self.linger = linger
        self._opened_at = 0.0
        self._timer: threading.Timer | None = None
        self._settings = EngineSettings(store_wait=wait) if self.read_only else None
        self._version: int | None = None
        self._fingerprint: tuple | None = None
        #: the institution attributes of the last data version read (kept across opens)
        self._attributes = None
        self.busy_at_start: str | None = None
        if self.held:
            self.root: Atlas | None = store if isinstance(store, Atlas) else Atlas(store)
            self.path = self.root.path
            self.root.institution_attributes()  # read once here; every thread's cursor shares it
        else:
            self.root = None
            self.path = Path(store)
            try:  # open once now: a missing, damaged or too old store fails at start-up
                with self._lock:
                    self._open()
                    self._close_connections()
            except StoreBusyError as exc:  # a writer is running: the first request after it opens the store
                self.busy_at_start = str(exc)

    # -- leases ------------------------------------------------------------------------------
    @contextmanager
    def lease(self) -> Iterator[None]:
        """The store may stay open inside this block (a request, the warm-up); it is closed
        :attr:`linger` seconds after the last lease ended (see the module docstring)."""
        with self._lock:
            self._leases += 1
        try:
            yield
        finally:
            with self._lock:
                self._leases -= 1
                if self._leases == 0 and self.root is not None and not self.held:
                    self._idle()

    def _idle(self) -> None:
        """No lease is held: close now, or after :attr:`linger` seconds unless a lease came meanwhile
        (call with the lock held)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.linger <= 0 or time.monotonic() - self._opened_at >= MAX_OPEN:
            self._close_connections()
            return
        timer = self._timer = threading.Timer(self.linger, self._close_if_idle)
        timer.daemon = True
        timer.start()

    def _close_if_idle(self) -> None:
        with self._lock:
            if self._leases == 0 and self._timer is threading.current_thread():
                self._timer = None
                self._close_connections()

    @property
    def is_open(self) -> bool:
        """Whether the store is open now (a lease is being answered, or the store is held)."""
        return self.root is not None

    def _open(self) -> Atlas:
        """The open root Atlas (opened read-only now if needed); call with the lock held."""
        if self.root is None:
            stamp = fingerprint(self.path)  # before the open: a later change is seen next time
            root = Atlas(self.path, read_only=True, settings=self._settings)
            version = root.data_version
            if self._attributes is not None and self._attributes[0] == version:
                root._institution_attributes = self._attributes
            else:
                root.institution_attributes()  # read once per open; every thread's cursor shares it
                self._attributes = root._institution_attributes
            self.root, self._version, self._fingerprint = root, version, stamp
            self._opened_at = time.monotonic()
            self._generation += 1
        return self.root

    def get(self) -> Atlas:
        """This thread's Atlas over the open store (opened on first use in a lease)."""
        with self._lock:
            root = self._open() if not self.held else self.root
            generation = self._generation
        mine = getattr(self._local, "atlas", None)
        if mine is None or mine[0] != generation:
            atlas = root.cursor()
            self._local.atlas = (generation, atlas)
            with self._lock:
                self._opened.append(atlas)
                self._thread_ids.add(threading.get_ident())
            return atlas
        return mine[1]

    def version(self) -> int:
        """The store's data version: read from the open store; between leases the last one read
        while the file is unchanged; else the store is opened to read it. While another process
        writes the store, the last version read (its results stay in the cache)."""
        with self._lock:
            if self.held:
                return self.root.data_version
            if self.root is not None:
                return self._version
            if self._version is not None and fingerprint(self.path) == self._fingerprint:
                return self._version
        try:
            return self.get().data_version
        except StoreBusyError:
            if self._version is None:
                raise
            return self._version

    @property
    def threads(self) -> int:
        """How many threads have opened a cursor so far."""
        return len(self._thread_ids)

    def _close_connections(self) -> None:
        """Close every thread's cursor, and the store unless it is held; call with the lock held."""
        for atlas in self._opened:
            atlas.close()
        self._opened.clear()
        if not self.held and self.root is not None:
            self.root.close()
            self.root = None

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._close_connections()
            if self.held and self._owns_root:
                self.root.close()
            self._local = threading.local()  # this object's per-thread Atlases go with it
        # free the closed Atlases now: a DuckDB object destroyed while the interpreter shuts down
        # (left in a reference cycle until then) can abort the process ("exception not rethrown")
        gc.collect()
