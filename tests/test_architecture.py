"""The shape of the package: the data layer stays free of Textual."""

from __future__ import annotations

import subprocess
import sys


def test_content_layer_does_not_import_textual() -> None:
    code = (
        "import sys, tui.content, tui.cli; "
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_command_does_not_import_textual() -> None:
    code = (
        "import sys, io, contextlib; from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['validate'])\n"
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
