"""The rooms and the direction of imports (docs/architecture.md), enforced.

- `schedules/` imports neither the bot nor Telegram; `bot/` never imports `handlers/` (but for the
  one wiring point, `bot/app.py`); the Bot API emulator is a tool, imported only by the sandbox.
- Handlers talk to services only: they never import `bot.storage` nor reach `services.storage`.
- No import circles, not even through an import inside a function (`if TYPE_CHECKING:` imports,
  which never run, do not count).
- A wing stays a wing: at most 12 modules directly in `bot/services/`, none over 400 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "schedules", "emulator")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a file imports when it runs (at the top or inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {i for i in imports_of(path, known) if i in known and i != name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def top_packages(imports: set[str]) -> set[str]:
    return {name.split(".")[0] for name in imports}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("schedules", {"bot", "handlers", "telegram", "emulator"}), ("bot", {"handlers"}), ("emulator", {"bot", "handlers"})],
)
def test_imports_flow_one_way(package: str, forbidden: set[str]) -> None:
    offenders: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        if names & forbidden:
            offenders[str(path.relative_to(ROOT))] = names & forbidden
    allowed = {"bot/app.py"}  # build_application registers the handlers: the one wiring point
    assert {p: n for p, n in offenders.items() if p not in allowed} == {}


def test_only_the_sandbox_uses_the_emulator() -> None:
    """The terminal demo, the sandbox itself and the browser sandbox; nothing the bot runs in production."""
    users = {name for name, deps in graph().items() if name.split(".")[0] in {"bot", "handlers"} and any(d.startswith("emulator") for d in deps)}
    assert users <= {"bot.demo", "bot.sandbox", "bot.transcript", "bot.web.sandbox"}


def test_handlers_talk_to_services_only() -> None:
    edges = graph()
    importing = {name: sorted(d for d in deps if d.startswith("bot.storage")) for name, deps in edges.items() if name.startswith("handlers")}
    assert {name: deps for name, deps in importing.items() if deps} == {}
    reaching = {
        str(path.relative_to(ROOT)): line
        for path in (ROOT / "handlers").rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\.storage\b|\bsession\(", line)
    }
    assert reaching == {}


def test_no_import_circles() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_services_are_wings() -> None:
    flat = [p.name for p in (ROOT / "bot/services").glob("*.py") if p.name != "__init__.py"]
    assert len(flat) <= 12, flat
    for wing in (ROOT / "bot/services").iterdir():
        if wing.is_dir() and (wing / "__init__.py").exists():
            assert ast.get_docstring(ast.parse((wing / "__init__.py").read_text(encoding="utf-8"))), f"{wing.name} says what it owns"


def test_modules_are_small() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for package in ("bot", "handlers", "schedules")
        for p in (ROOT / package).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
