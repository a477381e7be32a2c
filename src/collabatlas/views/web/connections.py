"""One read-only DuckDB store shared by the threads of the web server.

A DuckDB connection must not be used by two threads at once; each :meth:`duckdb.DuckDBPyConnection.cursor`
is a new connection to the same database that one thread may use while others query through theirs
(DuckDB runs them concurrently under MVCC). :class:`ThreadAtlases` therefore opens the store once and
gives every server thread its own :class:`~collabatlas.atlas.Atlas` over a cursor of that connection
(:meth:`Atlas.cursor`).
All of them read the unit shares saved in the store (``unit_shares_<level>``); the temporary tables
a roll-up or ``exclude_dual_affiliations`` request builds are per cursor, as DuckDB temp tables are
per connection.
"""

from __future__ import annotations

import os
import threading

from collabatlas.atlas import Atlas


class ThreadAtlases:
    """The store opened once (read-only unless ``:memory:``), with one cursor Atlas per thread."""

    def __init__(self, store: str | os.PathLike | Atlas):
        self._owns_root = not isinstance(store, Atlas)
        self.read_only = self._owns_root and str(store) != ":memory:"
        self.root = store if isinstance(store, Atlas) else Atlas(store, read_only=self.read_only)
        self.root.institution_attributes()  # read once here; every thread's cursor shares it
        self._local = threading.local()
        self._opened: list[Atlas] = []
        self._lock = threading.Lock()

    def get(self) -> Atlas:
        """This thread's Atlas (created on first use)."""
        atlas = getattr(self._local, "atlas", None)
        if atlas is None:
            atlas = self.root.cursor()
            self._local.atlas = atlas
            with self._lock:
                self._opened.append(atlas)
        return atlas

    @property
    def threads(self) -> int:
        """How many threads have opened a cursor so far."""
        return len(self._opened)

    def close(self) -> None:
        with self._lock:
            for atlas in self._opened:
                atlas.close()
            self._opened.clear()
        if self._owns_root:
            self.root.close()
