"""Hypothesis strategies for fuzzing: schema-valid bodies (hypothesis-jsonschema), and mutations."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def from_openapi(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Bodies valid against one request schema of the OpenAPI document (its $refs resolved).

    Sizes are capped first: a full plan is deeply nested, and uncapped lists and strings make examples
    so large that generation, not the server, dominates the run.
    """
    return from_schema(_capped({**schema, "components": document.get("components", {})}))


def _capped(node: Any) -> Any:
    if isinstance(node, list):
        return [_capped(item) for item in node]
    if not isinstance(node, dict):
        return node
    capped = {key: _capped(value) for key, value in node.items()}
    if capped.get("type") == "array":
        capped["maxItems"] = min(capped.get("maxItems", 10**6), capped.get("minItems", 0) + 2)
    if capped.get("type") == "string" and "pattern" not in capped:
        capped["maxLength"] = min(capped.get("maxLength", 10**6), capped.get("minLength", 0) + 30)
    return capped


def mutated(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """Schema-valid bodies, and the same with one field dropped or replaced by arbitrary JSON."""

    @st.composite
    def mutate(draw: st.DrawFn) -> Any:
        body = dict(draw(valid))
        if body and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(body)))
            if draw(st.booleans()):
                del body[key]
            else:
                body[key] = draw(ANY_JSON)
        return body

    return st.one_of(valid, mutate())


# Raw JSON values an attacker sends: each broke something before (a 500, a traceback, a misleading message).
HOSTILE_TOKENS: tuple[bytes, ...] = (
    b'"half \\ud83d pair"',  # a lone surrogate escape (no UTF-8 writer can write it)
    b'"\\udfff"',
    b"9" * 5000,  # past Python's 4 300-digit int limit
    b"NaN",
    b"-Infinity",
    b"1e999",  # parses to inf
    b"[" * 50_000 + b"]" * 50_000,  # past the parser's recursion limit
)
LONG_STRING = b'"' + b"x" * 200_000 + b'"'
_MARKER = "__devussy_hostile__"


def with_hostile_leaf(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """A schema-valid body, serialised, with one value (at any depth) replaced by a hostile token."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        body = draw(valid)
        paths = list(_value_paths(body))
        if not paths:
            return json.dumps(body).encode()
        target = draw(st.sampled_from(paths))
        _set(body, target, _MARKER)
        token = draw(st.sampled_from([*HOSTILE_TOKENS, LONG_STRING]))
        return json.dumps(body).encode().replace(f'"{_MARKER}"'.encode(), token, 1)

    return build()


def _value_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _value_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _value_paths(value, (*prefix, index))


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
