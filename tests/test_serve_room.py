"""Presenter mode end to end (issue 16): real OpenSSH clients under ptys, one ``dossier
serve --presenter-keys`` on loopback. The presenter logs in with a key of the file, the
audience without one; each side sees the other only through the room.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.test_serve_ssh import OpenSSHTerminal, needs_openssh
from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    REPO,
    TITLE,
    WAIT,
    PtyTerminal,
    ServeProcess,
    alive,
    async_wait_until,
    servers,
)
from tui.serve.hub import FOLLOWER_NICE, autogroup_nice

pytestmark = needs_openssh
DOWN, UP, ESCAPE = b"\x1b[B", b"\x1b[A", b"\x1b"
FOLLOWING = "Following the presenter"
ON_OWN = "Exploring on your own"
NOBODY = "Nobody is presenting"
TOUR_FIRST = "Start here. In early 2017"
TOUR_SECOND = "Valery Kistanov, a Russian Japan"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


def make_key(folder: Path, name: str) -> Path:
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        pytest.skip("no ssh-keygen (OpenSSH client tools) installed")
    path = folder / name
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(path)],
        check=True,
        timeout=30,
    )
    return path


@pytest.fixture
def room(serve: Callable[..., ServeProcess], tmp_path: Path) -> tuple[ServeProcess, Path, Path]:
    """A server whose presenters are alice and bob (their private keys returned too)."""
    alice, bob = make_key(tmp_path, "alice"), make_key(tmp_path, "bob")
    keys = tmp_path / "presenters"
    keys.write_text(Path(f"{alice}.pub").read_text() + Path(f"{bob}.pub").read_text())
    return serve("--presenter-keys", str(keys)), alice, bob


@asynccontextmanager
async def terminal(server: ServeProcess, key: Path | None = None) -> AsyncIterator[OpenSSHTerminal]:
    """A person at a terminal: with a presenter's key, or (audience) with none."""
    if key is None:
        options = ["-o", "PubkeyAuthentication=no", "-o", "BatchMode=no"]
    else:
        options = ["-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=no"]
    user = OpenSSHTerminal(server.port, options=options)
    try:
        await user.screen.expect(TITLE)
        yield user
    finally:
        user.close()


async def test_the_audience_follows_items_views_and_tour_steps(room) -> None:  # type: ignore[no-untyped-def]
    server, alice, _ = room
    async with terminal(server, alice) as presenter, terminal(server) as follower:
        await presenter.screen.expect("1 connected · 1 following")
        mark = follower.press(b"")
        presenter.press(DOWN + DOWN)
        await follower.screen.expect(AFTER_TWO_DOWNS, since=mark)
        mark = len(follower.screen.data)
        presenter.press(b"m")
        await follower.screen.expect("Stance matrix", since=mark)
        mark = len(follower.screen.data)
        presenter.press(ESCAPE)  # (alone: Textual waits a moment to tell it from alt+key)
        await follower.screen.expect("Actors (23)", since=mark)
        presenter.press(b"p")
        await follower.screen.expect(TOUR_FIRST, since=mark)
        mark = len(follower.screen.data)
        presenter.press(b" ")  # the next stop
        await follower.screen.expect(TOUR_SECOND, since=mark)
    await server.expect_log("room: alice@test presents")


async def test_a_late_joiner_lands_where_the_presenter_is(room) -> None:  # type: ignore[no-untyped-def]
    server, alice, _ = room
    async with terminal(server, alice) as presenter:
        presenter.press(DOWN + DOWN)
        await presenter.screen.expect(AFTER_TWO_DOWNS)
        async with terminal(server) as late:
            await late.screen.expect(AFTER_TWO_DOWNS)
            await late.screen.expect(FOLLOWING)
            # Followers yield the processor to the presenter (bench/room.py says why).
            nice = sorted(int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
                          for pid in server.children())  # fmt: skip
            assert nice == [0, FOLLOWER_NICE]
            # Where the kernel schedules each session as a group, the group's nice
            # value is what counts against the presenter's: the follower's is lowered.
            groups = sorted(autogroup_nice(pid) for pid in server.children())  # type: ignore[type-var]
            assert groups in ([None, None], [0, FOLLOWER_NICE])


