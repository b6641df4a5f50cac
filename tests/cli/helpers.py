"""What the CLI tests share: running the command in process or as a subprocess, and engine doubles."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from devussy.artifacts import read_section
from devussy.cli import main
from devussy.errors import ProviderError
from devussy.llm.base import Capabilities, ChatRequest
from devussy.llm.mock import MockProvider
from devussy.models import DevPlan, ReviewNotes, slugify
from devussy.stages.design import render_design
from devussy.stages.detail import render_phase_detail
from devussy.stages.handoff import render_handoff
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput, ReviewInput
from devussy.stages.plan import render_plan
from devussy.stages.review import render_review_notes
from tests import samples

SECRET = "sk-test-SECRET"


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_subprocess(
    *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    base["DEVUSSY_LOCAL_PROBE"] = "off"  # never find a developer's Ollama; tests probe loopback fakes
    return subprocess.run(
        [sys.executable, "-m", "devussy", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
        cwd=cwd,
    )


# --------------------------------------------------------------------------- a scripted engine
# A MockProvider registered in place of "builtin" under the real PipelineRunner and stages: it answers
# each stage with text in the stage's own format (the pipeline samples), so parsing runs for real.


class StageAnswers:
    """The handler: the samples for every stage; ``fail`` raises an error at one stage (or phase)."""

    def __init__(self) -> None:
        self.stages: list[str] = []
        self.fail: tuple[str, int | None, BaseException] | None = None

    def fail_at(self, stage: str, error: BaseException, phase: int | None = None) -> None:
        self.fail = (stage, phase, error)

    def __call__(self, request: ChatRequest) -> str:
        task = request.task
        assert task is not None
        self.stages.append(task.stage)
        if self.fail is not None:
            stage, phase, error = self.fail
            if task.stage == stage and (phase is None or getattr(task, "phase_number", None) == phase):
                raise error
        match task:
            case DesignInput():
                return render_design(samples.listed_design(task.brief.name))
            case PlanInput():
                return render_plan(samples.plan(3, task.design.project_name))
            case DetailInput():
                return render_phase_detail(samples.detailed(task.phase))
            case HandoffInput():
                return render_handoff(samples.handoff(task.design.project_name))
            case ReviewInput():
                notes = ReviewNotes(project_name=task.design.project_name, findings=["Name the task states."])
                return render_review_notes(notes)
        raise ProviderError(f"no answer for {task.stage}", code="provider_bad_request")


def mock_engine(answers: StageAnswers) -> MockProvider:
    """The engine the CLI runs (registered as ``builtin``): models it is given are offered."""
    return MockProvider(answers, name="builtin", capabilities=Capabilities(usage_in_stream=True))


def assert_complete_plan(out_dir: Path) -> DevPlan:
    document = json.loads((out_dir / "plan.json").read_text())
    plan = DevPlan.model_validate(document["plan"])
    assert document["design"] and document["handoff"]
    names = {p.name for p in out_dir.iterdir() if p.is_file()}
    expected = {"devplan.md", "design.md", "handoff.md", "plan.json", "review.md"}
    expected.add(f"{slugify(plan.project_name)}-devplan.zip")
    assert names == expected | {f"phase{phase.number}.md" for phase in plan.phases}
    for phase in plan.phases:
        assert phase.steps, f"phase {phase.number} has no steps"
        boxes = (out_dir / f"phase{phase.number}.md").read_text().count("\n- [ ] **")
        assert boxes == len(phase.steps)
    devplan = (out_dir / "devplan.md").read_text()
    assert read_section(devplan, "next_task_group").startswith("- [ ] **1.1 ")
    return plan
