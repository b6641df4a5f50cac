from __future__ import annotations

from devussy.models import ChatTurn
from devussy.pipeline.generation import generate
from devussy.stages.inputs import InterviewInput
from devussy.stages.interview import STAGE, parse_interview
from devussy.streaming import CollectingStreamingHandler
from tests.pipeline.scripted import Scripted


async def test_history_becomes_chat_messages() -> None:
    provider = Scripted(lambda request: "What is it called?")
    history = [ChatTurn(role="user", content="I want a CLI"), ChatTurn(role="assistant", content="For what?")]
    stage_input = InterviewInput(history=history, user_input="Renaming photos")
    result = await generate(STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert result.value.reply == "What is it called?" and result.value.brief is None
    request = provider.requests[0]
    assert [m.role for m in request.messages] == ["system", "user", "assistant", "user"]
    assert request.messages[0].content.startswith("Devussy stage: interview")
    assert request.messages[-1].content == "Renaming photos"
    assert request.task == stage_input


def test_json_only_answer_gets_a_reply_from_the_brief() -> None:
    parsed = parse_interview('```json\n{"name": "Snap", "summary": "Renames photos"}\n```')
    assert parsed.brief is not None and parsed.brief.name == "Snap"
    assert parsed.reply == "The brief for Snap is complete."


def test_non_brief_code_block_stays_in_the_reply() -> None:
    text = "Try this:\n\n```\nls -la\n```"
    parsed = parse_interview(text)
    assert parsed.brief is None and parsed.reply == text
