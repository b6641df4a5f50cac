"""Interview stage: chat turns → the assistant's reply and, once complete, a :class:`ProjectBrief`.

Format (``render_interview``): the reply as plain markdown; when the brief is complete, followed
by a fenced ```json block holding the brief (camelCase keys).
"""

from __future__ import annotations

import json
import re

from devussy.llm.base import ChatMessage, StageTask
from devussy.models import ChatTurn, InterviewReply, ProjectBrief
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.generation import build_request, generate_validated
from devussy.pipeline.parsing import FormatError, clean_output
from devussy.pipeline.prompts import format_spec, render_prompt
from devussy.streaming import StreamingHandler

_JSON_BLOCK = re.compile(
    r"^[ \t]*(```+|~~~+)[ \t]*(json|JSON)?[ \t]*\n(.*?)\n[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE
)


def render_interview(reply: InterviewReply) -> str:
    if reply.brief is None:
        return reply.reply
    brief = json.dumps(reply.brief.to_json_dict(), indent=2, ensure_ascii=False)
    return f"{reply.reply}\n\n```json\n{brief}\n```\n"


def parse_interview(text: str) -> InterviewReply:
    cleaned = clean_output(text, drop_chatter=False)
    brief = None
    for match in reversed(list(_JSON_BLOCK.finditer(cleaned))):
        try:
            data = json.loads(match.group(3))
        except json.JSONDecodeError as exc:
            if match.group(2):
                raise FormatError(f"the ```json brief block is not valid JSON: {exc}") from None
            continue
        if isinstance(data, dict) and isinstance(data.get("brief"), dict):
            data = data["brief"]
        if not isinstance(data, dict):
            continue
        brief = ProjectBrief.model_validate(data)
        before, after = cleaned[: match.start()].rstrip(), cleaned[match.end() :].strip()
        cleaned = f"{before}\n\n{after}".strip()
        break
    if not cleaned:
        if brief is None:
            raise FormatError("the reply is empty")
        cleaned = f"The brief for {brief.name} is complete."
    return InterviewReply(reply=cleaned, brief=brief)


def interview_messages(history: list[ChatTurn], user_input: str) -> list[ChatMessage]:
    return [
        ChatMessage("system", render_prompt("interview_system", format=format_spec("interview"))),
        *(ChatMessage(turn.role, turn.content) for turn in history),
        ChatMessage("user", user_input),
    ]


class InterviewGenerator:
    stage = "interview"

    def __init__(self, settings: StageSettings) -> None:
        self.settings = settings

    async def generate(
        self, history: list[ChatTurn], user_input: str, sink: StreamingHandler
    ) -> StageResult[InterviewReply]:
        payload = {"history": [turn.to_json_dict() for turn in history], "userInput": user_input}
        request = build_request(
            self.settings,
            interview_messages(history, user_input),
            StageTask(stage="interview", payload=payload),
        )
        return await generate_validated(self.settings, request, parse_interview, sink, stage="interview")
