"""A responder for ``FakeOpenAIServer`` that answers Devussy's stage prompts like a good model would.

It recognises the stage from the system prompt's first line (``Devussy stage: <stage>``), reads the
stage input from the ```json block the user prompt quotes, and answers with the offline planner's
rendered output, so benches and browser e2e tests can run the real pipeline (prompts, streaming,
incremental parsing, the OpenAI adapter) against an OpenAI-compatible server.

    with FakeOpenAIServer(responder=StageResponder(), tokens_per_second=200) as server: ...

CLI: ``python -m tests.fakes.openai_server --responder tests.fakes.stage_responder:respond``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from devussy.llm.base import ChatMessage, ChatRequest, StageTask
from devussy.llm.builtin import BuiltinProvider, Planner

STAGE_LINE = re.compile(r"^Devussy stage: (\w+)")
INPUT_BLOCK = re.compile(r"\n```json\n(.*?)\n```(?:\n|$)", re.DOTALL)


class StageResponder:
    def __init__(self, planner: Planner | None = None) -> None:
        self.engine = BuiltinProvider(planner)

    def __call__(self, body: dict[str, Any]) -> str:
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        if not messages or messages[0].get("role") != "system":
            raise ValueError("not a Devussy stage request: no system prompt")
        found = STAGE_LINE.match(str(messages[0].get("content", "")))
        if not found:
            raise ValueError("not a Devussy stage request: the system prompt names no stage")
        stage = found.group(1)
        if stage == "interview":
            turns = [m for m in messages[1:] if m.get("role") in ("user", "assistant")]
            payload: dict[str, Any] = {
                "history": [{"role": m["role"], "content": m.get("content", "")} for m in turns[:-1]],
                "userInput": turns[-1].get("content", "") if turns else "",
            }
        else:
            first_user = next(m for m in messages if m.get("role") == "user")
            block = INPUT_BLOCK.search(str(first_user.get("content", "")))
            if block is None:
                raise ValueError(f"the {stage} prompt quotes no stage input")
            payload = json.loads(block.group(1))
        request = ChatRequest(
            messages=[ChatMessage("user", "")],
            task=StageTask(stage=stage, payload=payload),  # type: ignore[arg-type]
        )
        return self.engine.answer(request)


_default: StageResponder | None = None


def respond(body: dict[str, Any]) -> str:
    """Module-level responder for ``--responder tests.fakes.stage_responder:respond``."""
    global _default
    if _default is None:
        _default = StageResponder()
    return _default(body)
