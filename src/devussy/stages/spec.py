"""``StageSpec``: everything that makes a stage a stage, declared in one place.

A spec is data, not a runner: ``devussy.pipeline.generation.generate`` runs any spec (build the
request from ``messages``, stream it, ``parse`` the text, ``check`` the result, one repair round).
The built-in engine answers the same input and ``render``s its result in the format ``parse`` reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic.alias_generators import to_camel

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

    schema_omits: tuple[str, ...] = ("brief", "complexity")
    """Output fields the pipeline fills in from the input (context the engine need not write)."""

    @property
    def json_schema(self) -> dict[str, Any]:
        """The output model as a ``ChatRequest.json_schema`` (``{"name", "schema"}``) for engines
        that support structured output, without the fields in ``schema_omits``."""
        schema = self.output_model.model_json_schema(by_alias=True)
        return {"name": self.name, "schema": schema_without(schema, {to_camel(f) for f in self.schema_omits})}


def schema_without(schema: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """``schema`` without the top-level ``fields``, and without the ``$defs`` nothing uses any more."""
    schema = dict(schema)
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in fields}
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name not in fields]
    definitions = schema.pop("$defs", {})
    used: dict[str, Any] = {}
    pending = [schema]
    while pending:
        refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(pending.pop()))
        for name in refs:
            if name not in used and name in definitions:
                used[name] = definitions[name]
                pending.append(definitions[name])
    if used:
        schema["$defs"] = dict(sorted(used.items()))
    return schema
