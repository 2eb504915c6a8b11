"""The Neighbourhood view: the link tree, N hops out, cycles shown once, bounded."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tui.app import DossierApp
from tui.content import Actor, Dossier, DossierInfo, Index, Link, Location, PartialDate
from tui.content.neighbourhood import (
    GROUP_LIMIT,
    LINE_LIMIT,
    MAX_HOPS,
    LinkGraph,
    Neighbourhood,
    Node,
    clamp_hops,
    expanded_ids_by_depth,
    neighbourhood,
    tree_lines,
)
from tui.screens import NeighbourhoodScreen
from tui.screens.neighbourhood import NeighbourhoodTree, neighbourhood_lines

from .conftest import fixture_dossier
from .on_screen import press, screen_text

AppFactory = Callable[..., DossierApp]


def tree_of(name: str, entity_id: str, hops: int) -> Neighbourhood:
    dossier = fixture_dossier(name)
    return neighbourhood(LinkGraph(dossier, Index(dossier)), entity_id, hops)


def all_nodes(node: Node) -> list[Node]:
    return [node, *(n for child in node.children for n in all_nodes(child))]


def plain_lines(tree: Neighbourhood) -> list[str]:
    return [line.text.plain for line in neighbourhood_lines(tree)]


# -- the tree -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hops", "levels"),
    [
        (1, [["analyst"], ["no-deal"]]),
        (2, [["analyst"], ["no-deal"], ["border", "north", "south", "memo"]]),
        (
            3,
            [
                ["analyst"],
                ["no-deal"],
                ["border", "north", "south", "memo"],
                ["talks", "north-leader"],
            ],
        ),
    ],
)
def test_each_hop_reaches_one_link_further(hops: int, levels: list[list[str]]) -> None:
    tree = tree_of("small", "analyst", hops)
    assert tree.hops == hops
    assert expanded_ids_by_depth(tree) == levels


def test_one_hop_from_an_actor_lists_its_links_by_group() -> None:
    assert plain_lines(tree_of("small", "north", 1)) == [
        "Northland  actor",
        "├─ positions",
        "│  └─ The border line  + for  issue",
        "├─ members",
        "│  └─ Ada North  actor",
        "├─ relations",
        "│  └─ ↺ Ada North leads this  (again)",
        "├─ assessed in",
        "│  └─ No deal soon  assessment",
        "└─ events",
        "   └─ Border talks  event",
    ]


def test_two_hops_show_an_item_reached_twice_once_then_as_a_back_reference() -> None:
    lines = plain_lines(tree_of("small", "north", 2))
    assert lines[:11] == [
        "Northland  actor",
        "├─ positions",
        "│  └─ The border line  + for  issue",
        "│     ├─ positions",
        "│     │  └─ Southland  − against  actor",
        "│     ├─ assessed in",
        "│     │  └─ ↺ No deal soon  (again)",
        "│     ├─ events",
        "│     │  └─ ↺ Border talks  (again)",
        "│     └─ cites",
        "│        └─ A memo  source",
    ]
    assert "│  └─ No deal soon  assessment" in lines  # expanded where it is nearest the root


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_every_item_is_expanded_once_and_repeats_are_not_expanded(hops: int) -> None:
    dossier = fixture_dossier("small")
    graph = LinkGraph(dossier, Index(dossier))
    for entity_id in dossier.entities:
        nodes = all_nodes(neighbourhood(graph, entity_id, hops).root)
        expanded = [n.entity_id for n in nodes if not n.repeat]
        assert len(expanded) == len(set(expanded)), entity_id
        assert all(not n.children for n in nodes if n.repeat)
        for node in nodes:  # the link straight back to the parent is never listed
            assert all(child.entity_id != node.entity_id for child in node.children)
    at_three = all_nodes(neighbourhood(graph, "analyst", 3).root)
    assert {n.entity_id for n in at_three if not n.repeat} == set(dossier.entities)


def test_hops_stay_between_one_and_three() -> None:
    assert [clamp_hops(n) for n in (-5, 0, 1, 2, 3, 4, 99)] == [1, 1, 1, 2, 3, 3, 3]
    assert tree_of("small", "north", 7).hops == MAX_HOPS


def big_dossier(size: int = 10_000, seed: int = 5) -> Dossier:
    """``size`` actors in one organisation, each seeing also five others at random."""
    rng = random.Random(seed)
    where = Location("big.yaml")
    ids = [f"a{n}" for n in range(size)]
    links = [Link(actor, "part_of", "hub") for actor in ids]
    see_also: dict[str, tuple[str, ...]] = {}
    for actor in ids:
        see_also[actor] = tuple(rng.sample(ids, 5))
        links += [Link(actor, "see_also", other) for other in see_also[actor] if other != actor]
    actors = [Actor(id="hub", loc=where, name="Hub")]
    actors += [
        Actor(id=a, loc=where, name=f"Actor {a}", part_of="hub", see_also=see_also[a]) for a in ids
    ]
    info = DossierInfo("big", "Big", "A big one.", PartialDate(2024), where)
    return Dossier(
        info,
        Path("big"),
        ("big.yaml",),
        actors=tuple(actors),
        links=tuple(links),
        entities={a.id: a for a in actors},
    )


def test_a_large_dossier_gives_a_bounded_tree() -> None:
    dossier = big_dossier()
    graph = LinkGraph(dossier, Index(dossier))
    hub = neighbourhood(graph, "hub", 1)
    assert hub.root.omitted == (("members", 10_000 - GROUP_LIMIT),)
    assert plain_lines(hub)[-1] == f"   └─ … and {10_000 - GROUP_LIMIT} more"
    deep = neighbourhood(graph, "a1", 3)
    lines = tree_lines(deep)
    assert deep.truncated
    assert len(lines) <= LINE_LIMIT
    assert "… the tree stops at 2,000 lines" in plain_lines(deep)[-1]
    for node in all_nodes(deep.root):
        for role in {child.role for child in node.children}:
            assert sum(child.role == role for child in node.children) <= GROUP_LIMIT
    small = neighbourhood(graph, "a1", 3, group_limit=3, line_limit=40)
    assert small.truncated
    assert len(tree_lines(small)) <= 40
    assert "│        └─ … and 9996 more" in plain_lines(small)  # the hub's other members


# -- the view ---------------------------------------------------------------------
def tree_pane(app: DossierApp) -> NeighbourhoodTree:
    return app.screen.query_one(NeighbourhoodTree)


def pane_text(app: DossierApp) -> list[str]:
    return [line.text.plain for line in tree_pane(app).lines]


async def open_neighbourhood(app: DossierApp, pilot: Pilot[None], entity_id: str = "") -> None:
    if entity_id:
        app.open_entity(entity_id)
        await pilot.pause()
    await press(pilot, "n")
    assert isinstance(app.screen, NeighbourhoodScreen)


async def test_the_view_shows_one_hop_and_plus_minus_change_it(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_neighbourhood(app, pilot)
        screen = app.screen
        assert isinstance(screen, NeighbourhoodScreen)
        assert screen.hops == 1
        assert pane_text(app) == plain_lines(tree_of("small", "north", 1))
        assert tree_pane(app).border_title == "Neighbourhood: 1 hop (of 3)"
        assert "+ More hops" in screen_text(app)
        assert "Fewer hops" not in screen_text(app)  # nothing to do at one hop
        for expected in (2, 3, 3):
            await press(pilot, "plus")
            assert screen.hops == expected
        assert tree_pane(app).border_title == "Neighbourhood: 3 hops (of 3)"
        assert pane_text(app) == plain_lines(tree_of("small", "north", 3))
        assert "More hops" not in screen_text(app)
        assert "- Fewer hops" in screen_text(app)
        for expected in (2, 1, 1):
            await press(pilot, "minus")
            assert screen.hops == expected
        await press(pilot, "equals_sign")  # '+' without shift
        assert screen.hops == 2


async def test_without_an_item_there_is_nothing_to_grow(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = NeighbourhoodScreen(app.dossier, app.index, None)
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.link_tree is None
        assert pane_text(app) == [
            "Open the neighbourhood from an item: it shows that item's links."
        ]
        await pilot.press("plus")
        assert screen.hops == 1
        assert "More hops" not in screen_text(app)


async def test_readable_without_colour(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("small")
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await open_neighbourhood(app, pilot)
        await press(pilot, "plus")
        shown = screen_text(app)
        assert "↺ No deal soon" in shown  # repeats are marked by a glyph, not a colour
        assert "+ for" in shown and "− against" in shown
