"""The code's shape, checked: imports run one way, modules and functions stay readable.

- no import cycle between modules of careconnect_app;
- no import of our own modules inside a function (the usual way to hide a cycle);
- Reflex only in the UI layer (pages, components, the app module, the HTTP routes), so the
  rules that matter stay plain Python and unit-testable;
- no module over 450 lines, no function over 80 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "careconnect_app"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
REFLEX_ALLOWED = ("careconnect_app.pages", "careconnect_app.components", "careconnect_app.careconnect_app",
                  "careconnect_app.api")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(current: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str, path: Path) -> list[tuple[str, ast.AST, bool]]:
    """(imported module, node, at module level) for each import of one of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    # Imports under `if TYPE_CHECKING:` are types only: they run nothing and make no cycle.
    type_only = {id(n) for stmt in tree.body if isinstance(stmt, ast.If)
                 and "TYPE_CHECKING" in ast.unparse(stmt.test) for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(name, node, path.name == "__init__.py")
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names]
        for target in targets:
            if target.split(".")[0] in ("careconnect_app", "reflex"):
                found.append((target, node, id(node) in top_level))
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges = set()
        for target, _node, _top in _imports(name, path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def test_no_import_cycles():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            # A package's __init__ importing its own submodules is how packages expose them.
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_imports_of_our_modules_inside_functions():
    hidden = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {target}"
              for name, path in MODULES.items() for target, node, top in _imports(name, path)
              if not top and target.startswith("careconnect_app")]
    assert hidden == []


def test_reflex_only_in_the_ui_layer():
    offenders = sorted({name for name, path in MODULES.items() for target, _n, _t in _imports(name, path)
                        if target.split(".")[0] == "reflex" and not name.startswith(REFLEX_ALLOWED)})
    assert offenders == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_and_function_sizes(name):
    path = MODULES[name]
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{name} has {len(source.splitlines())} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def _forms(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "form"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "rx"):
            yield node


def test_every_form_posts():
    """A form submitted before the page's JavaScript has taken over is sent by the browser itself: as
    GET, its fields (a password, a code) would land in the address bar, the history and the proxy's
    logs. Every form says POST (with the JavaScript there, Reflex handles the submit either way)."""
    found, wrong = 0, []
    for name, path in MODULES.items():
        for form in _forms(ast.parse(path.read_text())):
            found += 1
            method = next((k.value for k in form.keywords if k.arg == "method"), None)
            if not (isinstance(method, ast.Constant) and method.value == "post"):
                wrong.append(f"{name}:{form.lineno}")
    assert found >= 12 and not wrong, wrong


def _submits(tree: ast.AST) -> int:
    """The form's submit buttons: submit_button(...) or primary_button(..., submit=True)."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "submit_button" or (node.func.id == "primary_button" and any(
                    k.arg == "submit" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in node.keywords)):
                count += 1
    return count


def test_every_submit_button_waits_for_the_page():
    """Even posted, a form sent before hydration goes to the page's own address, which answers
    nothing useful, and what was typed is lost: every form's submit button comes from
    components/submit_button.py, which keeps it disabled until the page's JavaScript has taken over."""
    wrong = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        wrong += [f"{name}:{form.lineno} has no submit_button" for form in _forms(tree) if not _submits(form)]
        if name != "careconnect_app.components.submit_button":
            wrong += [f"{name}:{node.lineno} sets type=submit itself" for node in ast.walk(tree)
                      if isinstance(node, ast.keyword) and node.arg == "type"
                      and isinstance(node.value, ast.Constant) and node.value.value == "submit"]
    assert not wrong, wrong
