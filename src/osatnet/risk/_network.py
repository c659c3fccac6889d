"""The supply network: nodes, supply links, needs and bills of materials, validated.

A :class:`Network` is plain data (what the files hold). :meth:`Network.compile` turns it into
:class:`Compiled` arrays indexed by *pairs* ``(node, item)``, the unit every computation of the
package works on: a pair has an inventory, a weekly need, inbound and outbound links, and may be
produced or consumed by the node's bill of materials.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ..errors import InputError

__all__ = [
    "DEFAULT_TTR_WEEKS",
    "BomLine",
    "Compiled",
    "Link",
    "Need",
    "Network",
    "Node",
    "NodeKind",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class NodeKind(enum.StrEnum):
    MEMBER_SITE = "member_site"
    TIER1 = "tier1"
    TIER2_PLUS = "tier2+"
    LOGISTICS_HUB = "logistics_hub"


# Time to recover when a node's row leaves ttr_weeks empty: a plant rebuilds or requalifies
# in months (Renesas Naka took ~3 months after the 2011 earthquake), a port reopens in weeks.
DEFAULT_TTR_WEEKS: dict[NodeKind, int] = {
    NodeKind.MEMBER_SITE: 8,
    NodeKind.TIER1: 12,
    NodeKind.TIER2_PLUS: 16,
    NodeKind.LOGISTICS_HUB: 2,
}


@dataclass(frozen=True)
class Node:
    node_id: str
    name: str
    kind: NodeKind
    country: str
    region: str
    lat: float
    lon: float
    member_id: str | None = None
    ttr_weeks: int | None = None
    row: int | None = field(default=None, compare=False)

    @property
    def ttr(self) -> int:
        """Weeks to recover from an outage (the kind's default when not given)."""
        return DEFAULT_TTR_WEEKS[self.kind] if self.ttr_weeks is None else self.ttr_weeks


@dataclass(frozen=True)
class Link:
    """``supplier_id`` ships ``item`` to ``customer_id``: ``weekly_volume`` at plan, up to
    ``max_weekly_volume`` when asked (the alternative supply available to that customer)."""

    supplier_id: str
    customer_id: str
    item: str
    weekly_volume: float
    max_weekly_volume: float
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Need:
    """What ``node_id`` consumes of ``item`` each week at plan, what it holds, what a missing
    unit costs. A row with ``weekly_need`` 0 just records inventory."""

    node_id: str
    item: str
    weekly_need: float
    inventory: float
    value_per_unit: float
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BomLine:
    """One unit of ``output_item`` made at ``node_id`` uses ``quantity`` units of
    ``input_item``. The lines of one (node, output) form one recipe."""

    node_id: str
    output_item: str
    input_item: str
    quantity: float
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Compiled:
    """The network as arrays. Pairs are ``(node, item)``; recipes are ``(node, output)``."""

    node_ids: tuple[str, ...]
    pair_node: IntArray
    pair_item: tuple[str, ...]
    pair_index: dict[tuple[str, str], int]
    need: FloatArray
    inventory: FloatArray
    value: FloatArray
    source: BoolArray  # pairs nobody supplies and nobody needs: unlimited origin of their links
    link_sup: IntArray  # supplier pair
    link_cust: IntArray  # customer pair
    link_volume: FloatArray
    link_cap: FloatArray
    recipe_node: IntArray
    recipe_out: IntArray  # output pair
    input_recipe: IntArray
    input_pair: IntArray
    input_qty: FloatArray

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_pairs(self) -> int:
        return int(self.pair_node.shape[0])

    @property
    def link_sup_node(self) -> IntArray:
        return self.pair_node[self.link_sup]

    @property
    def link_cust_node(self) -> IntArray:
        return self.pair_node[self.link_cust]

    def downstream(self, seeds: BoolArray) -> BoolArray:
        """Nodes reachable from the ``seeds`` node mask along links (supplier to customer)."""
        reach = seeds.copy()
        sup, cust = self.link_sup_node, self.link_cust_node
        while True:
            grow = np.zeros_like(reach)
            grow[cust[reach[sup]]] = True
            new = reach | grow
            if np.array_equal(new, reach):
                return reach
            reach = new


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    bom: list[BomLine] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict, compare=False)

    def node(self, node_id: str) -> Node:
        return self.nodes[self.node_position[node_id]]

    @cached_property
    def node_position(self) -> dict[str, int]:
        # Cached: a network is built once and then only read (the computations copy nothing).
        return {n.node_id: i for i, n in enumerate(self.nodes)}

    def _label(self, table: str) -> str:
        return self.labels.get(table, f"{table}.csv")

    def validate(self) -> Network:
        """Raise one :class:`InputError` listing every problem; return ``self`` when sound."""
        errors: list[InputError] = []
        seen: set[str] = set()
        for n in self.nodes:
            if n.node_id in seen:
                errors.append(self._err("nodes", n.row, "node_id", f"duplicate {n.node_id!r}"))
            seen.add(n.node_id)
        errors += self._check_links(seen) + self._check_needs(seen) + self._check_bom(seen)
        if errors:
            raise InputError.many(errors)
        return self

    def _err(self, table: str, row: int | None, column: str, reason: str) -> InputError:
        return InputError(reason, file=self._label(table), row=row, column=column)

    def _check_links(self, known: set[str]) -> list[InputError]:
        errors = []
        pairs: set[tuple[str, str, str]] = set()
        for link in self.links:
            for column, nid in (
                ("supplier_id", link.supplier_id),
                ("customer_id", link.customer_id),
            ):
                if nid not in known:
                    errors.append(self._err("links", link.row, column, f"unknown node {nid!r}"))
            if link.supplier_id == link.customer_id:
                errors.append(
                    self._err("links", link.row, "customer_id", "a node cannot supply itself")
                )
            if link.weekly_volume < 0:
                errors.append(self._err("links", link.row, "weekly_volume", "must be >= 0"))
            if link.max_weekly_volume < link.weekly_volume:
                errors.append(
                    self._err(
                        "links", link.row, "max_weekly_volume",
                        f"{link.max_weekly_volume:g} is below weekly_volume {link.weekly_volume:g}",
                    )
                )  # fmt: skip
            key = (link.supplier_id, link.customer_id, link.item)
            if key in pairs:
                errors.append(self._err("links", link.row, "item", f"duplicate link {key}"))
            pairs.add(key)
        return errors

    def _check_needs(self, known: set[str]) -> list[InputError]:
        errors = []
        seen: set[tuple[str, str]] = set()
        for need in self.needs:
            if need.node_id not in known:
                errors.append(
                    self._err("needs", need.row, "node_id", f"unknown node {need.node_id!r}")
                )
            for column in ("weekly_need", "inventory", "value_per_unit"):
                if getattr(need, column) < 0:
                    errors.append(self._err("needs", need.row, column, "must be >= 0"))
            if (need.node_id, need.item) in seen:
                errors.append(self._err("needs", need.row, "item", "duplicate (node_id, item)"))
            seen.add((need.node_id, need.item))
        return errors

    def _check_bom(self, known: set[str]) -> list[InputError]:
        errors = []
        supplied = {(link.customer_id, link.item) for link in self.links}
        stocked = {(n.node_id, n.item) for n in self.needs if n.inventory > 0}
        outputs = {(b.node_id, b.output_item) for b in self.bom}
        edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for line in self.bom:
            if line.node_id not in known:
                errors.append(
                    self._err("bom", line.row, "node_id", f"unknown node {line.node_id!r}")
                )
            if line.quantity <= 0:
                errors.append(self._err("bom", line.row, "quantity", "must be > 0"))
            if line.input_item == line.output_item:
                errors.append(
                    self._err("bom", line.row, "input_item", "an item cannot be its own input")
                )
            key = (line.node_id, line.input_item)
            if key not in supplied and key not in stocked and key not in outputs:
                errors.append(
                    self._err(
                        "bom", line.row, "input_item",
                        f"no link supplies {line.input_item!r} to {line.node_id!r}, "
                        "which holds none",
                    )
                )  # fmt: skip
            edges[line.node_id][line.output_item].add(line.input_item)
        for node_id, graph in edges.items():
            cycle = _find_cycle(graph)
            if cycle:
                row = next(b.row for b in self.bom if b.node_id == node_id)
                errors.append(
                    self._err(
                        "bom", row, "input_item",
                        f"recipe cycle at {node_id!r}: {' <- '.join(cycle)}",
                    )
                )  # fmt: skip
        return errors

    def compile(self) -> Compiled:
        """Arrays for the computations (validates first)."""
        self.validate()
        node_pos = self.node_position
        pair_index: dict[tuple[str, str], int] = {}

        def pair(node_id: str, item: str) -> int:
            return pair_index.setdefault((node_id, item), len(pair_index))

        link_sup = [pair(k.supplier_id, k.item) for k in self.links]
        link_cust = [pair(k.customer_id, k.item) for k in self.links]
        for row in self.needs:
            pair(row.node_id, row.item)
        recipes: dict[tuple[str, str], int] = {}
        in_recipe, in_pair, in_qty = [], [], []
        for line in self.bom:
            r = recipes.setdefault((line.node_id, line.output_item), len(recipes))
            pair(line.node_id, line.output_item)
            in_recipe.append(r)
            in_pair.append(pair(line.node_id, line.input_item))
            in_qty.append(line.quantity)
        n_pairs = len(pair_index)
        need, inventory, value = np.zeros(n_pairs), np.zeros(n_pairs), np.zeros(n_pairs)
        for nd in self.needs:
            k = pair_index[(nd.node_id, nd.item)]
            need[k], inventory[k], value[k] = nd.weekly_need, nd.inventory, nd.value_per_unit
        recipe_out = np.array([pair_index[key] for key in recipes], dtype=np.int64)
        supplied = np.zeros(n_pairs, dtype=np.bool_)
        supplied[np.asarray(link_cust, dtype=np.int64)] = True
        supplied[recipe_out] = True
        consumed = np.zeros(n_pairs, dtype=np.bool_)
        consumed[np.asarray(in_pair, dtype=np.int64)] = True
        keys = list(pair_index)
        return Compiled(
            node_ids=tuple(n.node_id for n in self.nodes),
            pair_node=np.array([node_pos[n] for n, _ in keys], dtype=np.int64),
            pair_item=tuple(i for _, i in keys),
            pair_index=pair_index,
            need=need,
            inventory=inventory,
            value=value,
            source=~supplied & ~consumed & (need == 0),
            link_sup=np.asarray(link_sup, dtype=np.int64),
            link_cust=np.asarray(link_cust, dtype=np.int64),
            link_volume=np.array([k.weekly_volume for k in self.links], dtype=np.float64),
            link_cap=np.array([k.max_weekly_volume for k in self.links], dtype=np.float64),
            recipe_node=np.array([node_pos[n] for n, _ in recipes], dtype=np.int64),
            recipe_out=recipe_out,
            input_recipe=np.asarray(in_recipe, dtype=np.int64),
            input_pair=np.asarray(in_pair, dtype=np.int64),
            input_qty=np.asarray(in_qty, dtype=np.float64),
        )


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle ``[a, b, …, a]`` in ``output -> inputs`` edges, or ``[]``."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(item: str) -> list[str]:
        state[item] = 1
        stack.append(item)
        for nxt in sorted(graph.get(item, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[item] = 2
        return []

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return []
