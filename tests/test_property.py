"""Random and mutated YAML never escapes the loader as anything but a ContentError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.content import ContentError, Dossier, load_dossier

from .conftest import FIXTURES

SEED = (FIXTURES / "small" / "dossier.yaml").read_text(encoding="utf-8")
YAML_BITS = [
    ": ",
    "- ",
    "\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "<<: ",
    "!!python/object ",
    "'",
    '"',
    "#",
    "|",
    ">",
    "---\n",
    "\t",
    "%YAML 1.1\n",
    "? ",
    "id: ",
    "actors:\n",
    "\\",
    "\x1b",
    "\u202e",
    "9" * 30,
    "2017-02-30",
    "~",
]


def load_text(data: bytes) -> Dossier | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.yaml"
        path.write_bytes(data)
        try:
            return load_dossier(path, use_cache=False)
        except ContentError as error:
            assert error.diagnostics, "a ContentError must say what is wrong"
            # Any line break counts (YAML's are \r, \n, NEL, LS, PS); it may point past the end.
            last_line = len(data.decode("utf-8", "replace").splitlines()) + 2
            for diagnostic in error.diagnostics:
                assert diagnostic.message
                # Where, in the file that was read, on one printable line.
                assert diagnostic.location.path.endswith("d.yaml"), diagnostic
                assert 0 <= diagnostic.location.line <= last_line, diagnostic
                assert "\n" not in diagnostic.message and "\x1b" not in str(diagnostic)
            return None


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = SEED
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(YAML_BITS)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 40)) :]
        else:
            text = text[:position] + text[position : position + 80] + text[position:]
    return text.encode("utf-8")


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(mutated())
def test_mutated_dossiers_load_or_raise_content_error(data: bytes) -> None:
    load_text(data)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_load_or_raise_content_error(data: bytes) -> None:
    load_text(data)


@FAST
@given(
    st.lists(st.sampled_from([*YAML_BITS, *"abc01:-"]), max_size=60).map(
        lambda parts: "".join(parts).encode()
    )
)
def test_random_yaml_tokens_load_or_raise_content_error(data: bytes) -> None:
    load_text(data)