async def test_breaking_away_and_following_again(room) -> None:  # type: ignore[no-untyped-def]
    server, alice, _ = room
    async with terminal(server, alice) as presenter, terminal(server) as follower:
        await follower.screen.expect(FOLLOWING)
        mark = follower.press(DOWN)  # a key of its own: off the track
        await follower.screen.expect(ON_OWN, since=mark)
        await presenter.screen.expect("0 following")
        mark = len(follower.screen.data)
        presenter.press(DOWN + DOWN)
        await follower.screen.expect("presenter is at Soviet Union", since=mark)
        assert AFTER_TWO_DOWNS not in follower.screen.text(mark)  # it stayed where it was
        mark = follower.press(b"F")
        await follower.screen.expect(AFTER_TWO_DOWNS, since=mark)
        await follower.screen.expect(FOLLOWING, since=mark)


async def test_a_followers_keys_move_nobody_else(room) -> None:  # type: ignore[no-untyped-def]
    server, alice, _ = room
    async with (
        terminal(server, alice) as presenter,
        terminal(server) as wanderer,
        terminal(server) as other,
    ):
        await presenter.screen.expect("2 connected")
        marks = len(presenter.screen.data), len(other.screen.data)
        wanderer.press(DOWN + DOWN + b"m")
        await wanderer.screen.expect("Stance matrix")
        wanderer.press(b"P" + b"H")  # neither may present nor hand over: nothing happens
        presenter.press(DOWN)  # the presenter's own move, to sync on
        await other.screen.expect("Russia › Japan", since=marks[1])
        await presenter.screen.expect("1 following")
        for seen in (presenter.screen.text(marks[0]), other.screen.text(marks[1])):
            assert "Stance matrix" not in seen and AFTER_TWO_DOWNS not in seen
        assert "Presenting" in presenter.screen.text(marks[0])


async def test_hand_over_take_over_and_the_presenter_leaving(room) -> None:  # type: ignore[no-untyped-def]
    server, alice, bob = room
    async with terminal(server, alice) as first, terminal(server, bob) as second:
        await second.screen.expect("alice@test is presenting")
        # (P while alice presents is refused: tests/test_serve_hub.py; typed here, it
        # could reach bob's app after the hand-over below, where it rightly counts.)
        mark = len(second.screen.data)
        first.press(b"H")
        await second.screen.expect("P to present", since=mark)
        mark = second.press(b"P")
        await second.screen.expect("Presenting", since=mark)
        await first.screen.expect("bob@test is presenting")
        async with terminal(server) as audience:
            await audience.screen.expect("bob@test is presenting")
            second.press(DOWN + DOWN)
            await audience.screen.expect(AFTER_TWO_DOWNS)
            mark = len(audience.screen.data)
            second.press(b"q")  # the presenter leaves: the audience keeps its place
            await audience.screen.expect(NOBODY, since=mark)
            assert "Russia › Soviet Union" in audience.screen.text()
    await server.expect_log("room: bob@test stopped presenting")


