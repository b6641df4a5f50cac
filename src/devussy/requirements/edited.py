"""A requirement list a person edited (an API body's ``requirements``, ``devussy plan --requirements``):
checked so that every error names the offending ids.

- duplicate ids, and requirements with empty text, are refused naming their ids;
- a plan citing ids the list does not have (in a phase's ``requirements`` or a step's ``covers``) is
  refused naming the ids and who cites them (``with_requirements``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

from devussy.models import DevPlan, Requirement, Requirements, repeated_ids


def name_empty_texts(value: Any) -> Any:
    """Before validation: requirements whose text is empty or blank, named by id, and (in the same
    message, so one round of edits fixes both) duplicate ids."""
    if isinstance(value, list):
        items = [item for item in value if isinstance(item, dict)]
        empty = [
            str(item.get("id", f"#{index + 1}"))
            for index, item in enumerate(value)
            if isinstance(item, dict) and isinstance(item.get("text"), str) and not item["text"].strip()
        ]
        if empty:
            repeated = repeated_ids(str(item["id"]) for item in items if "id" in item)
            problems = [f"requirements with empty text: {', '.join(empty)}"]
            if repeated:
                problems.append(f"duplicate requirement ids: {', '.join(repeated)}")
            raise ValueError("; ".join(problems))
    return value


EditedRequirements = Annotated[Requirements, BeforeValidator(name_empty_texts)]


def with_requirements(plan: DevPlan, requirements: list[Requirement]) -> DevPlan:
    """``plan`` carrying ``requirements`` instead of its own; ``ValueError`` naming the ids it cites
    that the list does not have."""
    try:
        return DevPlan.model_validate(
            {**plan.model_dump(), "requirements": [r.model_dump() for r in requirements]}
        )
    except ValidationError as exc:
        problems = [error["msg"].removeprefix("Value error, ") for error in exc.errors(include_input=False)]
        raise ValueError("; ".join(problems[:5])) from None
