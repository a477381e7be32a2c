"""Reference data ships inside the package: provenance, checksums, updates, and the same numbers anywhere."""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collabatlas import refdata
from collabatlas.affiliations.address_country import resolve_country
from collabatlas.refdata import update as refupdate
from collabatlas.views.cli import app

CLI = [sys.executable, "-c", "from collabatlas.views.cli import app; app()"]


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No $COLLABATLAS_DATA, a private user cache."""
    monkeypatch.delenv("COLLABATLAS_DATA", raising=False)
    monkeypatch.setenv("COLLABATLAS_CACHE", str(tmp_path / "cache"))
    refdata.clear_cache()
    yield tmp_path
    refdata.clear_cache()


def test_manifest_lists_every_packaged_file_with_provenance(no_env):
    files = {p.name for p in (Path(refdata.__file__).parent / "files").iterdir()}
    entries = refdata.datasets()
    assert {e.file for e in entries.values()} == files
    for entry in entries.values():
        assert entry.source_url.startswith("https://") and entry.licence and entry.version and entry.rows > 0
        found = refdata.locate(entry.name)
        assert found.origin == "package" and found.sha256 == entry.sha256
    total = sum(e.bytes for e in entries.values())
    assert total < 5_000_000  # a few MB in the wheel


def test_required_datasets_are_packaged(no_env):
    names = set(refdata.datasets())
    assert {"country-codes", "wb-countries", "wb-income-history", "wdi", "population", "trust", "nsf-gerd-2019",
            "bri", "world-110m", "world-50m", "nature-index-145", "nature-index-82", "openalex-sample"} <= names
    assert refdata.dataset("bri").rows == 137
    assert refdata.dataset("nature-index-145").rows == 145 and refdata.dataset("nature-index-82").rows == 82


def test_data_info_lists_every_dataset_and_where_it_loads_from(no_env):
    result = CliRunner().invoke(app, ["data", "info", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["name"] for r in rows} == set(refdata.datasets()) | {"iso3166-1"}
    for row in rows:
        assert row["status"] == "ok" and row["licence"] and row["source"] and row["loaded_from"]
    iso = next(r for r in rows if r["name"] == "iso3166-1")
    assert iso["version"].startswith("pycountry ") and iso["rows"] == 250


def test_a_corrupted_packaged_file_is_detected(no_env, monkeypatch):
    copy = no_env / "pkg"
    shutil.copytree(Path(refdata.__file__).parent, copy)
    target = copy / "files" / refdata.dataset("bri").file
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01  # same size, different content
    target.write_bytes(bytes(data))
    monkeypatch.setattr(refdata, "_package_root", lambda: copy)
    with pytest.raises(refdata.RefDataError, match="damaged: SHA-256") as caught:
        refdata.path("bri")
    assert str(target) in str(caught.value) and "reinstall" in str(caught.value)
    (copy / "files" / refdata.dataset("trust").file).write_bytes(b"Entity,Year\n")
    with pytest.raises(refdata.RefDataError, match="damaged: 12 bytes"):
        refdata.path("trust")
    result = CliRunner().invoke(app, ["data", "info"])
    assert result.exit_code == 1  # the damaged datasets are listed with their error


def test_unknown_dataset_and_missing_directory_are_errors(no_env, monkeypatch):
    with pytest.raises(refdata.RefDataError, match="unknown reference dataset 'wdi2'.*known: bri"):
        refdata.path("wdi2")
    with pytest.raises(refdata.RefDataError, match="not found"):
        refdata.path("wdi", no_env / "absent")
    monkeypatch.setenv("COLLABATLAS_DATA", str(no_env / "absent"))
    with pytest.raises(refdata.RefDataError, match=r"\$COLLABATLAS_DATA"):
        refdata.path("wdi")


def test_a_data_directory_is_read_first(no_env):
    folder = no_env / "mine" / "indicators"
    folder.mkdir(parents=True)
    (folder / "belt_and_road_countries_2020-01_iso.csv").write_text("name_in_source,iso2,iso3,coco_name_short\n")
    found = refdata.locate("bri", no_env / "mine")
    assert found.origin == "directory" and found.path == folder / "belt_and_road_countries_2020-01_iso.csv"
    assert refdata.locate("wdi", no_env / "mine").origin == "package"  # not in the folder


# -- data update, against a local publisher ------------------------------------------------------


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def publisher():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Files.files
    server.shutdown()
    _Files.files = {}


def _with_update_url(monkeypatch, name: str, url: str) -> None:
    entries = dict(refdata.datasets())
    import dataclasses

    entries[name] = dataclasses.replace(entries[name], update=url)
    monkeypatch.setattr(refdata, "datasets", lambda: entries)
    monkeypatch.setattr(refupdate, "datasets", lambda: entries)


def test_update_fetches_checks_and_then_uses_the_new_copy(no_env, monkeypatch, publisher):
    base, files = publisher
    fresh = refdata.read_text("country-codes").replace("Japan", "Nippon").encode()
    files["/country-codes.csv"] = fresh
    _with_update_url(monkeypatch, "country-codes", f"{base}/country-codes.csv")
    [result] = refupdate.update(["country-codes"], timeout=5, retries=1)
    assert result.status == "updated"
    found = refdata.locate("country-codes")
    assert found.origin == "cache" and found.path.read_bytes() == fresh
    assert "Nippon" in refdata.read_text("country-codes")
    # the cached copy is checked like the packaged one
    found.path.write_bytes(fresh.replace(b"Nippon", b"Nihon!"))
    refdata.clear_cache()
    with pytest.raises(refdata.RefDataError, match="damaged"):
        refdata.path("country-codes")
    assert refupdate.reset(["country-codes"]) == ["country-codes"]
    assert refdata.locate("country-codes").origin == "package"


def test_update_refuses_a_file_of_another_shape(no_env, monkeypatch, publisher):
    base, files = publisher
    files["/codes.csv"] = b"a,b\n1,2\n"
    _with_update_url(monkeypatch, "country-codes", f"{base}/codes.csv")
    with pytest.raises(refdata.RefDataError, match="lacks the columns"):
        refupdate.update(["country-codes"], timeout=5, retries=1)
    assert refdata.locate("country-codes").origin == "package"


def test_update_from_npm_checks_the_registry_integrity(no_env, monkeypatch, publisher):
    base, files = publisher
    topo = refdata.path("world-110m").read_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/countries-110m.json")
        info.size = len(topo)
        archive.addfile(info, io.BytesIO(topo))
    tarball = buffer.getvalue()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    files["/world-atlas/latest"] = json.dumps({"version": "2.0.9", "dist": {
        "tarball": f"{base}/world-atlas-2.0.9.tgz", "integrity": integrity}}).encode()
    files["/world-atlas-2.0.9.tgz"] = tarball
    monkeypatch.setattr(refupdate, "NPM_REGISTRY", base)
    [result] = refupdate.update(["world-110m"], timeout=5, retries=1)
    assert result.status == "unchanged" and "world-atlas 2.0.9" in result.detail
    assert refdata.locate("world-110m").origin == "cache"
    files["/world-atlas-2.0.9.tgz"] = tarball[:-1] + bytes([tarball[-1] ^ 1])
    with pytest.raises(refdata.RefDataError, match="SHA-512"):
        refupdate.update(["world-110m"], timeout=5, retries=1)


def test_update_offline_is_a_clear_message(no_env, monkeypatch):
    _with_update_url(monkeypatch, "country-codes", "http://127.0.0.1:9/country-codes.csv")
    with pytest.raises(refdata.RefDataError, match="offline"):
        refupdate.update(["country-codes"], timeout=2, retries=1)
    result = CliRunner().invoke(app, ["data", "update", "bri"])
    assert result.exit_code == 0 and "dated snapshot" in result.output


# -- the same numbers from any folder ---------------------------------------------------------------


@pytest.mark.parametrize("address, code", [
    ("Univ Athens, Dept Phys, Athens 15784, Greece", "GR"),
    ("Natl Taiwan Univ, Taipei 10617, Taiwan, Province of China", "TW"),
    ("Kim Il Sung Univ, Pyongyang, Korea, Democratic People's Republic of", "KP"),
    ("Korea Univ, Seoul, Korea, Republic of", "KR"),
    ("Univ Pristina, Pristina 10000, Kosovo", "XK"),
    ("Birzeit Univ, Birzeit, Palestine", "PS"),
    ("Univ Hong Kong, Pokfulam, Hong Kong, Peoples R China", "HK"),
    ("Univ Macau, Taipa, Macau, Peoples R China", "MO"),
    ("Univ Namibia, Windhoek, Namibia", "NA"),
])
def test_hand_cases_resolve_without_any_data_folder(no_env, address, code):
    assert resolve_country(address) == code


def _run(args, cwd, env):
    done = subprocess.run(CLI + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done.stdout


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLABATLAS_")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), COLUMNS="200")
    return env


@pytest.mark.slow
def test_the_cli_runs_from_an_empty_folder(tmp_path):
    """A new user: no ../shared/data, no $COLLABATLAS_DATA, a fresh HOME."""
    here = tmp_path / "empty" / "folder"
    here.mkdir(parents=True)
    env = _clean_env(tmp_path / "home")
    out = _run(["demo", "--report", "report"], here, env)
    assert "Top 10 countries by Share" in out and (here / "report" / "index.html").is_file()
    html = (here / "report" / "index.html").read_text()
    assert "reference data: wb-countries" in html
    assert "bri" in _run(["groups", "--format", "csv"], here, env)
    assert "group_cs" in _run(["group", "CN", "--group", "bri", "--periods", "2015,2020"], here, env)
    assert "group_cs" in _run(["group", "DE", "--group", "income:low", "--periods", "2015,2020"], here, env)
    assert "intl_share,gerd_pct_gdp" in _run(["landscape", "--year", "2018", "--format", "csv"], here, env)
    _run(["chart", "map", "--unit", "US", "--out", "map.svg"], here, env)
    assert (here / "map.svg").stat().st_size > 1000
    _run(["report", "--focus", "US", "--out", "us"], here, env)
    assert (here / "us" / "index.html").is_file()
    info = json.loads(_run(["info", "--format", "json"], here, env))
    assert "pycountry" in info["summary"]["reference data"]


@pytest.mark.slow
@pytest.mark.realdata
def test_exports_give_identical_numbers_with_and_without_the_shared_folder(shared_data, tmp_path):
    inputs = [str(shared_data / name) for name in ("wos", "scopus", "pubmed")]
    outputs = []
    for label, data in (("with", str(shared_data)), ("without", None)):
        here = tmp_path / label
        here.mkdir()
        env = _clean_env(tmp_path / f"home-{label}")
        if data:
            env["COLLABATLAS_DATA"] = data
        store = str(here / "s.duckdb")
        _run(["ingest", *inputs, "--store", store], here, env)
        outputs.append([_run([cmd, "--level", "country", "--format", "csv", "--store", store], here, env)
                        for cmd in ("scores", "pairs")])
    assert outputs[0] == outputs[1]
    scores = outputs[1][0]
    assert "\nGR," in scores and "\nTW," in scores  # Greece and Taiwan are countries of their own


def test_packaged_sample_is_the_cc0_api_sample(no_env, shared_data):
    packaged = gzip.decompress(refdata.path("openalex-sample").read_bytes())
    assert packaged == gzip.decompress((shared_data / "openalex" / "works_api_sample.jsonl.gz").read_bytes())