async def test_a_presenters_public_key_alone_gives_no_role(room, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The presenter's public key is no secret: offering it without the private half
    (ssh tries it, the signature cannot be made) leaves one in the audience."""
    server, alice, _ = room
    stranger = make_key(tmp_path, "stranger")
    shutil.copy(f"{alice}.pub", f"{stranger}.pub")  # the wrong private key behind it
    async with terminal(server, stranger) as user:
        await user.screen.expect(NOBODY)
        assert "Presenting" not in user.screen.text()


class ServerTerminal(PtyTerminal):
    """``dossier serve --present`` in a terminal of its own (a pty we hold), as a speaker
    runs it: the explorer draws on that terminal, the log goes to a file."""

    def __init__(self, folder: Path, *extra: str) -> None:
        self.probe = ServeProcess(folder)  # (for its environment and log helpers)
        argv = [sys.executable, "-m", "tui.serve", "--port", "0", "--present", *extra]
        if "--web" not in extra:
            argv += ["--host-key", str(folder / "host_key")]
        super().__init__(argv, (100, 30), env=self.probe.env, cwd=REPO)
        self.log_path = folder / "cache" / "dossier" / "serve" / "serve.log"

    def answer(self, data: bytes) -> None:
        if b"\x1b[6n" in data:  # (Textual asks where the cursor is: a terminal answers)
            os.write(self.master, b"\x1b[1;1R")

    def log(self) -> str:
        try:
            return self.log_path.read_text()
        except OSError:
            return ""

    async def port(self) -> int:
        await async_wait_until(lambda: "listening on" in self.log(), what="the server's log")
        match = re.search(r"listening on \S+ port (\d+)", self.log())
        assert match is not None
        return int(match.group(1))


async def test_presenting_from_the_servers_own_terminal(tmp_path: Path) -> None:
    speaker = ServerTerminal(tmp_path)
    try:
        await speaker.screen.expect("presenting on this terminal")
        port = await speaker.port()
        await speaker.screen.expect(TITLE)
        speaker.probe.port = port
        async with terminal(speaker.probe) as follower:
            await follower.screen.expect(FOLLOWING)
            await speaker.screen.expect("1 connected · 1 following")
            mark = len(follower.screen.data)
            speaker.press(DOWN + DOWN)
            await follower.screen.expect(AFTER_TWO_DOWNS, since=mark)
            mark = len(follower.screen.data)
            speaker.press(b"q")  # the speaker's explorer closes; the server serves on
            await speaker.screen.expect("the presenter's explorer has closed")
            await follower.screen.expect(NOBODY, since=mark)
        assert "room: the speaker's terminal presents" in speaker.log()
        speaker.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(speaker.process.wait, WAIT) == 0
    finally:
        speaker.close()


async def test_an_unknown_id_on_the_channel_is_ignored_and_logged(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    """A presenter on a newer version of the dossier (it changed on disk between two
    logins) shows an item the audience's older copy lacks: its id reaches them, is
    checked, ignored and logged; they stay where they were, and follow the next place."""
    folder = tmp_path / "dossier"
    shutil.copytree(REPO / "content" / "russia-japan", folder)
    alice = make_key(tmp_path, "alice")
    keys = tmp_path / "presenters"
    keys.write_text(Path(f"{alice}.pub").read_text())
    server = serve(str(folder), "--presenter-keys", str(keys))
    async with terminal(server) as follower:
        await follower.screen.expect(NOBODY)
        actors = folder / "actors.yaml"
        actors.write_text(
            actors.read_text().replace(
                "actors:\n",
                "actors:\n  - id: newcomer\n    name: A Newcomer\n    kind: state\n"
                "    role: Only in the newer version\n    summary: Added after they joined.\n",
                1,
            )
        )
        mark = len(follower.screen.data)
        async with terminal(server, alice) as presenter:
            await presenter.screen.expect("A Newcomer")  # the presenter's first item
            await server.expect_log(r"app dossier: room: .*newcomer")
            assert "A Newcomer" not in follower.screen.text(mark)
            presenter.press(DOWN + DOWN)  # to Japan, which both versions have
            await follower.screen.expect("Following the presenter", since=mark)
            await follower.screen.expect("claims the disputed islands", since=mark)


async def test_the_speakers_explorer_ends_with_a_killed_server(tmp_path: Path) -> None:
    speaker = ServerTerminal(tmp_path)
    try:
        await speaker.port()
        await speaker.screen.expect(TITLE)
        speaker.probe.process = speaker.process  # (for its list of the server's children)
        (app,) = speaker.probe.children()  # the speaker's explorer (the factory aside)
        speaker.process.kill()  # no chance to end it: the kernel must
        await async_wait_until(lambda: not alive(app), what="the speaker's explorer to end")
    finally:
        speaker.close()
