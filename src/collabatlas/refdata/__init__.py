"""Reference data: the country tables, indicators, groups, outlines and journal lists the library uses.

Every dataset ships inside the package (``refdata/files``) and is listed in ``refdata/manifest.json``
with its source, licence, version, retrieval date, row count and SHA-256. Nothing here needs a
sample-data folder: a pip-installed collabatlas gives the same numbers in any working directory.

Where a dataset is read from, first match wins:

1. an explicit directory (``data_dir=`` / ``--data DIR``) holding the dataset at its layout path
   (e.g. ``indicators/country-codes.csv``, the layout of the project's shared data folder);
2. ``$COLLABATLAS_DATA``, the same way;
3. an updated copy in the user cache (``collabatlas data update``; :func:`cache_dir`);
4. the packaged copy.

Packaged and cached copies are checked against their recorded size and SHA-256 on first use; a
mismatch is an error naming the file and how to repair it, never a silent fallback. A file found
in a directory the user named is used as it is (its checksum is reported by ``data info``).
ISO 3166-1 names and codes come from the maintained ``pycountry`` package (:mod:`collabatlas.refdata.countries`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from collabatlas import settings
from collabatlas.errors import RefDataError

ENV_VAR = settings.env_var("data")


@dataclass(frozen=True)
class Dataset:
    """One packaged reference dataset, as the manifest describes it."""

    name: str
    file: str
    layout_path: str | None
    title: str
    publisher: str
    source_url: str
    licence: str
    version: str
    retrieved: str
    rows: int
    bytes: int
    sha256: str
    update: str | None


@dataclass(frozen=True)
class Located:
    """Where one dataset is read from: ``origin`` is ``directory``, ``env``, ``cache`` or ``package``."""

    dataset: Dataset
    path: Path
    origin: str
    version: str
    sha256: str

    @property
    def label(self) -> str:
        """Short provenance for captions and footers, e.g. ``wb-countries (packaged, current ...)``."""
        if self.origin in ("directory", "env"):
            return f"{self.dataset.name} ({self.path})"
        where = {"package": "packaged", "cache": "updated copy"}[self.origin]
        return f"{self.dataset.name} {self.version} ({where})"


def _package_root() -> Path:
    return Path(str(resources.files(__package__)))


def datasets() -> dict[str, Dataset]:
    """name → :class:`Dataset` for every packaged dataset (the manifest)."""
    return _manifest(_package_root())


@lru_cache(maxsize=4)
def _manifest(root: Path) -> dict[str, Dataset]:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return {entry["name"]: Dataset(**entry) for entry in manifest["datasets"]}


def dataset(name: str) -> Dataset:
    known = datasets()
    if name not in known:
        raise RefDataError(f"unknown reference dataset {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def cache_dir() -> Path:
    """The user cache for updated copies (``$COLLABATLAS_CACHE`` or the platform's user cache dir)."""
    env = settings.raw("cache")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("collabatlas")) / "refdata"


