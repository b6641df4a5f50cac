"""``OfflinePlanner``: the built-in engine behind the same stages as the LLM engines.

Every method is pure and deterministic: same input, byte-identical output. No randomness, no clock,
no network. The knowledge base is loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from devussy.models import (
    ChatTurn,
    ComplexityProfile,
    DevPlan,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
)
from devussy.planner import complexity as complexity_rubric
from devussy.planner.analysis import Analysis, analyze_brief, analyze_text
from devussy.planner.design import build_design
from devussy.planner.handoff import build_handoff
from devussy.planner.interview import interview_reply
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, PHASE_ORDER, knowledge
from devussy.planner.synthesis import (
    CUSTOM,
    Context,
    PhaseShape,
    build_context,
    classify,
    core_features,
    dependencies,
    draft_summary,
    draft_title,
    layout,
    phase_steps,
)
from devussy.stages.inputs import require_phase


@dataclass(frozen=True)
class _Basis:
    """What a stage knows about the project: the analysis, sizing and text context."""

    analysis: Analysis
    complexity: ComplexityProfile
    ctx: Context


class OfflinePlanner:
    """Deterministic, instant planner specific to the brief it is given. Safe to share between threads."""

    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply:
        return interview_reply(history, user_input)

    def design(self, brief: ProjectBrief) -> ProjectDesign:
        analysis = analyze_brief(brief)
        profile = complexity_rubric.profile_from_analysis(analysis, goal_count=len(brief.goals))
        ctx = build_context(analysis, brief.name, brief.deployment)
        return build_design(brief, analysis, profile, ctx)

    def basic_plan(self, design: ProjectDesign) -> DevPlan:
        basis = _basis_for_design(design)
        return DevPlan(
            project_name=design.project_name,
            summary=design.summary,
            phases=_outline(basis),
            tech_stack=list(design.tech_stack),
            brief=design.brief,
            complexity=basis.complexity,
        )

    def phase_detail(self, plan: DevPlan, phase_number: int, *, plan_complete: bool = True) -> Phase:
        """Steps for one phase. ``plan_complete=False`` means more phases are still to come (the plan is
        streaming): the phases this planner would add after the known ones stand in for them, so an early
        start gives the same steps as a run on the finished plan."""
        target = require_phase(plan, phase_number)
        basis = _basis_for_plan(plan)
        if not plan_complete:
            last = max(p.number for p in plan.phases)
            expected_rest = [p for p in _outline(basis) if p.number > last]
            plan = plan.model_copy(update={"phases": [*plan.phases, *expected_rest]})
        shapes = {p.number: classify(p.title, p.summary) for p in plan.phases}
        shape = shapes[phase_number]
        view = _PlanView(plan, shapes, basis.analysis)
        steps = phase_steps(
            phase_number,
            shape,
            basis.ctx,
            basis.complexity.depth,
            primary_core=view.primary_core == phase_number,
            primary_integrations=view.primary_integrations == phase_number,
            features=view.features_for(phase_number),
            integration_techs=view.integration_techs_for(phase_number),
            uncovered_kinds=view.uncovered,
            title=target.title,
        )
        return target.model_copy(update={"steps": steps})

    def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff:
        basis = _basis_for_design(design) if design.brief is not None else _basis_for_plan(plan)
        first = min(plan.phases, key=lambda p: (len(p.depends_on) > 0, p.number))
        detailed = first if first.steps else self.phase_detail(plan, first.number)
        return build_handoff(design, plan, detailed, basis.analysis, basis.ctx)


class _PlanView:
    """Plan-wide facts one phase needs: which phase is the main core phase, who builds which feature."""

    def __init__(self, plan: DevPlan, shapes: dict[int, PhaseShape], analysis: Analysis) -> None:
        self.shapes = shapes
        order = sorted(p.number for p in plan.phases)  # the lowest-numbered core phase is the main one
        core = [n for n in order if "core" in shapes[n].kinds]
        custom = [n for n in order if CUSTOM in shapes[n].kinds]
        self.primary_core = (core or custom)[0] if core or custom else None
        integrations = [n for n in order if "integrations" in shapes[n].kinds]
        self.primary_integrations = integrations[0] if integrations else None
        covered = {k for s in shapes.values() for k in s.kinds}
        self.uncovered = frozenset(k for k in PHASE_ORDER if k not in covered)

        claimed = {f for n in core for f in shapes[n].features}
        unclaimed = [f for f in core_features(analysis) if f not in claimed]
        self._features: dict[int, list[str]] = {}
        for n in core:
            named = list(shapes[n].features)
            if not named and n == self.primary_core:
                named = unclaimed
            self._features[n] = named

        kb = knowledge()
        service_ids = [t for t in analysis.stack if kb.technologies[t].category in INTEGRATION_CATEGORIES]
        title_techs = {n: [t for t in shapes[n].techs if t in service_ids] for n in integrations}
        claimed_techs = {t for techs in title_techs.values() for t in techs}
        self._integration_techs: dict[int, list[str] | None] = {}
        for n in integrations:
            if title_techs[n]:
                self._integration_techs[n] = title_techs[n]
            elif claimed_techs:
                rest = [t for t in service_ids if t not in claimed_techs]
                self._integration_techs[n] = rest + list(analysis.unknown_services)
            else:
                self._integration_techs[n] = None

    def features_for(self, number: int) -> list[str]:
        return self._features.get(number, list(self.shapes[number].features))

    def integration_techs_for(self, number: int) -> list[str] | None:
        return self._integration_techs.get(number)


def _outline(basis: _Basis) -> list[Phase]:
    """The phases (without steps) this planner lays out for a project."""
    drafts = layout(basis.analysis, basis.complexity.phase_count)
    integration_names = _integration_names(basis.analysis)
    numbered = list(enumerate(drafts, start=1))
    deps = dependencies([(n, d.kinds) for n, d in numbered])
    return [
        Phase(
            number=n,
            title=draft_title(d, basis.ctx),
            summary=draft_summary(d, basis.ctx, integration_names),
            depends_on=deps[n],
        )
        for n, d in numbered
    ]


def _integration_names(analysis: Analysis) -> str:
    kb = knowledge()
    names = [
        kb.technologies[t].name
        for t in analysis.stack
        if kb.technologies[t].category in INTEGRATION_CATEGORIES
    ]
    names += list(analysis.unknown_services)
    generic = [
        kb.features[f].name
        for f in analysis.features
        if any(s.phase == "integrations" for s in kb.features[f].steps)
    ]
    if names:
        return ", ".join(names)
    return ", ".join(generic) if generic else "the external services"


def _basis_for_design(design: ProjectDesign) -> _Basis:
    if design.brief is not None:
        analysis = analyze_brief(design.brief)
        goals = len(design.brief.goals)
        deployment = design.brief.deployment
    else:
        text = "\n".join([design.project_name, design.summary, *design.objectives])
        analysis = analyze_text(text, tuple(design.tech_stack))
        goals, deployment = 0, None
    profile = design.complexity or complexity_rubric.profile_from_analysis(analysis, goal_count=goals)
    return _Basis(analysis, profile, build_context(analysis, design.project_name, deployment))


def _basis_for_plan(plan: DevPlan) -> _Basis:
    if plan.brief is not None:
        analysis = analyze_brief(plan.brief)
        goals = len(plan.brief.goals)
        deployment = plan.brief.deployment
    else:
        # No brief (an older client, or a hand-written plan): read what the plan itself says.
        text = "\n".join([plan.project_name, plan.summary, *(p.title for p in plan.phases)])
        analysis = analyze_text(text, tuple(plan.tech_stack))
        goals, deployment = 0, None
    profile = plan.complexity or complexity_rubric.profile_from_analysis(analysis, goal_count=goals)
    return _Basis(analysis, profile, build_context(analysis, plan.project_name, deployment))


def clear_caches() -> None:
    """Forget memoised analyses and phase classifications (the knowledge base stays loaded)."""
    analyze_text.cache_clear()
    classify.cache_clear()
