"""``StageSpec``: everything that makes a stage a stage, declared in one place.

A spec is data, not a runner: ``devussy.pipeline.generation.generate`` runs any spec (build the
request from ``messages``, stream it, ``parse`` the text, ``check`` the result, one repair round).
The built-in engine answers the same input and ``render``s its result in the format ``parse`` reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from devussy.llm.base import ChatMessage
from devussy.models import DevussyModel
from devussy.stages.inputs import StageInput
from devussy.stages.names import STAGE_LABELS, StageLabel, StageName
from devussy.streaming import StreamingHandler

InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)
ValueT = TypeVar("ValueT", contravariant=True)


class StreamWatcher(Protocol[ValueT]):
    """Reads an answer while it streams (the plan stage announces each phase as it completes)."""

    async def feed(self, text: str) -> None:
        """Called with the whole raw text of the current answer so far, after each delta."""

    def restart(self) -> None:
        """A new answer (the repair round) starts streaming."""

    async def finish(self, value: ValueT) -> None:
        """The stage's final value, before the sink's ``on_completion_async``."""


@dataclass(frozen=True)
class StageSpec(Generic[InT, OutT]):
    name: StageName
    input_model: type[InT]
    output_model: type[OutT]
    render: Callable[[OutT], str]
    """The canonical text format: what the prompts ask for and what the built-in engine streams."""
    parse: Callable[[str, InT], OutT]
    """Tolerant parse of an answer for this input (the input's context wins over the answer's)."""
    messages: Callable[[InT], list[ChatMessage]]
    """The prompt: system message (with the format) and the task."""
    check: Callable[[OutT, InT], list[str]] | None = None
    """After a successful parse: problems worth one targeted repair request (none: accept it)."""
    watch: Callable[[StreamingHandler], StreamWatcher[OutT]] | None = None
    """Reads the answer while it streams; gets the final value too."""

    @property
    def label(self) -> StageLabel:
        return STAGE_LABELS[self.name]

    @property
    def json_schema(self) -> dict[str, Any]:
        """The output model as a ``ChatRequest.json_schema`` (``{"name", "schema"}``) for engines
        that support structured output."""
        return {"name": self.name, "schema": self.output_model.model_json_schema(by_alias=True)}
