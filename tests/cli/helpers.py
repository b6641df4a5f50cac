"""What the CLI tests share: running the command in process or as a subprocess, and engine doubles."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from devussy.artifacts import read_section
from devussy.cli import main
from devussy.config import Settings
from devussy.errors import ProviderError
from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, Step, Usage, slugify

SECRET = "sk-test-SECRET"


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- a runner double
# Speaks the runner contract (observer sinks, progress events, checkpoints, RunResult) so the CLI
# can be tested on its own; the real pipeline is exercised in test_plan.py and test_interview.py.


@dataclass
class FakeResult:
    design: Any
    plan: DevPlan
    handoff: Handoff | None
    usage: Usage


def small_plan(brief: ProjectBrief) -> DevPlan:
    def step(phase: int, n: int) -> Step:
        return Step(id=f"{phase}.{n}", title=f"Do {phase}.{n}", details="details", acceptance_criteria=["ok"],
                    test_command="pytest -q")

    return DevPlan(
        project_name=brief.name,
        summary=brief.summary,
        phases=[Phase(number=n, title=f"Phase {n}", summary="s", depends_on=list(range(1, n)),
                      steps=[step(n, 1), step(n, 2)]) for n in (1, 2)],
    )


class FakeRunner:
    created: ClassVar[list[FakeRunner]] = []

    def __init__(
        self, settings: Settings, observer: Any, checkpoint_dir: Path, fail: BaseException | None = None
    ) -> None:
        self.settings, self.observer, self.checkpoint_dir = settings, observer, checkpoint_dir
        self.fail = fail
        self.resume: bool | None = None
        FakeRunner.created.append(self)

    async def _unit(self, stage: str, phase: int | None = None) -> None:
        sink = self.observer.sink(stage, phase)
        marker = self.checkpoint_dir / ".fake-checkpoints" / f"{stage}-{phase}"
        if self.resume and marker.exists():
            await sink.on_progress_async({"event": "skipped", "reason": "checkpoint"})
            return
        await sink.on_progress_async({"event": "start"})
        for token in ("a", "b", "c"):
            await sink.on_token_async(token)
        if self.fail is not None and phase == 2:
            await sink.on_progress_async({"event": "failed", "code": "provider_timeout", "message": "slow"})
            raise self.fail
        usage = {"promptTokens": 5, "completionTokens": 7}
        await sink.on_progress_async({"event": "finished", "usage": usage})
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("done")

    async def run(self, brief: ProjectBrief, *, resume: bool = False) -> FakeResult:
        self.resume = resume
        await self._unit("design")
        await self._unit("basic_plan")
        for number in (1, 2):
            await self._unit("phase_detail", number)
        await self._unit("handoff")
        handoff = Handoff(project_name=brief.name, prompt="Start at 1.1", start_phase=1, start_step="1.1")
        return FakeResult(None, small_plan(brief), handoff, Usage(prompt_tokens=25, completion_tokens=35))


def fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    monkeypatch.setattr("devussy.cli.plan.make_runner", lambda settings, observer, checkpoint_dir: FakeRunner(
        settings, observer, checkpoint_dir, fail=error))


def run_subprocess(
    *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    return subprocess.run(
        [sys.executable, "-m", "devussy", *argv],
        capture_output=True, text=True, timeout=60, env={**base, **(env or {})}, cwd=cwd,
    )


# --------------------------------------------------------------------------- a scripted engine
# Registered in place of "builtin" under the real PipelineRunner and stages: it answers each stage with
# text in the stage's own format, so parsing runs for real.


class ScriptedEngine:
    name = "scripted"
    default_model = "scripted"

    def __init__(self, fail_phase: int | None = None) -> None:
        from devussy.llm.base import Capabilities

        self.capabilities = Capabilities(usage_in_stream=True, offline=True)
        self.fail_phase = fail_phase
        self.stages: list[str] = []

    def answer(self, request: Any) -> str:
        from devussy.pipeline.basic_devplan import render_plan
        from devussy.pipeline.detailed_devplan import render_phase_detail
        from devussy.pipeline.handoff_prompt import render_handoff
        from devussy.pipeline.project_design import render_design
        from tests.pipeline import samples

        stage, payload = request.task.stage, request.task.payload
        if stage == "design":
            return render_design(samples.design(payload["brief"]["name"]))
        if stage == "basic_plan":
            return render_plan(samples.plan(3, payload["design"]["projectName"]))
        if stage == "phase_detail":
            number = payload["phaseNumber"]
            if number == self.fail_phase:
                raise ProviderError(f"phase {number}: upstream down", code="provider_unavailable")
            outline = DevPlan.model_validate(payload["plan"]).phase(number)
            return render_phase_detail(samples.detailed(outline))
        return render_handoff(samples.handoff(payload["design"]["projectName"]))

    async def stream(self, request: Any) -> Any:
        from devussy.llm.base import ChatDelta

        self.stages.append(request.task.stage)
        text = self.answer(request)
        for start in range(0, len(text), 64):
            yield ChatDelta(text=text[start : start + 64])
        yield ChatDelta(usage=Usage(prompt_tokens=10, completion_tokens=len(text) // 4), finish_reason="stop")


def assert_complete_plan(out_dir: Path) -> DevPlan:
    document = json.loads((out_dir / "plan.json").read_text())
    plan = DevPlan.model_validate(document["plan"])
    assert document["design"] and document["handoff"]
    names = {p.name for p in out_dir.iterdir() if p.is_file()}
    expected = {"devplan.md", "design.md", "handoff.md", "plan.json"}
    expected.add(f"{slugify(plan.project_name)}-devplan.zip")
    assert names == expected | {
        f"phase{phase.number}.md" for phase in plan.phases}
    for phase in plan.phases:
        assert phase.steps, f"phase {phase.number} has no steps"
        boxes = (out_dir / f"phase{phase.number}.md").read_text().count("\n- [ ] **")
        assert boxes == len(phase.steps)
    devplan = (out_dir / "devplan.md").read_text()
    assert read_section(devplan, "next_task_group").startswith("- [ ] **1.1 ")
    return plan

