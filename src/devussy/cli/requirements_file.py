"""``devussy plan … --requirements FILE``: the user's own requirement list, which replaces extraction.

The file is JSON (a list of requirements, or ``{"requirements": [...]}``) or a markdown list in the
design format::

    - R1 (feature): Members book climbing classes
    - R2 (constraint, brief): The Postgres database already exists
    - R3: Stripe payments          (kind defaults to feature)
    - Instructors publish the schedule   (gets the first free id)

A bad list is a usage error (exit 2) naming the offending ids: duplicate ids, empty text, an unknown
kind or source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from devussy.cli.errors import UsageError
from devussy.models import Requirement, RequirementKind, RequirementSource
from devussy.requirements.edited import EditedRequirements
from devussy.stages.design import KIND_WORDS, SOURCE_WORDS
from devussy.stages.parsing import heading_key
from devussy.validation import describe_errors

_ITEM = re.compile(
    r"^\s*(?:[-*+•]|\d+[.)])\s+(?:[*_]{2})?(?P<id>R\d+)?(?:[*_]{2})?\s*"
    r"(?:\((?P<tags>[^)]*)\))?\s*(?:[:.]|[-–—](?=\s))?\s*(?P<text>.*)$"
)
_ADAPTER: TypeAdapter[list[Requirement]] = TypeAdapter(EditedRequirements)


def read_requirements_file(path: Path) -> list[Requirement]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise UsageError(f"--requirements {path}: cannot read it ({reason})") from None
    try:
        requirements = parse_requirements_file(text)
    except ValueError as exc:
        raise UsageError(f"--requirements {path}: {exc}") from None
    if not requirements:
        example = "- R1 (feature): …"
        raise UsageError(f"--requirements {path}: no requirement found (write one '{example}' per line)")
    return requirements


def parse_requirements_file(text: str) -> list[Requirement]:
    """The list in ``text`` (JSON or markdown); ``ValueError`` naming what is wrong and the ids."""
    if text.lstrip().startswith(("[", "{")):
        return _from_json(text)
    return _validated(_from_markdown(text))


def _from_json(text: str) -> list[Requirement]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if isinstance(data, dict):
        data = data.get("requirements")
    if not isinstance(data, list):
        raise ValueError('JSON must be a list of requirements or {"requirements": [...]}')
    return _validated(data)


def _validated(items: Sequence[object]) -> list[Requirement]:
    try:
        return _ADAPTER.validate_python(items)
    except ValidationError as exc:
        raise ValueError(_named(describe_errors(exc, root="requirements"), items)) from None


def _named(message: str, items: Sequence[object]) -> str:
    """Point ``0.kind: …`` style locations at the requirement's id when it has one."""

    def name(match: re.Match[str]) -> str:
        index = int(match.group(1))
        item = items[index] if index < len(items) else None
        rid = item.get("id") if isinstance(item, dict) else None
        return f"{rid}." if isinstance(rid, str) and rid else f"item {index + 1}."

    return re.sub(r"\b(\d+)\.(?=\w)", name, message)


def _from_markdown(text: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        match = None if in_code else _ITEM.match(line)
        if match is None:
            continue
        kind, source = _tags(match.group("tags") or "", match.group("id") or f"item {len(items) + 1}")
        items.append(
            {"id": match.group("id"), "text": match.group("text").strip(), "kind": kind, "source": source}
        )
    taken = {item["id"] for item in items if item["id"]}
    number = 0
    for item in items:
        if not item["id"]:
            number += 1
            while f"R{number}" in taken:
                number += 1
            item["id"] = f"R{number}"
            taken.add(item["id"])
    return items


def _tags(tags: str, name: str) -> tuple[RequirementKind, RequirementSource]:
    kind: RequirementKind = "feature"
    source: RequirementSource = "brief"
    for part in (p for p in re.split(r"[,;/|]", tags) if p.strip()):
        key = heading_key(part)
        if key in KIND_WORDS:
            kind = KIND_WORDS[key]
        elif key in SOURCE_WORDS:
            source = SOURCE_WORDS[key]
        else:
            raise ValueError(
                f"{name}: unknown kind or source {part.strip()!r} (kinds: feature, integration, "
                "constraint, non-goal, quality; sources: brief, interview, design)"
            )
    return kind, source
