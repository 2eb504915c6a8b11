"""The shape of the package: the data layer stays free of Textual, and nothing below
the App imports it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import tui.content, tui.cli", id="content-layer"),
        pytest.param(
            "import io, contextlib; from tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['validate'])",
            id="validate-command",
        ),
    ],
)
def test_no_textual_below_the_screens(code: str) -> None:
    """The data layer, and the commands that only need it, never import Textual."""
    check = (
        "\nimport sys\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code + check], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _runtime_imports(source: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source`` (the text of ``path``) outside
    ``if TYPE_CHECKING:``, relative imports resolved against the module's package."""
    tree = ast.parse(source, filename=str(path))
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module or ""]) if node.level else node.module or ""
            found.append((node.lineno, module.rstrip(".")))
            # `from .. import app` names the module in the alias
            found += [(node.lineno, f"{module.rstrip('.')}.{alias.name}") for alias in node.names]
    return found


def test_screens_widgets_and_commands_do_not_import_the_app() -> None:
    """They reach the app through tui.navigation's Navigator, never the App class
    (an import under `if TYPE_CHECKING:` is only for the type checker)."""
    tui = REPO / "tui"
    files = [*sorted((tui / "screens").rglob("*.py")), *sorted((tui / "widgets").rglob("*.py"))]
    files.append(tui / "commands.py")
    assert len(files) > 10
    bad = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in files
        for line, module in _runtime_imports(path.read_text(encoding="utf-8"), path)
        if module == "tui.app" or module.startswith("tui.app.")
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "imports_app"),
    [
        ("from ..app import DossierApp", True),
        ("from .. import app", True),
        ("import tui.app", True),
        ("from tui.app import DossierApp", True),
        ("def f():\n    from ..app import DossierApp", True),
        ("if TYPE_CHECKING:\n    from ..app import DossierApp", False),
        ("from ..navigation import Navigator", False),
        ("from .view import ViewScreen", False),
    ],
)
def test_the_import_check_tells_runtime_from_typing_imports(source: str, imports_app: bool) -> None:
    """The check above can fail: it finds each spelling, and lets TYPE_CHECKING pass."""
    as_if_in = REPO / "tui" / "screens" / "probe.py"  # where it is decides what `..` means
    modules = [module for _, module in _runtime_imports(source + "\n", as_if_in)]
    found = any(m == "tui.app" or m.startswith("tui.app.") for m in modules)
    assert found is imports_app, modules
