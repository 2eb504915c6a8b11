"""Write SVG screenshots of the real app into screenshots/ (run by `make screenshots`).

Each shot opens the bundled default dossier, presses the keys a user would, and
saves what the terminal shows. README.md embeds the results.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from tui.app import DossierApp
from tui.content import load_dossier
from tui.content.bundled import default_dossier

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Shot:
    name: str
    """File name without .svg."""
    size: tuple[int, int] = (80, 24)
    keys: tuple[str, ...] = ()
    open_id: str | None = None
    """Entity to open (as a followed link would) before the keys are pressed."""


SHOTS = [
    Shot("main"),
    Shot("main-120x40", size=(120, 40)),
    Shot("actor", open_id="japan", keys=("4",)),
    Shot("issue", open_id="territorial-dispute", keys=("4",)),
    Shot("assessment", open_id="kistanov-no-breakthrough", keys=("4",), size=(100, 30)),
    Shot("filter", keys=("slash", "a", "b", "e")),
    Shot("help", keys=("question_mark",)),
    Shot("matrix", open_id="japan", keys=("m",), size=(100, 30)),
    Shot("timeline", open_id="abe", keys=("t",)),
    Shot("evidence", open_id="kistanov-no-breakthrough", keys=("e",), size=(100, 30)),
    Shot("neighbourhood", open_id="japan", keys=("n",), size=(100, 30)),
    Shot("tour", keys=("p", "space")),
]


async def take(shot: Shot) -> Path:
    app = DossierApp(load_dossier(default_dossier(), use_cache=False))
    async with app.run_test(size=shot.size) as pilot:
        await pilot.pause()
        if shot.open_id is not None:
            app.open_entity(shot.open_id)
            await pilot.pause()
        for key in shot.keys:
            await pilot.press(key)
        await pilot.pause(0.2)
        path = HERE / f"{shot.name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


async def main() -> int:
    for shot in SHOTS:
        path = await take(shot)
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
