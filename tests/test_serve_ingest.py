"""`serve` does not block `ingest` (issue 28): the server holds the store only while it answers a
request, a store open waits (bounded) for a process that holds the store, and the server reads the
new data once an ingest committed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import types
import urllib.request
import warnings

import orjson
import pytest

import collabatlas
from collabatlas.settings import EngineSettings
from collabatlas.store import schema
from collabatlas.store.busy import retry_delays
from collabatlas.views.web import connections
from collabatlas.views.web.service import Service

from .conftest import work, write_jsonl

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

JP, US, CN = ("I1", "JP"), ("I2", "US"), ("I3", "CN")
FIRST = [work("W1", [[JP], [US]], year=2019), work("W2", [[JP], [US]], year=2020)]
MORE = [work("W3", [[JP], [CN]], year=2020)]  # a new partner: CN


def _store(tmp_path):
    path = tmp_path / "s.duckdb"
    with collabatlas.open(path) as atlas:
        atlas.ingest(write_jsonl(tmp_path / "first.jsonl", FIRST))
    return path


def _holder(store, read_only: bool) -> subprocess.Popen:
    """Another process holding ``store`` until its stdin closes (a reader as serve was, or a writer)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1'); "
                               "print('ready', flush=True); sys.stdin.read()", str(store), "1" if read_only else "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def _release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(timeout=30)


# -- the store open waits for a busy store -----------------------------------------------------------
def test_the_pauses_between_tries_add_up_to_the_wait_and_stay_short():
    for wait in (0.0, 0.3, 2.5, 10.0):
        pauses = list(retry_delays(wait))
        assert sum(pauses) == pytest.approx(wait) and all(0 < p <= 0.25 for p in pauses)
    assert list(retry_delays(0.0)) == []


def test_a_writer_waits_for_a_reader_that_lets_the_store_go(tmp_path, monkeypatch):
    store = _store(tmp_path)
    holder = _holder(store, read_only=True)  # a request being answered
    pauses = []

    def pause(seconds):  # the first pause: the request finishes and the reader closes the store
        pauses.append(seconds)
        _release(holder)

    monkeypatch.setattr(schema, "time", types.SimpleNamespace(sleep=pause))
    try:
        con = schema.connect(store, settings=EngineSettings(store_wait=30))
        assert schema.data_version(con) >= 1
        con.close()
        assert len(pauses) >= 1  # it was busy at first, and waited instead of failing
    finally:
        _release(holder)


def test_a_store_still_busy_after_the_wait_names_the_process_and_the_wait(tmp_path, monkeypatch):
    store = _store(tmp_path)
    holder = _holder(store, read_only=False)
    monkeypatch.setattr(schema, "time", types.SimpleNamespace(sleep=lambda s: None))
    try:
        with pytest.raises(schema.StoreBusyError) as caught:
            schema.connect(store, settings=EngineSettings(store_wait=2))
        text = str(caught.value)
        assert f"PID {holder.pid}" in text and "waited 2 s" in text and "COLLABATLAS_STORE_WAIT" in text
        assert "-readonly" not in text
    finally:
        _release(holder)


def test_store_wait_from_the_environment_is_checked(monkeypatch):
    from collabatlas.settings import SettingError

    monkeypatch.setenv("COLLABATLAS_STORE_WAIT", "2.5")
    assert EngineSettings().store_wait == 2.5
    monkeypatch.delenv("COLLABATLAS_STORE_WAIT")
    assert EngineSettings().store_wait == 10.0
    for bad in ("-1", "soon", "inf"):
        monkeypatch.setenv("COLLABATLAS_STORE_WAIT", bad)
        with pytest.raises(SettingError, match="COLLABATLAS_STORE_WAIT"):
            EngineSettings()


# -- the server between requests ---------------------------------------------------------------------
def _partners(svc: Service) -> tuple[list[str], int]:
    df, _, version = svc.call("partners", unit="JP")
    return sorted(df["partner"]), version


