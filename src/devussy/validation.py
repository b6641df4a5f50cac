"""The one way a pydantic ``ValidationError`` is shown to people: ``field.path: problem`` lines.

Used for API 422 messages, repair prompts, CLI errors and knowledge-base errors. The submitted
values are never quoted (they may be large, or secret).
"""

from __future__ import annotations

from pydantic import ValidationError


def error_lines(error: ValidationError, *, limit: int | None = None, root: str = "value") -> list[str]:
    """One ``"field.path: problem"`` line per error (``root`` names an error of the whole value);
    past ``limit`` lines, a last line says how many more there are."""
    lines = [
        f"{'.'.join(str(part) for part in item['loc']) or root}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ]
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def describe_errors(error: ValidationError, *, limit: int | None = 5, root: str = "value") -> str:
    """The lines of :func:`error_lines` on one line, separated by ``; ``."""
    return "; ".join(error_lines(error, limit=limit, root=root))
