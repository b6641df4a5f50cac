"""Dependency order for a graph given as ``node -> prerequisites``, with the cycle named if there is one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class CycleError(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" → ".join(cycle))
        self.cycle = cycle


def topological_order(prerequisites: Mapping[str, Sequence[str]]) -> list[str]:
    """Every node after its prerequisites (ties in the mapping's order); ``CycleError`` on a cycle.

    Iterative, so a long chain of steps cannot hit the recursion limit.
    """
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in prerequisites:
        if state.get(root):
            continue
        path: list[str] = [root]
        pending: list[list[str]] = [list(reversed(prerequisites.get(root, ())))]
        state[root] = 1
        while path:
            if pending[-1]:
                node = pending[-1].pop()
                if state.get(node) == 1:
                    raise CycleError([*path[path.index(node) :], node])
                if not state.get(node):
                    state[node] = 1
                    path.append(node)
                    pending.append(list(reversed(prerequisites.get(node, ()))))
                continue
            finished = path.pop()
            pending.pop()
            state[finished] = 2
            order.append(finished)
    return order
