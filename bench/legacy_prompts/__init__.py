"""The stage prompts as they were before issue 11's lean prompts (templates copied from commit 21cfd28),
kept only as the baseline ``bench.prompt_economy`` measures the current prompts against in the same
run: every user prompt quoted its whole stage input as indented camelCase JSON (a detail's plan with
the brief and complexity profile, a handoff's design and every step).
"""

from __future__ import annotations

import json
from pathlib import Path
from string import Template
from typing import Any

from devussy.llm.base import ChatMessage
from devussy.models import DevPlan
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput, StageInput

HERE = Path(__file__).parent
# The fields each input had then (later additions such as a detail's ``design`` were not sent).
OLD_FIELDS: dict[str, set[str]] = {
    "design": {"brief", "complexity"},
    "basic_plan": {"design"},
    "phase_detail": {"plan", "phase_number", "plan_complete"},
    "handoff": {"design", "plan"},
}


def _render(name: str, **values: object) -> str:
    template = Template((HERE / f"{name}.md").read_text(encoding="utf-8"))
    return template.substitute({key: str(value) for key, value in values.items()}).strip()


def _input_json(task: StageInput) -> str:
    data: dict[str, Any] = task.model_dump(mode="json", by_alias=True, include=OLD_FIELDS[task.stage])
    return json.dumps(data, indent=2, ensure_ascii=False)


def _outline(plan: DevPlan, *, steps: bool = False) -> str:
    lines = []
    for phase in plan.phases:
        lines.append(f"- Phase {phase.number}: {phase.title}")
        for step in phase.steps if steps else []:
            test = f" (test: `{step.test_command}`)" if step.test_command else " (no test command yet)"
            lines.append(f"  - Step {step.id}: {step.title}{test}")
    return "\n".join(lines)


def legacy_messages(task: StageInput) -> list[ChatMessage]:
    """The system and user messages the old builders made for this stage input."""
    stage = task.stage
    system = _render(f"{stage}_system", format=_render(f"{stage}_format"))
    values: dict[str, object] = {"input_json": _input_json(task)}
    match task:
        case DesignInput():
            values |= {
                "project_name": task.brief.name,
                "phase_count": task.complexity.phase_count,
                "level": task.complexity.level,
            }
        case PlanInput():
            complexity = task.design.complexity
            values |= {
                "project_name": task.design.project_name,
                "phase_count": (complexity.phase_count if complexity else None) or "4 to 8",
            }
        case DetailInput():
            plan, phase = task.plan, task.phase
            expected = plan.complexity.phase_count if plan.complexity else None
            note = (
                ""
                if task.plan_complete
                else " (the plan is still being written: these are the phases known so far"
                + (f" of about {expected}" if expected else "")
                + "; later phases will cover the rest, so keep this phase to its own summary)"
            )
            values |= {
                "project_name": plan.project_name,
                "phase_number": phase.number,
                "phase_title": phase.title,
                "phase_summary": phase.summary,
                "step_count": (plan.complexity.depth if plan.complexity else None) or "3 to 8",
                "outline": _outline(plan),
                "outline_note": note,
                "tech_stack": ", ".join(plan.tech_stack) or "(not specified)",
            }
        case HandoffInput():
            values |= {"project_name": task.design.project_name, "outline": _outline(task.plan, steps=True)}
        case _:
            raise ValueError(f"no legacy prompt for {stage}")
    return [ChatMessage("system", system), ChatMessage("user", _render(f"{stage}_user", **values))]
