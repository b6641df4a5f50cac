"""What every pipeline stage takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from devussy.llm.base import LLMProvider
from devussy.models import Usage

T = TypeVar("T")


@dataclass(frozen=True)
class StageSettings:
    """The engine and model options one stage runs with."""

    provider: LLMProvider
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass
class StageResult(Generic[T]):
    """A validated model plus the raw text the engine streamed and the tokens it used."""

    value: T
    text: str
    usage: Usage = field(default_factory=Usage)
