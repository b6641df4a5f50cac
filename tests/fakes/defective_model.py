"""A fake model that makes the mistakes the coverage check exists for, then does what the repair asks.

Its first answers come from a *good* answer (the offline planner's, read back from the prompt with
``prompt_reader.py``, with every requirement the prompt hands out cited by a phase and covered by a
step: what a careful model writes) with one kind of defect injected:

- ``no_covers``: phase details without any ``Covers:`` line;
- ``left_out``: one requirement left out, of the plan (no phase cites it) or of a phase detail (the
  steps that cover it are missing);
- ``contradiction``: a phase detail gains a step that contradicts a constraint or non-goal.

Answering the repair request (the first answer in the conversation, then the check's problems), it
reads the problems literally, by the requirement ids and step ids they name, and sends back what they
ask for from the good answer, in one of three styles: ``targeted`` (only the parts asked for, as the
prompt says), ``whole`` (the complete corrected answer) or ``chatty`` (the parts inside a code fence
with remarks around them). ``stubborn`` repeats its first answer: a control that shows what stays
unresolved is reported. It is served by ``FakeOpenAIServer`` (``responder=DefectiveModel(...)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from devussy.llm.builtin import BuiltinProvider
from devussy.llm.base import ChatMessage, ChatRequest
from devussy.models import COVERED_KINDS, GUARDED_KINDS, DevPlan, Phase, Requirement, Step
from devussy.requirements import contradiction, find_violations
from devussy.stages.detail import parse_phase_detail, render_phase_detail, render_step
from devussy.stages.inputs import DetailInput, PlanInput
from devussy.stages.plan import parse_plan, render_phase_summary, render_plan
from tests.fakes.prompt_reader import read_detail_prompt, read_plan_prompt
from tests.fakes.stage_responder import StageResponder

Defect = Literal["no_covers", "left_out", "contradiction", "none"]
Style = Literal["targeted", "whole", "chatty", "stubborn"]
_WORD = re.compile(r"[a-z][a-z0-9+#]{2,}")
_STOP = frozenset(
    "the and for with from that this into over each their they them your will when what which where have "
    "has are was were can should must only also just than then both via per use uses using".split()
)
# One step per class of constraint that contradicts it (what a careless model writes).
VIOLATIONS: dict[str, tuple[str, str]] = {
    "existing_database": ("Create the database schema", "Write the migrations that create the tables."),
    "read_only": ("Add edit and delete endpoints", "Persist edits to the records in the database."),
    "sso_only": ("Build the sign-up form", "Hash passwords with bcrypt before storing them."),
    "no_accounts": ("Add user registration", "Create accounts with a password for every visitor."),
    "no_downtime": ("Schedule a maintenance window", "Take the old service down during the cutover."),
    "incremental_migration": ("Rewrite the system from scratch", "Start a greenfield codebase."),
    "no_database": ("Set up PostgreSQL", "Create the database schema for the records."),
    "offline_first": ("Check the connection at start", "The app requires an internet connection to start."),
    "self_hosted": ("Deploy to AWS Lambda", "Host the API on AWS with S3 buckets for the files."),
    "non_goal": ("Build the {subject}", "Add the {subject} the users asked about."),
}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_match(requirement: Requirement, candidates: list[tuple[str, str]]) -> int | None:
    """Index of the candidate (id, text) sharing most words with the requirement (None: none shares)."""
    wanted = words(requirement.text)
    scores = [len(wanted & words(text)) for _, text in candidates]
    best = max(scores, default=0)
    return scores.index(best) if best else None


def compliant(step: Step, guarded: list[Requirement]) -> Step:
    """The step rewritten, if it contradicts a constraint, to say how it keeps to it."""
    for requirement in guarded:
        if contradiction(requirement, step.title, step.details) is not None:
            return step.model_copy(
                update={
                    "title": f"Keep to {requirement.id} in {step.id}",
                    "details": f"Work within this limit: {requirement.text}. Record how the code keeps to it.",
                }
            )
    return step


@dataclass
class DefectiveModel:
    defect: Defect = "none"
    style: Style = "targeted"
    left_out: str | None = None  # the requirement to leave out; default: the first one that can be
    responder: StageResponder = field(default_factory=StageResponder)
    engine: BuiltinProvider = field(default_factory=BuiltinProvider)
    injected: list[str] = field(default_factory=list)  # what was done wrong, for the report
    repairs: int = 0

    def __call__(self, body: dict[str, Any]) -> str:
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        stage = str(messages[0].get("content", "")).split("\n", 1)[0].removeprefix("Devussy stage: ")
        user = str(messages[1].get("content", ""))
        repairing = len(messages) > 2 and messages[2].get("role") == "assistant"
        if stage == "basic_plan":
            good = self.good_plan(read_plan_prompt(user))
            if repairing:
                return self.repair_plan(good, str(messages[2]["content"]), str(messages[-1]["content"]))
            return self.first_plan(good)
        if stage == "phase_detail":
            stage_input = read_detail_prompt(user)
            good = self.good_detail(stage_input)
            if repairing:
                return self.repair_detail(good, str(messages[2]["content"]), str(messages[-1]["content"]))
            return self.first_detail(good, stage_input.plan)
        return self.responder(body)

    # -- what a careful model writes -----------------------------------------------------------------

    def good_plan(self, stage_input: PlanInput) -> DevPlan:
        plan = self.engine.planner.basic_plan(stage_input.design)
        requirements = stage_input.design.requirements
        phases = list(plan.phases)
        cited = {rid for p in phases for rid in p.requirements}
        for requirement in requirements:
            if requirement.kind not in COVERED_KINDS or requirement.id in cited:
                continue
            index = best_match(requirement, [(str(p.number), f"{p.title} {p.summary}") for p in phases])
            index = index if index is not None else min(1, len(phases) - 1)
            target = phases[index]
            phases[index] = target.model_copy(update={"requirements": sorted(
                {*target.requirements, requirement.id}, key=lambda r: int(r[1:]))})
        return plan.model_copy(update={"phases": phases, "requirements": requirements})

    def good_detail(self, stage_input: DetailInput) -> Phase:
        plan, number = stage_input.plan, stage_input.phase_number
        phase = self.engine.planner.phase_detail(plan, number, plan_complete=stage_input.plan_complete)
        phase = phase.model_copy(update={"requirements": stage_input.phase.requirements})
        by_id = {r.id: r for r in plan.requirements}
        guarded = [r for r in plan.requirements if r.kind in GUARDED_KINDS]
        steps = [compliant(s.model_copy(update={"covers": [c for c in s.covers if c in by_id]}), guarded)
                 for s in phase.steps]
        for rid in phase.requirements:
            requirement = by_id.get(rid)
            if requirement is None or requirement.kind not in COVERED_KINDS:
                continue
            if any(rid in s.covers for s in steps):
                continue
            index = best_match(requirement, [(s.id, f"{s.title} {s.details}") for s in steps])
            if index is None:
                steps.append(Step(
                    id=f"{number}.{len(steps) + 1}", title=f"Implement: {requirement.text}"[:200],
                    details=f"Build what {rid} asks for: {requirement.text}.",
                    acceptance_criteria=[f"{requirement.text} works end to end"],
                    test_command=steps[-1].test_command if steps else None, covers=[rid],
                ))
            else:
                steps[index] = steps[index].model_copy(update={"covers": sorted(
                    {*steps[index].covers, rid}, key=lambda r: int(r[1:]))})
        return phase.model_copy(update={"steps": steps})

    # -- first answers, with the defect ------------------------------------------------------------

    def first_plan(self, good: DevPlan) -> str:
        if self.defect != "left_out" or self.left_out_scope() != "plan":
            return render_plan(good)
        target = self.left_out or next(
            (r.id for r in good.requirements if r.kind in COVERED_KINDS), None)
        if target is None:
            return render_plan(good)
        self.injected.append(f"plan: {target} cited by no phase")
        phases = [p.model_copy(update={"requirements": [r for r in p.requirements if r != target]})
                  for p in good.phases]
        return render_plan(good.model_copy(update={"phases": phases}))

    def left_out_scope(self) -> str:
        return "plan" if self.left_out is None or self.left_out.startswith("plan:") else "detail"

    def first_detail(self, good: Phase, plan: DevPlan) -> str:
        steps = list(good.steps)
        if self.defect == "no_covers":
            steps = [s.model_copy(update={"covers": []}) for s in steps]
            if any(good_step.covers for good_step in good.steps):
                self.injected.append(f"phase {good.number}: no Covers lines")
        elif self.defect == "left_out" and self.left_out_scope() == "detail":
            target = next((rid for rid in good.requirements if any(rid in s.covers for s in steps)), None)
            if target is not None:
                kept = [s for s in steps if target not in s.covers]
                if kept:
                    steps = renumber(kept, good.number)
                    self.injected.append(f"phase {good.number}: {target} left out")
        elif self.defect == "contradiction":
            guarded = [r for r in plan.requirements if r.kind in GUARDED_KINDS]
            for requirement in guarded:
                bad = violating_step(requirement, good.number, len(steps) + 1)
                if bad is not None:
                    steps.append(bad)
                    self.injected.append(f"phase {good.number}: step {bad.id} contradicts {requirement.id}")
                    break
        return render_phase_detail(good.model_copy(update={"steps": steps}))

    # -- repairs: do what the problems say ----------------------------------------------------------

    def repair_plan(self, good: DevPlan, first: str, problems: str) -> str:
        self.repairs += 1
        if self.style == "stubborn":
            return first
        previous = parse_plan(first)
        wanted = set(re.findall(r"\badd (R\d+) to the `Requirements:` line", problems))
        wanted |= {f"phase {n}" for n in re.findall(r"rewrite phase (\d+)", problems)}
        changed = [p for p in good.phases
                   if set(p.requirements) & wanted or f"phase {p.number}" in wanted]
        if self.style == "whole":
            return render_plan(good)
        blocks = "\n\n".join(render_phase_summary(p) for p in changed)
        return chatty(blocks) if self.style == "chatty" else blocks or first

    def repair_detail(self, good: Phase, first: str, problems: str) -> str:
        self.repairs += 1
        if self.style == "stubborn":
            return first
        previous = parse_phase_detail(first)
        uncovered = set(re.findall(r"no step of phase \d+ covers (R\d+)", problems))
        rewrite = set(re.findall(r"rewrite step (\d+\.\d+)", problems))
        if self.style == "whole":
            steps = list(previous.steps)
            steps = [s for s in steps if s.id not in rewrite] or steps
            return render_phase_detail(merge_good(previous.model_copy(update={"steps": steps}), good, uncovered))
        parts: list[Step] = []
        last = max(int(s.id.split(".")[1]) for s in previous.steps)
        by_id = {s.id: s for s in previous.steps}
        for step in good.steps:
            if not set(step.covers) & uncovered:
                continue
            same = by_id.get(step.id)
            if same is not None and same.title == step.title:
                parts.append(step)  # the step is there: it only lacked its Covers line
            else:
                last += 1
                parts.append(step.model_copy(update={"id": f"{good.number}.{last}", "depends_on": []}))
        for step_id in sorted(rewrite):
            parts.append(Step(
                id=step_id, title=f"Keep to the constraints in {step_id}",
                details="Do this step within the brief's limits; nothing here creates, migrates or removes "
                "what the constraints protect.",
                acceptance_criteria=["the constraints still hold"], test_command="true",
            ))
        blocks = "\n\n".join(render_step(s) for s in parts)
        return chatty(blocks) if self.style == "chatty" else blocks or first


def merge_good(previous: Phase, good: Phase, uncovered: set[str]) -> Phase:
    steps = list(previous.steps)
    for step in good.steps:
        if set(step.covers) & uncovered:
            steps.append(step)
    return previous.model_copy(update={"steps": renumber(steps, previous.number)})


def renumber(steps: list[Step], number: int) -> list[Step]:
    ids = {s.id: f"{number}.{i}" for i, s in enumerate(steps, start=1)}
    return [
        s.model_copy(update={"id": ids[s.id], "depends_on": [ids[d] for d in s.depends_on if d in ids]})
        for s in steps
    ]


def violating_step(requirement: Requirement, phase: int, index: int) -> Step | None:
    from devussy.requirements.rules import non_goal_subject, rules_for

    rules = rules_for(requirement)
    if rules:
        title, details = VIOLATIONS.get(rules[0].name, ("", ""))
    elif requirement.kind == "non_goal":
        subject = " ".join(non_goal_subject(requirement.text))
        title, details = (part.format(subject=subject) for part in VIOLATIONS["non_goal"])
    else:
        return None
    if not title:
        return None
    step = Step(
        id=f"{phase}.{index}", title=title, details=details,
        acceptance_criteria=["done"], test_command="true",
    )
    return step if find_violations(requirement, [step]) else None


def chatty(blocks: str) -> str:
    return f"Sure, here are the fixes:\n\n```markdown\n{blocks}\n```\n\nLet me know if you need more."


def request_for(stage_input: Any) -> ChatRequest:
    return ChatRequest(messages=[ChatMessage("user", "")], task=stage_input)
