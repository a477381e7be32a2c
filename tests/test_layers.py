"""The house follows the data: a stage imports only earlier stages (and the top-level modules).

errors, settings, escaping, rounding → refdata → counting → sources → store → affiliations → ingest → engines
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
    ("errors", "settings", "escaping", "version", "rounding"),
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


def _imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, imported name) of the file ``path`` (or of ``text`` as if it were that file)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
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


MODULES = {_module(p): p for p in FILES}


def _known(name: str) -> str | None:
    """The module ``name`` is or lies in (``collabatlas.x.y.Name`` → ``collabatlas.x.y``), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _import_graph() -> dict[str, set[str]]:
    """module → the collabatlas modules it imports anywhere in the file: at module level, inside
    functions and under ``if TYPE_CHECKING:`` alike; ``from pkg import name`` where ``pkg.name`` is a
    module imports that module."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        out: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    out.add(_known(full) if full in MODULES else _known(target))
            elif isinstance(node, ast.Import):
                out |= {_known(a.name) for a in node.names if a.name.startswith("collabatlas")}
        graph[module] = {m for m in out if m and m != module}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One closed path through the component's first module (for the message)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return paths[node] + [start]
            if child not in paths:
                paths[child] = paths[node] + [child]
                todo.append(child)
    return component


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _cycle_in(["a", "b", "c"], graph) == ["a", "b", "c", "a"]


def test_the_graph_sees_every_kind_of_import():
    graph = _import_graph()
    # a module imported as a name of its package (`from collabatlas.affiliations import registry_openalex`)
    assert "collabatlas.affiliations.registry_openalex" in graph["collabatlas.affiliations.ror"]
    assert "collabatlas.affiliations.reattribute" in graph["collabatlas.affiliations.ror"]  # inside load_ror
    assert "collabatlas.sources.exports" in graph["collabatlas.sources.record"]  # only under TYPE_CHECKING


def test_no_import_circles():
    graph = _import_graph()
    circles = _circles(graph)
    assert not circles, "import circles in src/ (module-level, function-level and TYPE_CHECKING imports):\n" + \
        "\n".join(" -> ".join(_cycle_in(c, graph)) for c in circles)


#: what a view may import: the facade (``collabatlas.atlas`` and its modules), the lowest layer
#: (errors, escaping, settings, the version) and the options table; other views
VIEW_MAY_IMPORT = ("collabatlas.atlas", "collabatlas.errors", "collabatlas.escaping", "collabatlas.settings",
                   "collabatlas.version", "collabatlas.counting.options", "collabatlas.views")


def _allowed_in_views(target: str) -> bool:
    return any(target == allowed or target.startswith(allowed + ".") for allowed in VIEW_MAY_IMPORT)


def _view_imports_below_the_facade(path: Path, text: str | None = None) -> list[str]:
    """Every import of ``path`` (module level, in functions; not under TYPE_CHECKING) that reaches below
    the facade: ``collabatlas.refdata``, ``collabatlas.counting.rules``, ``collabatlas.__version__`` …"""
    return [f"line {line}: {target}" for line, target in sorted(_imports(path, text)) if not _allowed_in_views(target)]


def test_the_view_rule_sees_what_it_refuses():
    source = ("from collabatlas import __version__\nfrom collabatlas.counting.rules import CountingError\n"
              "def f():\n    from collabatlas.refdata import groups\n"
              "from collabatlas.atlas import reference\nfrom collabatlas.atlas.inputs import parse_years\n"
              "from collabatlas.errors import CountingError\nfrom collabatlas.counting.options import MetricOptions\n"
              "from collabatlas.counting.optionsx import X\nfrom collabatlas.views import charts\n"
              "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from collabatlas.analyses.tables import ranked\nfrom ..refdata import groups\n")
    found = _view_imports_below_the_facade(SRC / "views" / "probe.py", source)
    assert found == ["line 1: collabatlas.__version__", "line 2: collabatlas.counting.rules.CountingError",
                     "line 4: collabatlas.refdata.groups", "line 9: collabatlas.counting.optionsx.X",
                     "line 14: collabatlas.refdata.groups"]


VIEW_FILES = [p for p in FILES if _stage(_module(p)) == "views"]


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_import_only_the_facade(path):
    """The views (CLI, report, fact sheets, dashboard, API) import only the facade, errors, escaping,
    settings and the options table: everything else reaches them through ``collabatlas.atlas``."""
    below = _view_imports_below_the_facade(path)
    assert not below, f"{path.relative_to(SRC)} imports below the facade:\n" + "\n".join(below)


#: the names of sources (``--source``) a view must not test for: it asks the engine's declaration instead
SOURCE_NAMES = {"works", "pairs"}


def _source_branches(path: Path, text: str | None = None) -> list[str]:
    """Comparisons (``==``, ``!=``, ``is``, ``is not``) of a value with a source's name (``source ==
    "pairs"``, ``source is not Source.works``) in ``path``: which source a view has is never tested, its
    capabilities are asked (``atlas.capabilities(source).supports(...)``, ``counting_modes``)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) for op in node.ops):
            continue
        for side in (node.left, *node.comparators):
            named = (side.value if isinstance(side, ast.Constant) else
                     side.attr if isinstance(side, ast.Attribute) and ast.unparse(side.value).endswith("Source")
                     else None)
            if named in SOURCE_NAMES:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
                break
    return sorted(found)


