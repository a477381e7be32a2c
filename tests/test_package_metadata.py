"""The package metadata states only what is true (issue 28): no invented project URLs, and the
documentation the help texts name (docs/*.md) travels in the source distribution."""

from __future__ import annotations

import re
import shutil
import tarfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_project_url_is_an_address_the_readme_gives():
    """A project URL in the metadata must be one the README states (the project's documented truth):
    an address assumed for a repository that does not exist fails here."""
    urls = PYPROJECT["project"].get("urls", {})
    invented = {name: url for name, url in urls.items() if url not in README}
    assert not invented, f"[project.urls] names addresses the README does not give: {invented}"


def test_the_help_texts_name_docs_that_the_source_distribution_carries(tmp_path, monkeypatch):
    from setuptools import build_meta

    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)  # setuptools builds the project in the current directory
    sdist = build_meta.build_sdist(str(tmp_path / "dist"))
    with tarfile.open(tmp_path / "dist" / sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
        info = archive.extractfile(next(n for n in archive.getnames() if n.endswith("/PKG-INFO"))).read().decode()
    named = set()
    for path in (REPO / "src" / "collabatlas").rglob("*.py"):
        named |= set(re.findall(r"\bdocs/[a-z0-9_-]+\.md\b", path.read_text(encoding="utf-8")))
    assert named and named <= names, f"help texts name docs the sdist lacks: {sorted(named - names)}"
    assert {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")} <= names
    urls = re.findall(r"^Project-URL: .*$", info, flags=re.M)
    assert all(line.split(", ", 1)[1] in README for line in urls), urls  # the built metadata: the same rule
