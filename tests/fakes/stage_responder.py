"""A responder for ``FakeOpenAIServer`` that answers Devussy's stage prompts like a good model would.

It recognises the stage from the system prompt's first line (``Devussy stage: <stage>``), reads the
stage input back from what the user prompt quotes (``prompt_reader.py``: the prompts carry only what
each stage needs, as markdown) and answers with the offline planner's rendered output, so benches
and browser e2e tests can run the real pipeline (prompts, streaming, incremental parsing, the OpenAI
adapter) against an OpenAI-compatible server. A targeted repair request (the first answer followed
by the check's problems) is answered with nothing to change: the planner's answer stands. With
structured output (``json``) it answers the same value as JSON with the request's schema properties.

    with FakeOpenAIServer(responder=StageResponder(), tokens_per_second=200) as server: ...

CLI: ``python -m tests.fakes.openai_server --responder tests.fakes.stage_responder:respond``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from devussy.llm.base import ChatMessage, ChatRequest
from devussy.llm.builtin import BuiltinProvider, Planner
from devussy.models import ChatTurn
from devussy.stages.inputs import InterviewInput, StageInput
from devussy.stages.names import STAGES
from devussy.stages.specs import SPECS
from tests.fakes.prompt_reader import (
    read_design_prompt,
    read_detail_prompt,
    read_handoff_prompt,
    read_plan_prompt,
)

STAGE_LINE = re.compile(r"^Devussy stage: (\w+)")
READERS: dict[str, Callable[[str], StageInput]] = {
    "design": read_design_prompt,
    "basic_plan": read_plan_prompt,
    "phase_detail": read_detail_prompt,
    "handoff": read_handoff_prompt,
}


class StageResponder:
    def __init__(self, planner: Planner | None = None) -> None:
        self.engine = BuiltinProvider(planner)

    def __call__(self, body: dict[str, Any]) -> str:
        # A targeted repair gets the same answer again: applied to the first, it changes nothing.
        return self.engine.answer(ChatRequest(messages=[ChatMessage("user", "")], task=self.task_of(body)))

    def json(self, body: dict[str, Any]) -> str:
        """The same answer as JSON with the properties of the request's schema (structured output)."""
        task = self.task_of(body)
        value = SPECS[task.stage].parse(self(body), task)
        response_format = body.get("response_format") or {}
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        wanted = set(schema.get("properties") or {}) or None
        data = {key: item for key, item in value.to_json_dict().items() if wanted is None or key in wanted}
        return json.dumps(data, ensure_ascii=False)

    def task_of(self, body: dict[str, Any]) -> StageInput:
        """The stage input a Devussy prompt carries (the system prompt names the stage)."""
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        if not messages or messages[0].get("role") != "system":
            raise ValueError("not a Devussy stage request: no system prompt")
        found = STAGE_LINE.match(str(messages[0].get("content", "")))
        if not found:
            raise ValueError("not a Devussy stage request: the system prompt names no stage")
        stage = next((name for name in STAGES if name == found.group(1)), None)
        if stage is None:
            raise ValueError(f"not a Devussy stage: {found.group(1)!r}")
        task: StageInput
        if stage == "interview":
            turns = [m for m in messages[1:] if m.get("role") in ("user", "assistant")]
            history = [ChatTurn.model_validate(m) for m in turns[:-1]]
            task = InterviewInput(history=history, user_input=turns[-1].get("content", "") if turns else "")
        else:
            first_user = next(m for m in messages if m.get("role") == "user")
            reader = READERS.get(stage)
            if reader is None:
                raise ValueError(f"the fake model does not answer {stage} prompts")
            task = reader(str(first_user.get("content", "")))
        return task


_default: StageResponder | None = None


def _responder() -> StageResponder:
    global _default
    if _default is None:
        _default = StageResponder()
    return _default


def respond(body: dict[str, Any]) -> str:
    """Module-level responder for ``--responder tests.fakes.stage_responder:respond``."""
    return _responder()(body)


def respond_json(body: dict[str, Any]) -> str:
    """Module-level structured-output responder (``--json-responder …:respond_json``)."""
    return _responder().json(body)
