"""An item's links as a tree, N hops out, for the Neighbourhood view.

:class:`LinkGraph` reads every link of a dossier once and answers "what is linked to
this item, and how" as groups of :class:`Edge` (positions, part of, members,
relations, about, cited by ...). :func:`neighbourhood` walks it breadth first, so
each item is expanded where it is nearest the root and shown elsewhere only as a
``repeat`` (a back-reference that is not expanded). The walk is bounded: at most
``group_limit`` children per group (the rest are counted) and ``line_limit`` lines
in all, so a dossier of 10,000 items stays fast at three hops. :func:`tree_lines`
lays the tree out as indented lines with tree guides. Nothing here imports Textual.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from .index import FIELD_ROLES, Index
from .model import Dossier, Issue, Stance

MIN_HOPS = 1
MAX_HOPS = 3
GROUP_LIMIT = 50
"""Children shown per group of one node; the rest are counted on a '… and K more' line."""
LINE_LIMIT = 2_000
"""Lines in the whole tree; the walk stops (and says so) when it would go beyond."""

OUTGOING_ROLES: dict[str, str] = {
    "part_of": "part of",
    "actor": "positions",
    "related": "related issues",
    "by": "by",
    "about": "about",
    "actors": "participants",
    "issues": "issues",
    "source": "cites",
    "see_also": "see also",
}
"""How a link reads from its owner's side, by field."""
INCOMING_ROLES: dict[str, str] = {
    "part_of": "members",
    "actor": "positions",
    "related": "related issues",
    "by": "author of",
    "about": "assessed in",
    "actors": "events",
    "issues": "events",
    "source": "cited by",
    "see_also": "referenced by",
}
"""How a link reads from its target's side, by field."""
RELATIONS = "relations"
ROLE_ORDER: tuple[str, ...] = (
    "positions",
    "part of",
    "members",
    RELATIONS,
    "about",
    "assessed in",
    "by",
    "author of",
    "related issues",
    "participants",
    "issues",
    "events",
    "cites",
    "cited by",
    "see also",
    "referenced by",
)
"""The order groups are shown in; any other role comes after these."""


@dataclass(frozen=True)
class Edge:
    """One link from an item to ``target``, as it reads from the item's side."""

    role: str
    target: str
    before: str = ""
    """Words shown before the target's label (an outgoing relation: 'leads ')."""
    after: str = ""
    """Words shown after the target's label (an incoming relation: ' leads this')."""
    stance: Stance | None = None
    """The stance of the position this link stands for (actor <-> issue links)."""


@dataclass(frozen=True)
class Node:
    """One item in the tree; its children are grouped by ``role``, groups in order."""

    entity_id: str
    label: str
    kind: str
    role: str = ""
    """How this node is linked to its parent ('' for the root)."""
    children: tuple[Node, ...] = ()
    repeat: bool = False
    """Already shown elsewhere in the tree: a back-reference, not expanded."""
    before: str = ""
    after: str = ""
    stance: Stance | None = None
    omitted: tuple[tuple[str, int], ...] = ()
    """(role, count) of children left out of a group to keep it short."""


@dataclass(frozen=True)
class Neighbourhood:
    """The tree around one item."""

    root: Node
    hops: int
    truncated: bool = False
    """True when ``line_limit`` stopped the walk before every node was expanded."""


@dataclass(frozen=True)
class TreeLine:
    """One line of the laid-out tree: a node, a group heading or a '… and K more' line."""

    guide: str
    """The tree guides before the text ('│  ├─ ')."""
    node: Node | None = None
    text: str = ""
    """The group's role, or the '… and K more' text (empty for a node)."""
    heading: bool = False