def test_the_service_lets_the_store_go_between_requests_and_reads_new_data(tmp_path, monkeypatch):
    store = _store(tmp_path)
    svc = Service(store)
    svc.atlases.linger = 0  # closed as soon as the request is answered (the lingering: the next test)
    try:
        assert not svc.atlases.is_open  # opened at start to check it, then closed
        partners, before = _partners(svc)
        assert partners == ["US"] and not svc.atlases.is_open
        opens = []
        real_open = connections.ThreadAtlases._open
        monkeypatch.setattr(connections.ThreadAtlases, "_open",
                            lambda self: (self.root is None and opens.append(1)) or real_open(self))
        assert _partners(svc) == (["US"], before) and opens == []  # file unchanged: served from the cache
        # a writer in this process: DuckDB refuses it while this process has the store open read-only
        with collabatlas.open(store) as atlas:
            atlas.ingest(write_jsonl(tmp_path / "more.jsonl", MORE))
        partners, after = _partners(svc)
        assert partners == ["CN", "US"] and after > before and opens == [1]
    finally:
        svc.close()


def test_the_store_lingers_after_a_request_then_closes(tmp_path, monkeypatch):
    store = _store(tmp_path)
    svc = Service(store)
    svc.atlases.linger = 0.2  # the requests of one page share one open store
    try:
        _partners(svc)
        assert svc.atlases.is_open
        deadline = time.monotonic() + 60
        while svc.atlases.is_open:
            assert time.monotonic() < deadline, "the store stayed open after its linger"
            time.sleep(0.05)
        with collabatlas.open(store) as atlas:  # a writer gets in
            atlas.ingest(write_jsonl(tmp_path / "more.jsonl", MORE))
        monkeypatch.setattr(connections, "MAX_OPEN", 0.0)  # open long enough: closed without lingering
        svc.atlases.linger = 60
        assert _partners(svc)[0] == ["CN", "US"] and not svc.atlases.is_open
    finally:
        svc.close()


def test_while_another_process_writes_the_server_serves_its_cache_and_names_the_writer(tmp_path):
    from collabatlas.views.web import create_app

    store = _store(tmp_path)
    app = create_app(store)
    app.state.service.atlases.linger = 0
    try:
        with TestClient(app) as client:
            first = client.get("/api/partners/JP")
            assert first.status_code == 200
            holder = _holder(store, read_only=False)  # an ingest running
            try:
                again = client.get("/api/partners/JP")
                assert again.status_code == 200 and again.headers["x-cache"] == "hit"
                assert again.json()["meta"]["data_version"] == first.json()["meta"]["data_version"]
                fresh = client.get("/api/partners/JP", params={"years": "2019-2020"})  # not cached: needs the store
                assert fresh.status_code == 503
                assert f"PID {holder.pid}" in fresh.json()["detail"]
            finally:
                _release(holder)
            assert client.get("/api/partners/JP", params={"years": "2019-2020"}).status_code == 200
    finally:
        app.state.service.close()


# -- the must-show: `collabatlas serve` and `collabatlas ingest` on one store -------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return orjson.loads(response.read())


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from collabatlas.views.cli import main; main()", *args]


def test_serve_running_and_ingest_into_the_same_store_succeed_together(tmp_path):
    store = _store(tmp_path)
    port = _free_port()
    env = {**os.environ, "COLLABATLAS_STORE_WAIT": "30"}
    server = subprocess.Popen(_cli("serve", "--store", str(store), "--port", str(port), "--no-warm"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                before = _get(f"{base}/api/partners/JP")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "collabatlas serve did not start"
                time.sleep(0.2)
        assert [r["partner"] for r in before["rows"]] == ["US"]
        ingest = subprocess.run(_cli("ingest", str(write_jsonl(tmp_path / "more.jsonl", MORE)), "--store", str(store)),
                                capture_output=True, text=True, env=env, timeout=300)
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        after = _get(f"{base}/api/partners/JP")
        assert sorted(r["partner"] for r in after["rows"]) == ["CN", "US"]
        assert after["meta"]["data_version"] > before["meta"]["data_version"]
        assert server.poll() is None  # the server still runs
    finally:
        server.terminate()
        server.wait(timeout=30)
