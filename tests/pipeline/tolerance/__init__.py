"""The tolerance corpus: recorded-style and written model answers run through the real stage runner
(``generation.generate``), each ending in one of four outcomes.

A case is ``<stage>/<name>.md``: a first line ``<!-- {expectations as JSON} -->``, the first answer,
and optionally ``===== repair =====`` + the answer to the repair request and ``===== json =====`` + the
answer to the structured-output request (absent: the engine repeats its last answer, as weak models
do). CRLF files keep their CRLF. Expectations:

- ``outcome``: ``parsed`` (no repair), ``repaired`` (one repair request), ``structured`` (recovered
  with the stage's JSON schema) or ``failed`` (a clear error naming the stage);
- ``phases`` (plan) / ``steps`` (detail): the numbers the result must hold, no more, no less;
- ``gaps`` (detail): ``{"2.3": ["test_command"]}`` what a step lacks (kept as a gap, not invented);
- ``nonEmpty`` / ``empty`` (design): fields that must be filled / left empty;
- ``start`` (handoff): the step work starts at;
- ``error`` (failed): a substring of the error message;
- ``truncated``: the first answer ended at the token limit (``finish_reason: length``);
- ``schema``: false for an engine without structured output (default true).

``run_case`` is shared by ``tests/pipeline/test_tolerance.py`` and ``bench/tolerance_corpus.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devussy.errors import StageError
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.llm.chunks import estimate_tokens
from devussy.llm.mock import MockProvider
from devussy.models import DevussyModel, Handoff, Phase, ProjectDesign, Usage
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import generate
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput, StageInput
from devussy.stages.names import StageName
from devussy.stages.specs import SPECS
from devussy.streaming import CollectingStreamingHandler
from tests import samples

CORPUS = Path(__file__).parent
STAGE_DIRS: dict[str, StageName] = {
    "design": "design",
    "plan": "basic_plan",
    "detail": "phase_detail",
    "handoff": "handoff",
}
OUTCOMES = ("parsed", "repaired", "structured", "failed")
_SEPARATOR = re.compile(r"\r?\n===== (repair|json) =====\r?\n")
_HEADER = re.compile(r"^<!--\s*(\{.*?\})\s*-->\r?\n", re.DOTALL)
# Independent of the parsers: a line that starts (after list markers and emphasis) with "Phase N" /
# "N.M" is a phase / step the answer announces; the result must hold every one of them.
_PHASE_MENTION = re.compile(
    r"^[\s>#*_\-+•]*(?:\d{1,2}[.)]\s+)?[*_]*\s*(?:phase|stage|milestone)\s+(\d{1,2})\b", re.IGNORECASE
)
_STEP_MENTION = re.compile(r"^[\s>#*_\-+•]*[*_]*\s*(?:step\s+)?\d{1,2}\.(\d{1,2})(?![\d.]*\d)", re.I)


@dataclass
class Case:
    stage_dir: str
    name: str
    answers: list[str]  # first, then repair, then json (as far as the case gives them)
    kinds: list[str]  # "first", "repair", "json" for each answer
    expect: dict[str, Any]

    @property
    def stage(self) -> StageName:
        return STAGE_DIRS[self.stage_dir]

    @property
    def id(self) -> str:
        return f"{self.stage_dir}/{self.name}"


@dataclass
class Outcome:
    outcome: str
    requests: int
    value: DevussyModel | None = None
    error: StageError | None = None
    accepted_text: str = ""
    lost: list[str] = field(default_factory=list)  # phases/steps announced but missing from the result


def load_cases() -> list[Case]:
    cases = []
    for stage_dir in STAGE_DIRS:
        for path in sorted((CORPUS / stage_dir).glob("*.md")):
            raw = path.read_bytes().decode("utf-8")
            header = _HEADER.match(raw)
            if header is None:
                raise ValueError(f"{path}: the first line must be <!-- {{expectations}} -->")
            expect = json.loads(header.group(1))
            parts = _SEPARATOR.split(raw[header.end() :])
            answers, kinds = [parts[0]], ["first"]
            for index in range(1, len(parts), 2):
                kinds.append(parts[index])
                answers.append(parts[index + 1])
            cases.append(Case(stage_dir, path.stem, answers, kinds, expect))
    return cases


def stage_input(stage: StageName) -> StageInput:
    design = samples.design().model_copy(update={"brief": samples.BRIEF, "complexity": samples.COMPLEXITY})
    plan = samples.plan(4).model_copy(update={"brief": samples.BRIEF, "complexity": samples.COMPLEXITY})
    if stage == "design":
        return DesignInput(brief=samples.BRIEF, complexity=samples.COMPLEXITY)
    if stage == "basic_plan":
        return PlanInput(design=design)
    if stage == "phase_detail":
        return DetailInput(plan=plan, phase_number=2)
    detailed = plan.model_copy(update={"phases": [samples.detailed(p) for p in plan.phases]})
    return HandoffInput(design=design, plan=detailed)


def provider_for(case: Case) -> MockProvider:
    """Answers the first request with the first answer, the repair request with the repair answer and
    the JSON request with the JSON answer; a missing one repeats the answer before it."""
    by_kind = dict(zip(case.kinds, case.answers, strict=True))

    def answer(request: ChatRequest) -> list[str | ChatDelta]:
        index = len(provider.requests) - 1
        kind = "json" if request.json_schema else ("repair" if index else "first")
        text = by_kind.get(kind) or by_kind.get("repair" if kind == "json" else "first") or case.answers[0]
        truncated = case.expect.get("truncated") and kind == "first"
        prompt = estimate_tokens("".join(message.content for message in request.messages))
        usage = Usage(prompt_tokens=prompt, completion_tokens=estimate_tokens(text))
        return [text, ChatDelta(usage=usage, finish_reason="length" if truncated else "stop")]

    capabilities = Capabilities(json_schema=case.expect.get("schema", True), usage_in_stream=False)
    provider = MockProvider(answer, name="corpus", capabilities=capabilities)
    return provider


async def run_case(case: Case) -> Outcome:
    provider = provider_for(case)
    settings = StageSettings(provider=provider, model="corpus-model")
    task = stage_input(case.stage)
    try:
        result = await generate(SPECS[case.stage], settings, task, CollectingStreamingHandler())
    except StageError as exc:
        return Outcome("failed", len(provider.requests), error=exc)
    requests = len(provider.requests)
    kind = {1: "parsed", 2: "repaired"}.get(requests, "structured")
    accepted = case.answers[min(requests, len(case.answers)) - 1] if kind != "structured" else ""
    found_lost = lost(result.value, accepted)
    return Outcome(kind, requests, value=result.value, accepted_text=accepted, lost=found_lost)


def lost(value: DevussyModel, accepted_text: str) -> list[str]:
    """Phases or steps the accepted answer announces that the result does not hold."""
    lines, in_code = [], False
    for line in accepted_text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        elif not in_code:
            lines.append(line)
    if isinstance(value, Phase):  # a phase detail: its steps
        held = {int(step.id.split(".")[1]) for step in value.steps}
        mentioned = {int(m.group(1)) for line in lines if (m := _STEP_MENTION.match(line))}
        return [f"step {value.number}.{n}" for n in sorted(mentioned - held)]
    phases = getattr(value, "phases", None)
    if phases is not None:
        held = {phase.number for phase in phases}
        mentioned = {int(m.group(1)) for line in lines if (m := _PHASE_MENTION.match(line))}
        return [f"phase {n}" for n in sorted(mentioned - held)]
    return []


def check_expectations(case: Case, outcome: Outcome) -> list[str]:
    """What differs from the case's expectations (empty: as expected)."""
    expect, problems = case.expect, []
    if outcome.outcome != expect["outcome"]:
        detail = outcome.error.message if outcome.error else ""
        problems.append(f"outcome {outcome.outcome!r}, expected {expect['outcome']!r} {detail}")
        return problems
    if outcome.error is not None:
        message = outcome.error.message
        label = case.stage.replace("_", " ").capitalize()
        if not message.startswith(f"{label} stage: the answer could not be read"):
            problems.append(f"the error does not name the stage: {message!r}")
        if expect.get("error", "") not in message:
            problems.append(f"the error does not say {expect.get('error')!r}: {message!r}")
        answers = zip(case.kinds, case.answers, strict=True)
        missing = [kind for kind, text in answers if text not in outcome.error.raw_text]
        if missing:
            problems.append(f"raw text lacks the {missing} answer(s)")
        return problems
    value = outcome.value
    if outcome.lost:
        problems.append(f"lost silently: {outcome.lost}")
    if isinstance(value, Phase):
        steps = [step.id for step in value.steps]
        if "steps" in expect and steps != expect["steps"]:
            problems.append(f"steps {steps}, expected {expect['steps']}")
        for step_id, missing in expect.get("gaps", {}).items():
            step = next((s for s in value.steps if s.id == step_id), None)
            gaps = [] if step is None else [
                name for name, empty in (("test_command", step.test_command is None),
                                         ("acceptance_criteria", not step.acceptance_criteria)) if empty
            ]  # fmt: skip
            if sorted(gaps) != sorted(missing):
                problems.append(f"step {step_id} lacks {gaps}, expected {missing}")
    elif isinstance(value, ProjectDesign):
        data = value.to_json_dict()
        problems += [f"{name} is empty" for name in expect.get("nonEmpty", []) if not data.get(name)]
        problems += [f"{name} is not empty" for name in expect.get("empty", []) if data.get(name)]
    elif isinstance(value, Handoff):
        if "start" in expect and value.start_step != expect["start"]:
            problems.append(f"starts at {value.start_step}, expected {expect['start']}")
    else:
        numbers = [phase.number for phase in getattr(value, "phases", [])]
        if "phases" in expect and numbers != expect["phases"]:
            problems.append(f"phases {numbers}, expected {expect['phases']}")
    return problems