def _cache_manifest() -> dict:
    path = cache_dir() / "manifest.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RefDataError(f"{path} is not readable JSON ({exc}); delete it or run `collabatlas data update`") from exc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _checked(path: Path, size: int, sha256: str, mtime_ns: int, fix: str) -> str:
    """Verify a packaged or cached file once per modification time; return its digest."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise RefDataError(f"reference data file {path} is damaged: {actual_size:,} bytes, expected {size:,}; {fix}")
    digest = sha256_of(path)
    if digest != sha256:
        raise RefDataError(f"reference data file {path} is damaged: SHA-256 {digest[:12]}…, expected "
                           f"{sha256[:12]}…; {fix}")
    return digest


def locate(name: str, data_dir: str | os.PathLike | None = None) -> Located:
    """Where dataset ``name`` is read from (see the module docstring for the order), verified."""
    entry = dataset(name)
    for origin, root in (("directory", data_dir), ("env", settings.raw("data"))):
        if root and not Path(root).is_dir():
            named = "data_dir / --data" if origin == "directory" else f"${ENV_VAR}"
            raise RefDataError(f"reference data directory {root} (from {named}) not found; give an existing "
                               f"folder, or neither --data nor ${ENV_VAR}, to use the packaged reference data")
        if root and entry.layout_path:
            candidate = Path(root) / entry.layout_path
            if candidate.is_file():
                return Located(entry, candidate, origin, f"from {root}", sha256_of(candidate))
    cached = _cache_manifest().get(name)
    if cached:
        path = cache_dir() / cached["file"]
        if not path.is_file():
            raise RefDataError(f"updated copy of {name} is missing: {path}; run `collabatlas data update {name}` "
                               f"or delete {cache_dir() / 'manifest.json'} to use the packaged copy")
        fix = (f"run `collabatlas data update {name}` again, "
               f"or delete it and its entry in {cache_dir() / 'manifest.json'}")
        digest = _checked(path, cached["bytes"], cached["sha256"], path.stat().st_mtime_ns, fix)
        return Located(entry, path, "cache", f"{cached.get('version', '')} (updated {cached['retrieved']})", digest)
    path = _package_root() / "files" / entry.file
    if not path.is_file():
        raise RefDataError(f"packaged reference data file {path} is missing; reinstall collabatlas")
    digest = _checked(path, entry.bytes, entry.sha256, path.stat().st_mtime_ns, "reinstall collabatlas")
    return Located(entry, path, "package", entry.version, digest)


def path(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    """The verified file of dataset ``name``."""
    return locate(name, data_dir).path


def read_text(name: str, data_dir: str | os.PathLike | None = None) -> str:
    """The dataset's text (gzip-compressed files are decompressed)."""
    file = path(name, data_dir)
    data = file.read_bytes()
    if file.suffix == ".gz":
        import gzip

        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def provenance(names: list[str] | tuple[str, ...], data_dir: str | os.PathLike | None = None) -> str:
    """One line naming the reference data behind a result, e.g. for a caption or a report footer."""
    return "reference data: " + "; ".join(locate(n, data_dir).label for n in names)


def info(data_dir: str | os.PathLike | None = None) -> list[dict]:
    """Every dataset with its provenance and where it is loaded from (``collabatlas data info``)."""
    from collabatlas.refdata import countries

    rows = []
    for name, entry in sorted(datasets().items()):
        row = {"name": name, "title": entry.title, "version": entry.version, "rows": entry.rows,
               "licence": entry.licence, "source": entry.source_url, "publisher": entry.publisher,
               "retrieved": entry.retrieved}
        try:
            found = locate(name, data_dir)
            row.update(loaded_from=str(found.path), origin=found.origin, sha256=found.sha256, status="ok")
        except RefDataError as exc:
            row.update(loaded_from="", origin="", sha256="", status=f"error: {exc}")
        rows.append(row)
    rows.append(countries.iso_provenance())
    return rows


_GENERATION = [0]


def generation() -> int:
    """Bumped by :func:`clear_cache`: readers that cache parsed tables key them on it."""
    return _GENERATION[0]


def clear_cache() -> None:
    """Forget verified files and the manifest (after files change on disk, e.g. ``data update``)."""
    _checked.cache_clear()
    _manifest.cache_clear()
    _GENERATION[0] += 1


def versions_line() -> str:
    """The country tables behind ingest (address → country) and every group, e.g. for ``info``."""
    return _versions_line(generation())


@lru_cache(maxsize=2)
def _versions_line(_generation: int) -> str:
    from importlib.metadata import version

    return (f"ISO 3166-1 from pycountry {version('pycountry')}, country_converter {version('country_converter')}; "
            f"packaged datasets: {', '.join(f'{d.name} {d.version}' for d in datasets().values())} "
            "(`collabatlas data info`)")
