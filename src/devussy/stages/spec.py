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
from devussy.models import CoverageReport, DevussyModel
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
class Amendment(Generic[InT, OutT]):
    """A targeted repair: after ``check`` found problems, the model is asked for only the parts it
    adds or rewrites (``prompt``), and its answer is applied to the first result (``apply``)."""

    prompt: Callable[[OutT, list[str]], str]
    """The user message that follows the first answer: the problems and what to send back."""
    apply: Callable[[str, OutT, InT], OutT]
    """The first result with the answer's parts applied (raises ``ValueError`` if it has none)."""


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
    """After a successful parse: problems worth one targeted repair request (none: accept it).
    Engines that answer from the typed input (the offline planner) are not asked to repair."""
    amend: Amendment[InT, OutT] | None = None
    """How the check's repair request asks for and applies only the changes (else: the whole answer)."""
    report: Callable[[OutT, InT], CoverageReport | None] | None = None
    """The coverage of the final result, sent as a ``CoverageChecked`` progress event."""
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
