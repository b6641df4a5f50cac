"""Prompt templates live in ``stages/prompts/*.md`` and are filled with :class:`string.Template`.

``$name`` placeholders are substituted strictly (a missing value is a bug, not an empty string);
write a literal dollar sign as ``$$``. ``$format`` in a system prompt is the stage's
``<stage>_format.md``, so the system prompt and the repair prompt describe the same format.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

from devussy.llm.base import ChatMessage


@cache
def load_prompt(name: str) -> Template:
    try:
        text = resources.files("devussy.stages").joinpath("prompts", f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"no prompt template named {name!r}") from None
    return Template(text)


def render_prompt(name: str, **values: object) -> str:
    return load_prompt(name).substitute({key: str(value) for key, value in values.items()}).strip()


def format_spec(stage: str) -> str:
    return render_prompt(f"{stage}_format")


def stage_messages(stage: str, **values: object) -> list[ChatMessage]:
    """The system + user messages for a stage: ``<stage>_system.md`` and ``<stage>_user.md``."""
    return [
        ChatMessage("system", render_prompt(f"{stage}_system", format=format_spec(stage))),
        ChatMessage("user", render_prompt(f"{stage}_user", **values)),
    ]


def appended(block: str) -> str:
    """An optional block for a ``$placeholder`` right after another: a blank line first, or nothing."""
    return f"\n\n{block}" if block else ""
