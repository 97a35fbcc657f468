"""The tree keeps its shape: packages form layers (the contracts in pyproject.toml, checked
by import-linter), no module imports one that imports it back, and only the blueprints read
the request (domain code takes a session and ids)."""

import ast
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

PACKAGE = Path(__file__).resolve().parent.parent / "newsletter"
#: where a request (or the logged-in user) may be read: the blueprints, the CLI, and the
#: choice of a page's language, and when the session cookie is written back
REQUEST_READERS = ("admin/", "public/", "api/", "cli/", "platform/i18n.py",
                   "platform/sessioncookie.py")
REQUEST_STATE = {"flask": {"request", "session", "g", "has_request_context"},
                 "flask_login": {"current_user", "login_user", "logout_user"}}


def test_packages_keep_their_layers():
    assert lint_imports(no_cache=True) == 0, "an import crosses the layers (output above)"


def test_no_module_imports_one_that_imports_it_back():
    graph = grimp.build_graph("newsletter", cache_dir=None)
    cycles = sorted({
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    })
    assert cycles == []


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_blueprints_read_request_state(path):
    relative = str(path.relative_to(PACKAGE))
    if relative.startswith(REQUEST_READERS):
        return
    found = [f"{node.module}.{alias.name}" for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.ImportFrom) and node.module in REQUEST_STATE
             for alias in node.names if alias.name in REQUEST_STATE[node.module]]
    assert found == [], f"{relative} reads request state; take values as arguments instead"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_package_says_what_it_owns(path):
    if path.name != "__init__.py":
        return
    assert ast.get_docstring(ast.parse(path.read_text())), f"{path} has no docstring"
