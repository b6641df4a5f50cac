"""Prompt economy: prompt characters sent per completion token received, old prompts vs new, same run.

Issue 11 compared one run of each system against a simulated OpenAI-compatible model: the original
Devussy sent 19 prompt characters per completion token, ours 30. This bench repeats the comparison
between our previous prompts (``bench/legacy_prompts``: the stage input quoted as JSON in every user
prompt) and the current ones (``devussy.stages.context``: each stage quotes what it needs, once), on
the same model with the same outputs:

- the model is the loopback ``FakeOpenAIServer`` replaying, for each request, the text the offline
  planner wrote for that unit (design, plan, phase N's detail, handoff) in a reference run, so both
  prompt generations get byte-identical answers and completion token counts;
- each brief runs through the real ``PipelineRunner`` and ``OpenAIProvider`` twice: with the current
  prompts, and with the legacy builders swapped in (a provider wrapper rebuilding each request's
  messages from its typed stage input); all phases at once, as in the issue's run;
- prompt characters are counted from the request bodies the server received (every message's
  content), completion tokens as the server counts them (one per whitespace-separated word).

    .venv/bin/python -m bench.prompt_economy [--phases 3,6,12]

Prints one JSON object; ``ratio`` is new / old (lower is leaner).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncGenerator
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package

from bench.legacy_prompts import legacy_messages
from bench.pipeline_makespan import BRIEFS
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest, LLMProvider
from devussy.llm.builtin import BuiltinProvider
from devussy.llm.openai import OpenAIProvider
from devussy.models import ProjectBrief
from devussy.pipeline.base import StageSettings
from devussy.pipeline.runner import PipelineRunner
from devussy.stages.inputs import DetailInput
from tests.fakes.openai_server import FakeOpenAIServer, tokenize

ORIGINAL_DEVUSSY = 19.0  # prompt chars per completion token, measured in issue 11's run (not here)
ISSUE_BASELINE = 30.0  # ours in that run


class Recorder:
    """The offline planner behind the provider contract, remembering what it answered for each unit."""

    def __init__(self) -> None:
        self.engine = BuiltinProvider()
        self.capabilities = Capabilities(usage_in_stream=True)  # answers like a model: checks run
        self.name = "recorder"
        self.answers: dict[tuple[str, int | None], str] = {}

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        task = request.task
        assert task is not None
        phase = task.phase_number if isinstance(task, DetailInput) else None
        text = self.answers.setdefault((task.stage, phase), self.engine.answer(request))
        yield ChatDelta(text=text)


class Replay:
    """The fake model: answers each prompt with the recorded text for its stage and phase."""

    def __init__(self, answers: dict[tuple[str, int | None], str]) -> None:
        self.answers = answers

    def __call__(self, body: dict[str, Any]) -> str:
        messages = body["messages"]
        stage = messages[0]["content"].split("\n", 1)[0].removeprefix("Devussy stage: ").strip()
        phase = None
        if stage == "phase_detail":
            phase = int(messages[1]["content"].split("Detail Phase ", 1)[1].split(":", 1)[0])
        return self.answers[(stage, phase)]


class LegacyPrompts:
    """Sends each request with the messages the previous prompt builders made for its stage input."""

    def __init__(self, inner: LLMProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities

    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        assert request.task is not None
        messages = [*legacy_messages(request.task), *request.messages[2:]]  # repair turns kept as they are
        return self.inner.stream(replace(request, messages=messages))


def measure(server: FakeOpenAIServer, since: int) -> dict[str, Any]:
    bodies = [r.body for r in server.chat_requests()[since:]]
    by_stage: dict[str, int] = {}
    chars = tokens = repairs = 0
    for body in bodies:
        messages = body["messages"]
        stage = messages[0]["content"].split("\n", 1)[0].removeprefix("Devussy stage: ")
        sent = sum(len(m["content"]) for m in messages)
        by_stage[stage] = by_stage.get(stage, 0) + sent
        chars += sent
        tokens += len(tokenize(server.responder(body)))
        repairs += len(messages) > 2
    return {
        "requests": len(bodies),
        "repair_requests": repairs,
        "prompt_chars": chars,
        "completion_tokens": tokens,
        "prompt_chars_per_completion_token": round(chars / tokens, 2),
        "prompt_chars_by_stage": by_stage,
    }


async def run_brief(brief: ProjectBrief) -> dict[str, Any]:
    recorder = Recorder()
    reference = await PipelineRunner(lambda stage: StageSettings(provider=recorder), concurrency=1).run(brief)
    phases = len(reference.plan.phases)
    with FakeOpenAIServer(responder=Replay(recorder.answers)) as server:
        http = OpenAIProvider(base_url=server.base_url, api_key="sk-fake", model="fake-model")
        results = {}
        for label, provider in (("new", http), ("old", LegacyPrompts(http))):
            since = len(server.chat_requests())
            settings = StageSettings(provider=provider)
            runner = PipelineRunner(lambda stage, settings=settings: settings, concurrency=phases)
            result = await runner.run(brief)
            assert result.plan.model_dump() == reference.plan.model_dump(), f"{label}: the plan differs"
            results[label] = measure(server, since)
    old, new = results["old"], results["new"]
    assert old["completion_tokens"] == new["completion_tokens"]
    return {
        "phases": phases,
        "old": old,
        "new": new,
        "ratio": round(
            new["prompt_chars_per_completion_token"] / old["prompt_chars_per_completion_token"], 3
        ),
    }


async def main_async(phase_counts: list[int]) -> dict[str, Any]:
    briefs = {}
    for count in phase_counts:
        brief = BRIEFS[count]
        briefs[brief.name] = await run_brief(brief)
    totals = {
        label: sum(b[label]["prompt_chars"] for b in briefs.values())
        / sum(b[label]["completion_tokens"] for b in briefs.values())
        for label in ("old", "new")
    }
    return {
        "prompt_chars_per_completion_token": {
            "old_prompts": round(totals["old"], 2),
            "new_prompts": round(totals["new"], 2),
            "ratio": round(totals["new"] / totals["old"], 3),
            "original_devussy_in_issue_11": ORIGINAL_DEVUSSY,
            "ours_in_issue_11": ISSUE_BASELINE,
        },
        "briefs": briefs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--phases", default="3,6,12", help="briefs by phase count (3, 6, 12)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.phases.split(",")]
    print(json.dumps(asyncio.run(main_async(counts)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
