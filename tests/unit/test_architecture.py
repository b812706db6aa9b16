"""The layering in DESIGN.md ("Dependencies point one way") is a contract, checked here.

The import graph of the project's own code (everything but tests/ and bench/) is built with
`ast` from every .py file. Every import counts: module level, inside functions (a lazy import
is still a dependency), under `if TYPE_CHECKING:`, and `importlib.import_module("literal")`.
`import a.b` is an edge to `a.b`; `from a import b` is an edge to `a.b` when that is one of our
modules, else to `a`; relative imports are resolved against the importing module's package.

Each rule is its own test; a failure lists the offending `file:line -> module` edges.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXCLUDED_DIRS = {"tests", "bench", ".venv", "var", "build", "dist", ".git", "node_modules"}

# Top to bottom. A module may import its own layer or any lower one, never a higher one.
# Settings sit above the domain: validating them uses the domain's vocabulary (statuses), and
# nothing in the domain reads settings (bootstrap passes it plain values).
LAYERS: list[set[str]] = [
    {"app", "cli", "web", "bootstrap"},
    {"agent"},
    {"tools"},
    {"jobs"},
    {"integrations"},
    {"config"},
    {"domain"},
]
# Outside the stack: migrations may import only these of our top-level names (and itself).
MIGRATIONS_MAY_IMPORT = {"migrations", "domain", "config"}
# Within the top layer.
TOP_LAYER_FORBIDDEN = {
    "web": {"cli"},
    "cli": {"web"},
    "bootstrap": {"app", "cli", "web", "agent", "tools"},
}
BOOTSTRAP_IMPORTERS = {"app", "cli"}
# Third-party (and our own) packages that a package must not import.
FORBIDDEN = {
    "agent": {"chainlit", "starlette", "fastapi", "plotly"},
    "domain": {
        "jobs",
        "agent",
        "tools",
        "web",
        "cli",
        "integrations",
        "bootstrap",
        "chainlit",
        "dramatiq",
        "httpx",
        "msal",
    },
    "tools": {"chainlit", "starlette", "fastapi"},
}


@dataclass(frozen=True)
class Edge:
    source: str  # importing module, dotted
    file: str  # path relative to the root, for messages
    line: int
    target: str  # imported module, dotted (ours or third-party)

    def __str__(self) -> str:
        return f"{self.file}:{self.line} -> {self.target}"


@dataclass
class Graph:
    root: Path
    modules: dict[str, Path] = field(default_factory=dict)  # dotted name -> file
    packages: set[str] = field(default_factory=set)  # dotted names that are directories
    edges: list[Edge] = field(default_factory=list)

    def is_ours(self, name: str) -> bool:
        return name in self.modules or name in self.packages

    def internal_edges(self) -> list[Edge]:
        return [e for e in self.edges if e.target in self.modules and e.target != e.source]


def top(name: str) -> str:
    return name.split(".", 1)[0]


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _python_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if any(part in EXCLUDED_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        files.append(path)
    return files


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join([*package, *([name] if name else [])])


def build_graph(root: Path) -> Graph:
    graph = Graph(root=root)
    for path in _python_files(root):
        name = _module_name(root, path)
        if name:
            graph.modules[name] = path
        parts = name.split(".")
        for i in range(1, len(parts) if path.name != "__init__.py" else len(parts) + 1):
            graph.packages.add(".".join(parts[:i]))
    graph.packages -= {m for m in graph.modules if graph.modules[m].name != "__init__.py"}

    for name, path in graph.modules.items():
        rel = str(path.relative_to(root))
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (
                    _resolve_relative(name, is_package, node.level, node.module)
                    if node.level
                    else node.module or ""
                )
                for alias in node.names:
                    candidate = f"{base}.{alias.name}" if base else alias.name
                    targets.append(candidate if graph.is_ours(candidate) else base)
            elif (
                isinstance(node, ast.Call)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                    or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                )
            ):
                targets = [node.args[0].value]
            for target in dict.fromkeys(t for t in targets if t):
                graph.edges.append(Edge(name, rel, node.lineno, target))
    return graph


# --- the rules, as functions over a graph (so the checker itself can be tested) ------------------


def _layer_of(name: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if top(name) in layer:
            return index
    return None


def unlayered_modules(graph: Graph) -> list[str]:
    return sorted(
        m for m in graph.modules if _layer_of(m) is None and top(m) not in MIGRATIONS_MAY_IMPORT
    )


def layer_violations(graph: Graph) -> list[Edge]:
    bad = []
    for edge in graph.edges:
        if not graph.is_ours(edge.target) or top(edge.target) == top(edge.source):
            continue
        if top(edge.source) == "migrations":
            if top(edge.target) not in MIGRATIONS_MAY_IMPORT:
                bad.append(edge)
            continue
        source_layer, target_layer = _layer_of(edge.source), _layer_of(edge.target)
        if source_layer is None or target_layer is None or target_layer < source_layer:
            bad.append(edge)
    return bad


def top_layer_violations(graph: Graph) -> list[Edge]:
    bad = []
    for edge in graph.edges:
        if not graph.is_ours(edge.target):
            continue
        source, target = top(edge.source), top(edge.target)
        forbidden = TOP_LAYER_FORBIDDEN.get(source, set())
        if target == "bootstrap" and source not in BOOTSTRAP_IMPORTERS | {"bootstrap"}:
            forbidden = forbidden | {"bootstrap"}
        if target in forbidden:
            bad.append(edge)
    return bad


def forbidden_imports(graph: Graph, package: str) -> list[Edge]:
    names = FORBIDDEN[package]
    return [e for e in graph.edges if top(e.source) == package and top(e.target) in names]


def import_cycles(graph: Graph) -> list[list[Edge]]:
    """Tarjan's strongly connected components over our modules; each cycle with its edges."""
    adjacency: dict[str, set[str]] = {m: set() for m in graph.modules}
    for edge in graph.internal_edges():
        adjacency[edge.source].add(edge.target)

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0

    for start in sorted(adjacency):
        if start in index:
            continue
        # iterative Tarjan: (node, iterator over its successors)
        work = [(start, iter(sorted(adjacency[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(adjacency[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)

    return [
        sorted(
            (e for e in graph.internal_edges() if e.source in comp and e.target in comp),
            key=lambda e: (e.file, e.line),
        )
        for comp in sorted(components, key=lambda c: sorted(c))
    ]


def _fail_if(edges: list[Edge], title: str) -> None:
    if edges:
        lines = "\n".join(f"  {edge}" for edge in edges)
        pytest.fail(f"{title}:\n{lines}", pytrace=False)


# --- the contract, on the real tree ---------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph(ROOT)


def test_the_graph_covers_the_project(graph):
    """Guards every other test here against passing vacuously on an empty or partial graph."""
    for package in ("app", "bootstrap", "config", "cli", "web", "agent", "tools", "jobs"):
        assert package in graph.modules, f"{package} not found under {ROOT}"
    for package in ("integrations", "domain", "migrations"):
        assert any(top(m) == package for m in graph.modules), f"no {package}/ modules found"
    assert not any(top(m) in {"tests", "bench"} for m in graph.modules)
    assert len(graph.modules) > 50 and len(graph.internal_edges()) > 100


def test_every_module_is_in_a_layer(graph):
    unknown = unlayered_modules(graph)
    if unknown:
        pytest.fail(f"modules outside every layer (place them in LAYERS): {unknown}", pytrace=False)


def test_dependencies_point_down_the_layers(graph):
    _fail_if(
        layer_violations(graph),
        "imports of a higher layer (app/cli/web/bootstrap -> agent -> tools -> jobs -> "
        "integrations -> config -> domain; migrations -> domain, config only)",
    )


def test_top_layer_keeps_its_own_rules(graph):
    _fail_if(
        top_layer_violations(graph),
        "web/ and cli/ import each other, bootstrap imports app/cli/web/agent/tools, or "
        "something other than app.py and cli/ imports bootstrap",
    )


def test_no_import_cycles(graph):
    cycles = import_cycles(graph)
    if cycles:
        report = "\n".join(
            f"cycle among {sorted({e.source for e in cycle})}:\n"
            + "\n".join(f"  {edge}" for edge in cycle)
            for cycle in cycles
        )
        pytest.fail(f"import cycles (each edge listed):\n{report}", pytrace=False)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_forbidden_imports(graph, package):
    _fail_if(
        forbidden_imports(graph, package),
        f"{package}/ must not import {', '.join(sorted(FORBIDDEN[package]))}",
    )


# --- the checker itself ---------------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def test_checker_reports_a_layer_violation_and_a_cycle(tmp_path):
    _write(
        tmp_path,
        {
            "config.py": "",
            "domain/__init__.py": "",
            "domain/rules.py": "import config\n\n\ndef f():\n    from jobs import tasks\n",
            "jobs/__init__.py": "",
            "jobs/tasks.py": "from . import runner\n",
            "jobs/runner.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import jobs.tasks\n",
            "agent/__init__.py": "import chainlit\n",
            "tests/test_x.py": "import cli\n",
        },
    )
    graph = build_graph(tmp_path)

    assert set(graph.modules) == {
        "config",
        "domain",
        "domain.rules",
        "jobs",
        "jobs.tasks",
        "jobs.runner",
        "agent",
    }
    assert [str(e) for e in layer_violations(graph)] == [
        "domain/rules.py:1 -> config",  # settings sit above the domain
        "domain/rules.py:5 -> jobs.tasks",
    ]
    assert [str(e) for e in forbidden_imports(graph, "domain")] == [
        "domain/rules.py:5 -> jobs.tasks"
    ]
    assert [str(e) for e in forbidden_imports(graph, "agent")] == [
        "agent/__init__.py:1 -> chainlit"
    ]
    cycles = import_cycles(graph)
    assert [[str(e) for e in cycle] for cycle in cycles] == [
        ["jobs/runner.py:3 -> jobs.tasks", "jobs/tasks.py:1 -> jobs.runner"]
    ]


def test_checker_resolves_package_imports_without_false_cycles(tmp_path):
    """`from pkg import sub` is an edge to pkg.sub, not pkg: a package __init__ importing its
    submodule, and that submodule importing a sibling through the package, is no cycle; a
    submodule importing a name the __init__ defines is one."""
    _write(
        tmp_path,
        {
            "config.py": "",
            "jobs/__init__.py": "from jobs import a\n",
            "jobs/a.py": "from jobs import b\n",
            "jobs/b.py": "from . import c\n",
            "jobs/c.py": "",
            "jobs/sub/d.py": "from .. import b\nfrom ..c import x\nfrom ... import config\n",
            "web/__init__.py": "import bootstrap\nfrom cli import main\n",
            "cli/__init__.py": "",
            "bootstrap.py": "",
        },
    )
    graph = build_graph(tmp_path)
    edges = {(e.source, e.target) for e in graph.edges}
    assert {("jobs", "jobs.a"), ("jobs.a", "jobs.b"), ("jobs.b", "jobs.c")} <= edges
    assert {("jobs.sub.d", "jobs.b"), ("jobs.sub.d", "jobs.c"), ("jobs.sub.d", "config")} <= edges
    assert import_cycles(graph) == []
    assert [str(e) for e in top_layer_violations(graph)] == [
        "web/__init__.py:1 -> bootstrap",
        "web/__init__.py:2 -> cli",
    ]

    _write(tmp_path, {"jobs/c.py": "from jobs import something_in_init\n"})
    cycles = import_cycles(build_graph(tmp_path))
    assert [[str(e) for e in cycle] for cycle in cycles] == [
        [
            "jobs/__init__.py:1 -> jobs.a",
            "jobs/a.py:1 -> jobs.b",
            "jobs/b.py:1 -> jobs.c",
            "jobs/c.py:1 -> jobs",
        ]
    ]
