"""``collabatlas data update``: fresh copies of reference datasets from their publishers, into the user cache.

Each dataset's manifest entry names its update source (``update``):

- a URL of a file in the same format as the packaged copy (Frictionless country-codes, population);
- ``npm:<package>/<file>``: the newest release of an npm package (world-atlas), checked against the
  registry's published SHA-512 integrity before the file is taken out of the tarball;
- ``worldbank-api``: the three WDI series through the World Bank API, written in the packaged long format;
- none: a dated snapshot (the Belt and Road list of January 2020, the Nature Index lists) or a source
  without a stable download; ``data update`` says so and keeps the packaged copy.

Downloads are retried with backoff on connection errors, HTTP 429 and 5xx; a body shorter than its
``Content-Length`` is refused; the new file must parse and have the columns (or TopoJSON objects)
of the packaged one before it replaces anything. The cache manifest records its size and SHA-256,
which every later load checks (:func:`collabatlas.refdata.locate`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from collabatlas.errors import DownloadError, RefDataError
from collabatlas.refdata import cache_dir, clear_cache, dataset, datasets, read_text
from collabatlas.refdata.offline import offline_reason

NPM_REGISTRY = "https://registry.npmjs.org"
WORLD_BANK_API = "https://api.worldbank.org/v2"
WDI_SERIES = ("GB.XPD.RSDV.GD.ZS", "SP.POP.SCIE.RD.P6", "NY.GDP.PCAP.CD")
USER_AGENT = "collabatlas-refdata (+https://pypi.org/project/collabatlas/)"


@dataclass(frozen=True)
class UpdateResult:
    name: str
    status: str  # updated | unchanged | no-source
    detail: str


def _get(url: str, timeout: float, retries: int) -> bytes:
    last: Exception | None = None
    for attempt in range(retries):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
                expected = response.headers.get("Content-Length")
                if expected is not None and int(expected) != len(body):
                    raise RefDataError(f"{url}: received {len(body):,} of {int(expected):,} bytes")
                return body
        except urllib.error.HTTPError as exc:
            if exc.code != 429 and exc.code < 500:
                raise RefDataError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
            last = exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, RefDataError) as exc:
            offline = offline_reason(exc)
            if offline:  # no network: a retry would only wait
                raise DownloadError(f"cannot download {url}: {offline}; the packaged or previously updated copy "
                                    "stays in use") from None
            last = exc
        if attempt + 1 < retries:
            time.sleep(min(2 ** attempt, 8))
    reason = getattr(last, "reason", last)
    raise DownloadError(f"cannot download {url} after {retries} attempts ({reason}); offline? "
                       "The packaged or previously updated copy stays in use")


def _npm(spec: str, timeout: float, retries: int) -> tuple[bytes, str]:
    package, _, member = spec.partition("/")
    meta = json.loads(_get(f"{NPM_REGISTRY}/{package}/latest", timeout, retries))
    tarball = _get(meta["dist"]["tarball"], timeout, retries)
    integrity = meta["dist"].get("integrity", "")
    if integrity.startswith("sha512-"):
        if base64.b64encode(hashlib.sha512(tarball).digest()).decode() != integrity[7:]:
            raise RefDataError(f"{meta['dist']['tarball']}: SHA-512 does not match the registry's integrity")
    elif hashlib.sha1(tarball).hexdigest() != meta["dist"].get("shasum"):
        raise RefDataError(f"{meta['dist']['tarball']}: SHA-1 does not match the registry's shasum")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        try:
            handle = archive.extractfile(f"package/{member}")
        except KeyError as exc:
            raise RefDataError(f"{package} {meta['version']} has no file {member}") from exc
        return handle.read(), f"{package} {meta['version']}"


def _world_bank(timeout: float, retries: int) -> tuple[bytes, str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code", "year", "value"])
    updated = ""
    for series in WDI_SERIES:
        page, pages = 1, 1
        while page <= pages:
            body = json.loads(_get(f"{WORLD_BANK_API}/country/all/indicator/{series}?format=json&per_page=20000"
                                   f"&page={page}", timeout, retries))
            if not isinstance(body, list) or len(body) < 2:
                raise RefDataError(f"World Bank API: unexpected answer for {series}: {str(body)[:200]}")
            meta, rows = body[0], body[1] or []
            pages, updated = int(meta.get("pages", 1)), meta.get("lastupdated", updated)
            for row in rows:
                if row.get("value") is not None and row.get("countryiso3code"):
                    writer.writerow([row["country"]["value"], row["countryiso3code"], row["indicator"]["value"],
                                     series, row["date"], row["value"]])
            page += 1
    return out.getvalue().encode("utf-8"), f"WDI last updated {updated or 'unknown'}"


def _validate(name: str, data: bytes) -> int:
    """Rows of the new file; it must have the shape of the packaged copy."""
    entry = dataset(name)
    if entry.file.endswith(".json"):
        try:
            topo = json.loads(data)
            return len(topo["objects"]["countries"]["geometries"])
        except (ValueError, KeyError, TypeError) as exc:
            raise RefDataError(f"{name}: the download is not world-atlas TopoJSON ({exc})") from exc
    text = data.decode("utf-8-sig")
    if entry.file.endswith(".txt"):
        return sum(1 for line in text.splitlines() if line.strip())
    packaged_header = next(csv.reader(io.StringIO(read_text(name))))
    try:
        reader = csv.reader(io.StringIO(text))
        header = next(reader)
        rows = sum(1 for _ in reader)
    except (StopIteration, csv.Error) as exc:
        raise RefDataError(f"{name}: the download is not CSV ({exc})") from exc
    missing = [column for column in packaged_header if column not in header]
    if missing:
        raise RefDataError(f"{name}: the download lacks the columns {', '.join(missing)}; packaged copy kept")
    if rows == 0:
        raise RefDataError(f"{name}: the download has no rows; packaged copy kept")
    return rows


def update(names: list[str] | None = None, timeout: float = 60.0, retries: int = 3) -> list[UpdateResult]:
    """Fetch fresh copies of ``names`` (default: every dataset with an update source) into the cache.

    All or nothing, whatever the order of ``names``: every download is made and checked first; only
    when all succeeded are they written (a failure raises and leaves the cache as it was)."""
    chosen = sorted({dataset(n).name for n in names}) if names else sorted(datasets())
    target = cache_dir()
    results: dict[str, UpdateResult] = {}
    fetched = []
    for name in chosen:
        entry = dataset(name)
        if not entry.update:
            results[name] = UpdateResult(name, "no-source", f"dated snapshot ({entry.version}); packaged copy in use")
            continue
        if entry.update.startswith("npm:"):
            data, version = _npm(entry.update[4:], timeout, retries)
        elif entry.update == "worldbank-api":
            data, version = _world_bank(timeout, retries)
        else:
            data, version = _get(entry.update, timeout, retries), f"downloaded {dt.date.today().isoformat()}"
        fetched.append((entry, data, version, _validate(name, data)))
    for entry, data, version, rows in fetched:
        name = entry.name
        stored = gzip.compress(data, mtime=0) if entry.file.endswith(".gz") else data
        digest = hashlib.sha256(stored).hexdigest()
        manifest_path = target / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
        previous = manifest.get(name, {}).get("sha256", entry.sha256)
        target.mkdir(parents=True, exist_ok=True)
        temporary = target / f".{entry.file}.part"
        temporary.write_bytes(stored)
        os.replace(temporary, target / entry.file)
        manifest[name] = {"file": entry.file, "bytes": len(stored), "sha256": digest, "rows": rows,
                          "retrieved": dt.date.today().isoformat(), "source": entry.update, "version": version}
        temporary = target / ".manifest.json.part"
        temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(temporary, manifest_path)
        status = "unchanged" if digest == previous else "updated"
        results[name] = UpdateResult(name, status, f"{version}, {rows:,} rows, {Path(target / entry.file)}")
    clear_cache()
    return [results[name] for name in chosen]


def reset(names: list[str] | None = None) -> list[str]:
    """Forget updated copies (all, or ``names``) so the packaged ones are used again."""
    manifest_path = cache_dir() / "manifest.json"
    if not manifest_path.is_file():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    removed = [n for n in (names or list(manifest)) if n in manifest]
    for name in removed:
        (cache_dir() / manifest.pop(name)["file"]).unlink(missing_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    clear_cache()
    return removed