class LinkGraph:
    """Every link of a dossier, grouped by item and role (built once, read often)."""

    def __init__(self, dossier: Dossier, index: Index) -> None:
        self.dossier = dossier
        self.index = index
        self._stances: dict[tuple[str, str], Stance | None] = {}
        """(issue, actor) -> the stance of the actor's first position on the issue,
        looked up as the walk meets them (nothing read for the rest of the dossier)."""

    def label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return (entity.label or entity.id) if entity is not None else entity_id

    def kind(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.kind if entity is not None else ""

    def _stance(self, owner: str, field: str, target: str) -> Stance | None:
        if field != "actor":
            return None
        key = (owner, target)
        if key not in self._stances:
            issue = self.dossier.get(owner)
            positions = issue.positions if isinstance(issue, Issue) else ()
            stance = next((p.stance for p in positions if p.actor == target), None)
            self._stances[key] = stance
        return self._stances[key]

    def groups(self, entity_id: str) -> list[tuple[str, list[Edge]]]:
        """The links of ``entity_id`` as (role, edges) groups, in :data:`ROLE_ORDER`;
        within a group in file order, each target once."""
        edges: dict[str, dict[str, Edge]] = defaultdict(dict)

        def add(edge: Edge) -> None:
            if edge.target != entity_id:
                edges[edge.role].setdefault(edge.target, edge)

        for link_field, target in self.index.fields_to(entity_id):
            role = OUTGOING_ROLES.get(link_field, link_field)
            add(Edge(role, target, stance=self._stance(entity_id, link_field, target)))
        for backlink in self.index.backlinks_of(entity_id):
            role = INCOMING_ROLES.get(backlink.field, FIELD_ROLES.get(backlink.field, "linked"))
            stance = self._stance(backlink.owner, backlink.field, entity_id)
            add(Edge(role, backlink.owner, stance=stance))
        for relation in self.index.relations_of(entity_id):
            if relation.from_id == entity_id:
                add(Edge(RELATIONS, relation.to_id, before=f"{relation.kind} "))
            else:
                add(Edge(RELATIONS, relation.from_id, after=f" {relation.kind} this"))
        rank = {role: n for n, role in enumerate(ROLE_ORDER)}
        roles = sorted(edges, key=lambda role: rank.get(role, len(rank)))
        return [(role, list(edges[role].values())) for role in roles]


@dataclass
class _Draft:
    """A node while the walk is building it."""

    entity_id: str
    depth: int
    parent: str | None
    edge: Edge | None = None
    repeat: bool = False
    children: list[_Draft] = field(default_factory=list)
    omitted: list[tuple[str, int]] = field(default_factory=list)

    def freeze(self, graph: LinkGraph) -> Node:
        edge = self.edge
        return Node(
            self.entity_id,
            graph.label(self.entity_id),
            graph.kind(self.entity_id),
            role=edge.role if edge else "",
            children=tuple(child.freeze(graph) for child in self.children),
            repeat=self.repeat,
            before=edge.before if edge else "",
            after=edge.after if edge else "",
            stance=edge.stance if edge else None,
            omitted=tuple(self.omitted),
        )


def clamp_hops(hops: int) -> int:
    """``hops`` kept within MIN_HOPS..MAX_HOPS."""
    return max(MIN_HOPS, min(MAX_HOPS, hops))


def neighbourhood(
    graph: LinkGraph,
    entity_id: str,
    hops: int = 1,
    *,
    group_limit: int = GROUP_LIMIT,
    line_limit: int = LINE_LIMIT,
) -> Neighbourhood:
    """The tree of what is linked to ``entity_id``, ``hops`` links out (1 to 3).

    Breadth first: an item is expanded where it is first reached (nearest the root)
    and appears anywhere else as a repeat. The link straight back to a node's parent
    is left out (it is the same link seen from the other end).
    """
    hops = clamp_hops(hops)
    root = _Draft(entity_id, 0, None)
    seen = {entity_id}
    queue = deque([root])
    budget = line_limit - 1  # the root's own line
    truncated = False
    while queue and not truncated:
        draft = queue.popleft()
        if draft.depth >= hops:
            continue
        for role, linked in graph.groups(draft.entity_id):
            edges = [e for e in linked if e.target != draft.parent]
            if not edges:
                continue
            take = min(len(edges), group_limit, budget - 1)
            if take < len(edges):
                take = min(take, budget - 2)  # keep a line for '… and K more'
            if take <= 0:
                truncated = True
                break
            budget -= 1 + take
            for edge in edges[:take]:
                child = _Draft(edge.target, draft.depth + 1, draft.entity_id, edge)
                child.repeat = edge.target in seen
                draft.children.append(child)
                if not child.repeat:  # a repeat is a back-reference: never expanded
                    seen.add(edge.target)
                    queue.append(child)
            if take < len(edges):
                budget -= 1
                draft.omitted.append((role, len(edges) - take))
    return Neighbourhood(root.freeze(graph), hops, truncated)


def _grouped(node: Node) -> list[tuple[str, list[Node], int]]:
    """A node's children as (role, nodes, omitted) groups, in the node's order."""
    groups: dict[str, tuple[list[Node], list[int]]] = {}
    for child in node.children:
        groups.setdefault(child.role, ([], [0]))[0].append(child)
    for role, count in node.omitted:
        groups.setdefault(role, ([], [0]))[1][0] = count
    return [(role, nodes, more[0]) for role, (nodes, more) in groups.items()]


def tree_lines(tree: Neighbourhood) -> list[TreeLine]:
    """The tree as lines: the root, then each group heading and its nodes, indented
    with guides (├─ └─ │)."""
    lines = [TreeLine("", tree.root)]

    def walk(node: Node, indent: str) -> None:
        groups = _grouped(node)
        for number, (role, nodes, more) in enumerate(groups, 1):
            last_group = number == len(groups)
            guide = indent + ("└─ " if last_group else "├─ ")
            lines.append(TreeLine(guide, text=role, heading=True))
            inner = indent + ("   " if last_group else "│  ")
            for position, child in enumerate(nodes, 1):
                last = position == len(nodes) and not more
                lines.append(TreeLine(inner + ("└─ " if last else "├─ "), child))
                walk(child, inner + ("   " if last else "│  "))
            if more:
                lines.append(TreeLine(inner + "└─ ", text=f"… and {more} more"))

    walk(tree.root, "")
    return lines


def expanded_ids_by_depth(tree: Neighbourhood) -> list[list[str]]:
    """The ids shown expanded (not as repeats) at each depth, root first."""
    levels: list[list[str]] = []
    current = [tree.root]
    while current:
        levels.append([node.entity_id for node in current if not node.repeat])
        current = [child for node in current for child in node.children]
    return levels
