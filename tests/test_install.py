"""A real (non-editable) install: the wheel carries the bundled dossiers, `dossier` is
its console script, `--version` tells the package's version, and pipx and uv install
it as a tool where they are present.

Everything here is offline. The wheel is built without build isolation, and installs
take the dependencies from the environment running the tests: pip with ``--no-deps``
and the test's interpreter; pipx and uv (which make a fresh environment of their own)
with a small "bridge" wheel whose ``.pth`` file adds a folder of links to those
dependencies (and to nothing of dossier's own). So what is tested is what the tools do
with our wheel (the environment, the ``dossier`` command, the bundled files), not
their downloading of textual and the rest from PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

from .conftest import REPO

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once for this module."""
    folder = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(folder), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (built,) = folder.glob("dossier-*.whl")
    return built


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would make Python find this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "UV_"))}
    return {**env, **extra}


def test_wheel_ships_bundled_dossiers_and_validates_default(wheel: Path, tmp_path: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui/bundled/example/dossier.yaml" in names
    assert "tui/app.tcss" in names
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    # Run from an empty folder with only the installed copy importable as `tui`.
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "tui", "validate"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(target / "tui" / "bundled") in result.stdout


def test_version_is_the_packages() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout == f"dossier {VERSION}\n"
    assert importlib.metadata.version("dossier") == VERSION


def test_wheel_declares_the_dossier_command_and_its_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        info = f"dossier-{VERSION}.dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
    assert "[console_scripts]\ndossier = tui.cli:main" in entry_points
    assert metadata["Version"] == VERSION
    assert {"textual", "pyyaml", "platformdirs", "asyncssh", "textual-serve"} <= set(
        requirement_names(metadata)
    )


def requirement_names(metadata: Message) -> list[str]:
    """The names of the distributions ``metadata`` requires (not extras' ones)."""
    required = metadata.get_all("Requires-Dist") or []
    return [re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0] for r in required if "extra ==" not in r]


# pipx and uv ---------------------------------------------------------------------------


def tool(name: str) -> str:
    """The path of ``name`` (on PATH or beside this Python), or skip the test."""
    beside = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(beside) if beside.exists() else None)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install {name} to run this test)")
    return found


def dependencies_folder(folder: Path) -> Path:
    """Links to everything installed beside the tests' Python except dossier itself."""
    folder.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("dossier-", "tui", "_editable", "__editable__")) or name.endswith(
            ".pth"
        ):
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


def bridge_wheel(folder: Path, target: Path) -> Path:
    """A wheel that installs only a ``.pth`` file naming ``target``."""
    files = {
        "dossier_test_bridge.pth": f"{target}\n",
        "dossier_test_bridge-0.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: dossier-test-bridge\nVersion: 0\n"
        ),
        "dossier_test_bridge-0.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append("dossier_test_bridge-0.dist-info/RECORD,,")
    files["dossier_test_bridge-0.dist-info/RECORD"] = "\n".join(record) + "\n"
    path = folder / "dossier_test_bridge-0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def check_installed_command(command: Path, home: Path) -> None:
    """The tool's ``dossier`` runs its own copy: version, bundled dossier, completion."""
    assert command.exists(), f"no {command}"
    env = clean_env(HOME=str(home))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), *args], capture_output=True, text=True, cwd=home, env=env, timeout=120
        )

    version = run("--version")
    assert version.stdout == f"dossier {VERSION}\n", version.stderr
    validate = run("validate", "--no-cache")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert str(home) in validate.stdout  # the bundled dossier of the tool's own copy
    script = run("completion", "bash")
    assert script.returncode == 0, script.stderr
    if shutil.which("bash"):
        registered = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", f'{script.stdout}\ncomplete -p dossier'],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert registered.stdout.strip() == "complete -F _dossier dossier", registered.stderr


def test_pipx_installs_the_dossier_command(wheel: Path, tmp_path: Path) -> None:
    pipx = tool("pipx")
    helped = subprocess.run([pipx, "install", "--help"], capture_output=True, text=True)
    if "--preinstall" not in helped.stdout:  # (Debian 12's pipx is 1.1)
        pytest.skip(
            "this pipx has no --preinstall (pipx 1.5 and later), which installing offline "
            "needs: pip install pipx to run this test"
        )
    deps = dependencies_folder(tmp_path / "deps")
    bridge = bridge_wheel(tmp_path, deps)
    home = tmp_path / "pipx"
    env = clean_env(
        HOME=str(tmp_path),
        PIPX_HOME=str(home),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        PIPX_DEFAULT_BACKEND="pip",
        PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE="1",  # pip from ensurepip, not from PyPI
        PIP_NO_INDEX="1",
        PIP_CONFIG_FILE=os.devnull,
    )
    install = subprocess.run(
        [pipx, "install", "--python", sys.executable, "--preinstall", str(bridge), str(wheel)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    check_installed_command(home / "bin" / "dossier", home)


def test_uv_tool_installs_the_dossier_command(wheel: Path, tmp_path: Path) -> None:
    uv = tool("uv")
    deps = dependencies_folder(tmp_path / "deps")
    bridge = bridge_wheel(tmp_path, deps)
    with zipfile.ZipFile(wheel) as archive:
        metadata = Parser().parsestr(archive.read(f"dossier-{VERSION}.dist-info/METADATA").decode())
    excluded = tmp_path / "excluded.txt"  # resolved by the bridge, not by uv
    excluded.write_text("".join(f"{name}\n" for name in requirement_names(metadata)))
    home = tmp_path / "uv"
    env = clean_env(
        HOME=str(tmp_path),
        UV_TOOL_DIR=str(home / "tools"),
        UV_TOOL_BIN_DIR=str(home / "bin"),
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        UV_NO_CONFIG="1",
    )
    install = subprocess.run(
        [uv, "tool", "install", "--offline", "--no-index", "--python", sys.executable,
         "--excludes", str(excluded), "--with", str(bridge), str(wheel)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    if "unexpected argument '--excludes'" in install.stderr:
        pytest.skip("this uv has no --excludes (uv 0.8 or later has), so cannot stay offline")
    assert install.returncode == 0, install.stdout + install.stderr
    check_installed_command(home / "bin" / "dossier", home)
