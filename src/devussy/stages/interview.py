"""Interview stage: chat turns → the assistant's reply and, once complete, a :class:`ProjectBrief`.

Format (``render_interview``): the reply as plain markdown; when the brief is complete, followed
by a fenced ```json block holding the brief (camelCase keys).
"""

from __future__ import annotations

import json
import re

from devussy.llm.base import ChatMessage
from devussy.models import InterviewReply, ProjectBrief
from devussy.stages.inputs import InterviewInput
from devussy.stages.parsing import FormatError, clean_output
from devussy.stages.prompts import format_spec, render_prompt
from devussy.stages.spec import StageSpec

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


def interview_messages(stage_input: InterviewInput) -> list[ChatMessage]:
    return [
        ChatMessage("system", render_prompt("interview_system", format=format_spec("interview"))),
        *(ChatMessage(turn.role, turn.content) for turn in stage_input.history),
        ChatMessage("user", stage_input.user_input),
    ]


STAGE = StageSpec(
    name="interview",
    input_model=InterviewInput,
    output_model=InterviewReply,
    render=render_interview,
    parse=lambda text, stage_input: parse_interview(text),
    messages=interview_messages,
    schema_omits=(),  # the brief is the interview's own result
)