def test_the_source_branch_finder_finds_branches():
    text = ('if source == "pairs": pass\nif filters.get("source") != "works": pass\n'
            "if source is not Source.works: pass\nif 'works' in columns: pass\nif kind == 'trend': pass\n"
            "if source.value != DEFAULT_SOURCE: pass\n")
    assert _source_branches(SRC / "views" / "probe.py", text) == [
        "line 1: source == 'pairs'", "line 2: filters.get('source') != 'works'", "line 3: source is not Source.works"]


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_ask_capabilities_not_source_names(path):
    branches = _source_branches(path)
    assert not branches, f"{path.relative_to(SRC)} tests which source it has:\n" + "\n".join(branches)


#: what running SQL looks like: a connection's methods, and the Atlas's connection itself
SQL_ATTRIBUTES = {"con", "_con", "execute", "executemany"}


def _sql_in_view(path: Path, text: str | None = None) -> list[str]:
    """Every use of an attribute of :data:`SQL_ATTRIBUTES` in ``path`` (``atlas.con``, ``x.execute(...)``,
    ``getattr(atlas, "con")``): a view renders what a named library call returns, it runs no statement."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    found = []
    for node in ast.walk(tree):
        name = (node.attr if isinstance(node, ast.Attribute) else
                node.args[1].value if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant) else None)
        if name in SQL_ATTRIBUTES:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(set(found))


def test_the_sql_finder_finds_sql():
    text = ("rows = atlas.con.execute('SELECT 1').fetchall()\ncur = svc.atlas().con\n"
            "getattr(atlas, 'con')\ncon.close()\natlas.scores()\nx.executor\n")
    assert _sql_in_view(SRC / "views" / "probe.py", text) == [
        "line 1: atlas.con", "line 1: atlas.con.execute", "line 2: svc.atlas().con", "line 3: getattr(atlas, 'con')"]


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_run_no_sql(path):
    """No view runs a statement or touches the store's connection (no waivers): each query is a named
    call of the library that returns a table, and the view renders it."""
    found = _sql_in_view(path)
    assert not found, f"{path.relative_to(SRC)} runs SQL itself:\n" + "\n".join(found)


#: the guide's length of a module (one concept per module: a longer one is split by concept)
MAX_LINES = 600


def test_no_module_is_longer_than_the_guide():
    long = {str(p.relative_to(SRC)): n for p in FILES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split by concept): {long}"
