from __future__ import annotations

import pytest

from devussy.workspace.graph import CycleError, topological_order


def test_prerequisites_come_first_and_ties_keep_the_given_order() -> None:
    order = topological_order({"c": ["a", "b"], "a": [], "b": ["a"], "d": []})
    assert order == ["a", "b", "c", "d"]


def test_a_cycle_is_named_from_where_it_closes() -> None:
    with pytest.raises(CycleError) as caught:
        topological_order({"x": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]})
    assert caught.value.cycle == ["a", "b", "c", "a"]
    assert str(caught.value) == "a → b → c → a"


def test_a_self_loop_is_a_cycle() -> None:
    with pytest.raises(CycleError):
        topological_order({"a": ["a"]})


def test_a_long_chain_does_not_hit_the_recursion_limit() -> None:
    chain = {str(n): [str(n - 1)] if n else [] for n in range(20_000)}
    assert topological_order(dict(reversed(chain.items())))[:3] == ["0", "1", "2"]
