"""Hypothesis strategies from the JSON Schemas in our OpenAPI document.

hypothesis-jsonschema 0.23.1 (installed) crashes on every object schema with the installed
Hypothesis 6.170 (``'many' object has no attribute 'more'``: it uses a Hypothesis internal that
changed), so this covers the subset pydantic emits: $ref, anyOf/oneOf, const/enum, object
(properties, required, additionalProperties), array, string (length, pattern), integer, number,
boolean and null.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def from_schema(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(_resolve(schema["$ref"], root), root))
    alternatives = schema.get("anyOf", [{}])
    if schema.get("type") == "object" and all(set(option) == {"required"} for option in alternatives):
        return _object_with_required_choice(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(option, root) for option in schema[key]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {name: from_schema(sub, root) for name, sub in properties.items() if name in required}
        optional = {name: from_schema(sub, root) for name, sub in properties.items() if name not in required}
        base = st.fixed_dictionaries(fixed, optional=optional)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            values = from_schema(extra, root)
            return st.tuples(base, st.dictionaries(st.text(max_size=12), values, max_size=3)).map(
                lambda pair: {**pair[1], **pair[0]}
            )
        return base
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + 3)
        return st.lists(from_schema(schema.get("items", {}), root), min_size=low, max_size=high)
    if kind == "string":
        low = schema.get("minLength", 0)
        high = min(schema.get("maxLength", low + 40), low + 40)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)
        return st.text(min_size=low, max_size=high)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return ANY_JSON


def _object_with_required_choice(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    """An object whose ``anyOf`` only lists alternative ``required`` sets: pick one set, fill it non-null."""
    plain = {key: value for key, value in schema.items() if key != "anyOf"}

    def with_required(names: list[str]) -> st.SearchStrategy[Any]:
        properties = dict(plain.get("properties", {}))
        for name in names:
            options = properties[name].get("anyOf", [properties[name]])
            properties[name] = next((o for o in options if o.get("type") != "null"), properties[name])
        required = sorted({*plain.get("required", []), *names})
        return from_schema({**plain, "properties": properties, "required": required}, root)

    return st.sampled_from([option["required"] for option in schema["anyOf"]]).flatmap(with_required)


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
