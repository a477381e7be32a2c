"""Failures of the machinery around the numbers are plain messages with the documented exit codes:
an unreachable Spark master, no network for `fetch` and `data update` (no long retry loops), and
`data update` all or nothing whatever the order of its arguments."""

from __future__ import annotations

import dataclasses
import socket
import time
import urllib.error

import pytest
from typer.testing import CliRunner

from collabatlas import refdata
from collabatlas.engines.spark_master import SparkMasterUnreachable, check_reachable, endpoints
from collabatlas.errors import answer
from collabatlas.refdata import update as refupdate
from collabatlas.refdata.offline import offline_reason
from collabatlas.sources import openalex_api
from collabatlas.views.cli import app

runner = CliRunner()
DNS_FAILURE = urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_spark_master_addresses():
    assert endpoints("spark://a:7077,b:7078") == [("a", 7077), ("b", 7078)]
    assert endpoints("spark://master") == [("master", 7077)]
    assert endpoints("local[2]") == endpoints("yarn") == []
    with pytest.raises(SparkMasterUnreachable, match="not host:port"):
        endpoints("spark://a:port")


def test_an_unreachable_spark_master_is_one_line_and_exit_1(tmp_path):
    port = closed_port()
    with pytest.raises(SparkMasterUnreachable, match=f"127.0.0.1:{port}"):
        check_reachable(f"spark://127.0.0.1:{port}")
    assert answer(SparkMasterUnreachable("x")).exit_code == 1
    start = time.monotonic()
    result = runner.invoke(app, ["scores", "--engine", "spark", "--spark-master", f"spark://127.0.0.1:{port}",
                                 "--parquet", str(tmp_path)])
    assert result.exit_code == 1
    assert "is unreachable" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert time.monotonic() - start < 60  # generous: the probe itself gives up after 3 s


def test_a_listening_master_passes_the_probe():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        check_reachable(f"spark://127.0.0.1:{server.getsockname()[1]}")


def test_offline_reasons():
    assert "does not resolve" in offline_reason(DNS_FAILURE)
    assert "unreachable" in offline_reason(OSError(101, "Network is unreachable"))
    assert offline_reason(urllib.error.URLError(ConnectionRefusedError(111, "refused"))) is None
    assert offline_reason(TimeoutError()) is None


def test_fetch_without_dns_stops_at_once_with_exit_1(tmp_path, monkeypatch):
    calls, waits = [], []

    def no_dns(*args, **kwargs):
        calls.append(args)
        raise DNS_FAILURE

    monkeypatch.setattr(openalex_api.urllib.request, "urlopen", no_dns)
    with pytest.raises(openalex_api.FetchNetworkError, match="does not resolve"):
        openalex_api.fetch_openalex("publication_year:2020", tmp_path / "a", attempts=8, sleep=waits.append)
    assert len(calls) == 1 and waits == []  # no retry loop
    result = runner.invoke(app, ["fetch", "openalex", "--filter", "publication_year:2020", "--out",
                                 str(tmp_path / "b")])
    assert result.exit_code == 1 and "does not resolve" in result.output


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    monkeypatch.setenv("COLLABATLAS_CACHE", str(tmp_path / "cache"))
    refdata.clear_cache()
    entries = dict(refdata.datasets())
    entries["country-codes"] = dataclasses.replace(entries["country-codes"], update="http://up/country-codes.csv")
    entries["bri"] = dataclasses.replace(entries["bri"], update="http://down/bri.csv")
    monkeypatch.setattr(refdata, "datasets", lambda: entries)
    monkeypatch.setattr(refupdate, "datasets", lambda: entries)
    fresh = refdata.read_text("country-codes").encode()

    def get(url, timeout, retries):
        if url.startswith("http://down/"):
            raise refupdate.DownloadError(f"cannot download {url}: offline")
        return fresh

    monkeypatch.setattr(refupdate, "_get", get)
    yield tmp_path / "cache"
    refdata.clear_cache()


@pytest.mark.parametrize("names", [["country-codes", "bri"], ["bri", "country-codes"]])
def test_data_update_is_all_or_nothing_in_any_order(cache, names):
    result = runner.invoke(app, ["data", "update", *names])
    assert result.exit_code == 1
    assert "nothing updated" in result.output and "Traceback" not in result.output
    assert refdata.locate("country-codes").origin == "package"  # the one that downloaded was not written
    assert not (cache / "manifest.json").exists()


def test_data_update_writes_when_every_download_succeeds(cache):
    result = runner.invoke(app, ["data", "update", "country-codes", "country-codes"])
    assert result.exit_code == 0, result.output
    assert result.output.count("country-codes:") == 1
    assert refdata.locate("country-codes").origin == "cache"


def test_data_update_without_dns_stops_at_once(monkeypatch, tmp_path):
    calls, waits = [], []

    def no_dns(*args, **kwargs):
        calls.append(args)
        raise DNS_FAILURE

    monkeypatch.setattr(refupdate.urllib.request, "urlopen", no_dns)
    monkeypatch.setattr(refupdate.time, "sleep", waits.append)
    with pytest.raises(refupdate.DownloadError, match="does not resolve"):
        refupdate._get("http://example.invalid/x.csv", timeout=5, retries=3)
    assert len(calls) == 1 and waits == []


def test_a_store_held_by_another_process_names_it(tmp_path, monkeypatch):
    import subprocess
    import sys

    import collabatlas
    from tests.conftest import work, write_jsonl

    store = tmp_path / "s.duckdb"
    records = write_jsonl(tmp_path / "w.jsonl", [work("W1", [[("I1", "JP")], [("I2", "US")]])])
    with collabatlas.open(store) as atlas:
        atlas.ingest(records)
    holder = subprocess.Popen(  # stands in for `collabatlas serve`: the store open read-only
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
                               "print('ready', flush=True); sys.stdin.read()  # collabatlas serve", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("COLLABATLAS_STORE_WAIT", "0.3")  # the open tries again for 0.3 s, then gives up
        result = runner.invoke(app, ["ingest", str(records), "--store", str(store)])
        assert result.exit_code == 1  # not the request's fault: a StoreBusyError (errors.py: exit 1, HTTP 503)
        assert f"in use by another process: PID {holder.pid}" in result.output
        assert "collabatlas serve" in result.output and "stop that process" in result.output
        assert "-readonly" not in result.output  # not DuckDB's advice about its own CLI
        assert "waited 0.3 s" in " ".join(result.output.split()) and "COLLABATLAS_STORE_WAIT" in result.output
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
