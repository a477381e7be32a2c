"""The house follows the data: a stage imports only earlier stages (and the top-level modules).

errors, settings, escaping → refdata → counting → sources → store → affiliations → ingest → engines
→ analyses → atlas → views. The counting rules are pure (SQL text, filters, subjects; no I/O), so
they sit low: the matcher and the store read their sector table and filters. An import needed only
for type annotations (under ``if TYPE_CHECKING:``) may point upward: it is no dependency at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "collabatlas"

LAYERS = (
    ("errors", "settings", "escaping"),
    ("refdata",),
    ("counting",),
    ("sources",),
    ("store",),
    ("affiliations",),
    ("ingest",),
    ("engines",),
    ("analyses",),
    ("atlas",),
    ("views",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _stage(module: str) -> str:
    """``collabatlas.store.ingest`` → ``store``; the package itself → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
            for name in names or [target]:
                if name.startswith("collabatlas."):
                    found.append((node.lineno, name))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("collabatlas.")]
    return found


FILES = sorted(p for p in SRC.rglob("*.py"))


def test_every_stage_is_placed():
    stages = {_stage(_module(p)) for p in FILES} - {"__init__"}
    assert stages <= set(RANK), f"modules outside the layer table: {sorted(stages - set(RANK))}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_run_one_way(path):
    stage = _stage(_module(path))
    if stage == "__init__":
        return  # the package's front door re-exports the facade
    upward = []
    for line, target in _imports(path):
        other = _stage(target)
        if other in RANK and RANK[other] > RANK[stage]:
            upward.append(f"line {line}: {target} ({other} is after {stage})")
    assert not upward, f"{path.relative_to(SRC)} imports a later stage:\n" + "\n".join(upward)
