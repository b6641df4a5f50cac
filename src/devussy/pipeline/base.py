"""What every pipeline stage takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from devussy.llm.base import LLMProvider
from devussy.llm.pricing import Price
from devussy.models import Usage

T = TypeVar("T")


@dataclass(frozen=True)
class StageSettings:
    """The engine and model options one stage runs with."""

    provider: LLMProvider
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    # Ask once more with the stage's JSON schema when the repair round fails. None: whenever the
    # provider's capabilities say it takes a schema; ``stage_settings`` decides per model.
    structured_output: bool | None = None
    price: Price | None = None  # for the cost of usage the provider does not price itself

    @property
    def uses_structured_output(self) -> bool:
        """Whether the structured-output fallback applies now (a provider that refused a schema
        clears its ``json_schema`` capability, so it is not asked again)."""
        capable = self.provider.capabilities.json_schema
        return capable if self.structured_output is None else self.structured_output and capable


@dataclass
class StageResult(Generic[T]):
    """A validated model plus the raw text the engine streamed and the tokens it used."""

    value: T
    text: str
    usage: Usage = field(default_factory=Usage)
