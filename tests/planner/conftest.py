from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign
from devussy.planner import OfflinePlanner

BRIEFS_DIR = Path(__file__).with_name("briefs")


@dataclass
class FullRun:
    design: ProjectDesign
    plan: DevPlan
    details: list[Phase]
    handoff: Handoff

    def as_json(self) -> str:
        return json.dumps(
            {
                "design": self.design.to_json_dict(),
                "plan": self.plan.to_json_dict(),
                "details": [p.to_json_dict() for p in self.details],
                "handoff": self.handoff.to_json_dict(),
            },
            sort_keys=True,
        )

    def text(self, *, include_brief: bool = True) -> str:
        """Everything the planner wrote, as one string (for content assertions)."""
        parts = [
            self.design.to_json_dict(),
            self.plan.to_json_dict(),
            *(p.to_json_dict() for p in self.details),
            self.handoff.to_json_dict(),
        ]
        if not include_brief:
            for part in parts:
                part.pop("brief", None)
        return "\n".join(strings(parts))


def steps_text(run: FullRun) -> str:
    """What the plan asks someone to build: every phase's title and summary, and every step."""
    parts: list[str] = []
    for phase in run.details:
        parts += [phase.title, phase.summary]
        for step in phase.steps:
            parts += [step.title, step.details, *step.acceptance_criteria, step.test_command or ""]
    return "\n".join(parts)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def run_pipeline(brief: ProjectBrief, planner: OfflinePlanner | None = None) -> FullRun:
    planner = planner or OfflinePlanner()
    design = planner.design(brief)
    plan = planner.basic_plan(design)
    details = [planner.phase_detail(plan, phase.number) for phase in plan.phases]
    detailed_plan = plan
    for phase in details:
        detailed_plan = detailed_plan.with_phase(phase)
    handoff = planner.handoff(design, detailed_plan)
    return FullRun(design, plan, details, handoff)


def load_corpus() -> list[tuple[str, dict[str, Any]]]:
    """Every brief: the ones the planner was developed against, then the held-out set (briefs/heldout/,
    written before the planner changes and measured once at the end; see docs/planner.md)."""
    paths = [*sorted(BRIEFS_DIR.glob("*.yaml")), *sorted((BRIEFS_DIR / "heldout").glob("*.yaml"))]
    return [(path.stem, yaml.safe_load(path.read_text())) for path in paths]
