"""A fake model that makes the mistakes the coverage check exists for, then does what the repair asks.

Its answers start from a *good* answer: the offline planner's, for the stage input read back from
the prompt (``prompt_reader.py``), with every requirement the prompt hands out cited by a phase and
covered by a step, and no step contradicting a constraint (what a careful model writes). Its first
answer then carries one kind of defect:

- ``no_covers``: phase details without any ``Covers:`` line;
- ``left_out_plan``: one feature or integration requirement cited by no phase of the plan;
- ``left_out_detail``: in one phase detail, the steps that cover one of its requirements are missing;
- ``contradiction``: one phase detail gains a step that contradicts a constraint or non-goal.

Asked for a repair (its first answer in the conversation, then the check's problems), it reads the
problems literally, by the requirement and step ids they name, and sends back what they ask for from
the good answer, in one of these styles: ``targeted`` (only the parts asked for, as the prompt says),
``whole`` (the complete good answer), ``chatty`` (the parts in a code fence between remarks),
``partial`` (only what the first problem asks for) or ``stubborn`` (its first answer again). The last
two are controls: what stays unresolved must be reported.

    FakeOpenAIServer(responder=DefectiveModel("contradiction", "targeted"))
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from devussy.llm.builtin import BuiltinProvider
from devussy.models import COVERED_KINDS, GUARDED_KINDS, DevPlan, Phase, Requirement, Step
from devussy.requirements import contradiction, find_violations
from devussy.requirements.rules import non_goal_subject, rules_for
from devussy.stages.detail import parse_phase_detail, render_phase_detail, render_step
from devussy.stages.inputs import DetailInput, PlanInput
from devussy.stages.plan import render_phase_summary, render_plan
from tests.fakes.openai_server import tokenize
from tests.fakes.prompt_reader import read_detail_prompt, read_plan_prompt
from tests.fakes.stage_responder import StageResponder

Defect = Literal["no_covers", "left_out_plan", "left_out_detail", "contradiction"]
Style = Literal["targeted", "whole", "chatty", "partial", "stubborn"]
DEFECTS: tuple[Defect, ...] = ("no_covers", "left_out_plan", "left_out_detail", "contradiction")
STYLES: tuple[Style, ...] = ("targeted", "whole", "chatty")

_WORD = re.compile(r"[a-z][a-z0-9+#]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "into",
        "over",
        "each",
        "their",
        "they",
        "them",
        "your",
        "will",
        "when",
        "what",
        "which",
        "where",
        "have",
        "has",
        "are",
        "was",
        "were",
        "can",
        "should",
        "must",
        "only",
        "also",
        "just",
        "than",
        "then",
        "both",
        "via",
        "per",
        "use",
        "uses",
        "using",
    ]
)
# A step that contradicts each class of constraint (what a careless model writes).
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
}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_match(requirement: Requirement, texts: list[str]) -> int | None:
    """Index of the text sharing most words with the requirement (None when none shares any)."""
    wanted = words(requirement.text)
    scores = [len(wanted & words(text)) for text in texts]
    best = max(scores, default=0)
    return scores.index(best) if best else None


def by_number(ids: set[str] | list[str]) -> list[str]:
    return sorted(set(ids), key=lambda rid: int(rid[1:]))


def renumber(steps: list[Step], number: int) -> list[Step]:
    ids = {s.id: f"{number}.{i}" for i, s in enumerate(steps, start=1)}
    return [
        s.model_copy(update={"id": ids[s.id], "depends_on": [ids[d] for d in s.depends_on if d in ids]})
        for s in steps
    ]


def keeping_to(step: Step, requirement: Requirement) -> Step:
    return step.model_copy(
        update={
            "title": f"Keep to {requirement.id} in step {step.id}",
            "details": f"Do this within the brief's limit ({requirement.text}); record how it keeps to it.",
        }
    )


def violating_step(requirement: Requirement, step_id: str) -> Step | None:
    """A step contradicting this constraint or non-goal (None when no rule would see one)."""
    rules = rules_for(requirement)
    if rules and rules[0].name in VIOLATIONS:
        title, details = VIOLATIONS[rules[0].name]
    elif not rules and requirement.kind == "non_goal":
        subject = " ".join(non_goal_subject(requirement.text))
        title, details = f"Build the {subject}", f"Add the {subject} the users asked about."
    else:
        return None
    step = Step(id=step_id, title=title, details=details, acceptance_criteria=["done"], test_command="true")
    return step if find_violations(requirement, [step]) else None


def chatty(blocks: str) -> str:
    return (
        f"Sure, here are the fixes:\n\n```markdown\n{blocks}\n```\n\nLet me know if you need anything else."
    )


@dataclass
class DefectiveModel:
    defect: Defect
    style: Style = "targeted"
    responder: StageResponder = field(default_factory=StageResponder)
    injected: list[str] = field(default_factory=list)  # what it did wrong, for the report
    repairs: list[str] = field(default_factory=list)  # the problems it was asked to fix
    repair_tokens: int = 0  # completion tokens of its repair answers
    _engine: BuiltinProvider = field(default_factory=BuiltinProvider)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the server answers in threads

    def __call__(self, body: dict[str, Any]) -> str:
        answer = self.answer(body)
        if len(body.get("messages") or []) > 3:
            with self._lock:
                self.repair_tokens += len(tokenize(answer))
        return answer

    def answer(self, body: dict[str, Any]) -> str:
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        stage = str(messages[0].get("content", "")).split("\n", 1)[0].removeprefix("Devussy stage: ")
        user = str(messages[1].get("content", ""))
        first = (
            str(messages[2]["content"])
            if len(messages) > 3 and messages[2].get("role") == "assistant"
            else None
        )
        if stage == "basic_plan":
            good = self.good_plan(read_plan_prompt(user))
            if first is None:
                return self.first_plan(good)
            return self.repair_plan(good, first, str(messages[-1]["content"]))
        if stage == "phase_detail":
            stage_input = read_detail_prompt(user)
            good = self.good_detail(stage_input)
            if first is None:
                return self.first_detail(good, stage_input.plan)
            return self.repair_detail(good, first, str(messages[-1]["content"]))
        return self.responder(body)

    # -- what a careful model writes -----------------------------------------------------------------

    def good_plan(self, stage_input: PlanInput) -> DevPlan:
        design = stage_input.design
        plan = self._engine.planner.basic_plan(design)
        guarded = [r for r in design.requirements if r.kind in GUARDED_KINDS]
        phases = []
        for phase in plan.phases:
            broken = next((r for r in guarded if contradiction(r, phase.title, phase.summary)), None)
            if broken is not None:  # a careful model keeps every phase within the constraints
                phase = phase.model_copy(
                    update={
                        "title": f"Work within {broken.id}",
                        "summary": f"This phase's work, done within the brief's limit: {broken.text}.",
                    }
                )
            phases.append(phase)
        cited = {rid for p in phases for rid in p.requirements}
        for requirement in design.requirements:
            if requirement.kind in COVERED_KINDS and requirement.id not in cited:
                index = best_match(requirement, [f"{p.title} {p.summary}" for p in phases])
                index = min(1, len(phases) - 1) if index is None else index
                ids = by_number([*phases[index].requirements, requirement.id])
                phases[index] = phases[index].model_copy(update={"requirements": ids})
        return plan.model_copy(update={"phases": phases, "requirements": design.requirements})

    def good_detail(self, stage_input: DetailInput) -> Phase:
        plan, phase = stage_input.plan, stage_input.phase
        detailed = self._engine.planner.phase_detail(
            plan, phase.number, plan_complete=stage_input.plan_complete
        )
        known = {r.id: r for r in plan.requirements}
        guarded = [r for r in plan.requirements if r.kind in GUARDED_KINDS]
        steps = []
        for step in detailed.steps:
            step = step.model_copy(update={"covers": [rid for rid in step.covers if rid in known]})
            broken = next((r for r in guarded if contradiction(r, step.title, step.details)), None)
            steps.append(keeping_to(step, broken) if broken else step)
        for rid in phase.requirements:
            requirement = known.get(rid)
            if (
                requirement is None
                or requirement.kind not in COVERED_KINDS
                or any(rid in s.covers for s in steps)
            ):
                continue
            index = best_match(requirement, [f"{s.title} {s.details}" for s in steps])
            if index is None:
                steps.append(
                    Step(
                        id=f"{phase.number}.{len(steps) + 1}",
                        title=f"Implement {requirement.text}"[:200],
                        details=f"Build what {rid} asks for: {requirement.text}.",
                        acceptance_criteria=[f"{requirement.text} works end to end"],
                        test_command=steps[-1].test_command if steps else None,
                        covers=[rid],
                    )
                )
            else:
                steps[index] = steps[index].model_copy(
                    update={"covers": by_number([*steps[index].covers, rid])}
                )
        return phase.model_copy(update={"steps": steps})

    # -- first answers, with the defect ------------------------------------------------------------

    def inject_once(self, what: str) -> bool:
        """Record a defect; False when this model already made its one (plan or detail) mistake."""
        with self._lock:
            if self.defect != "no_covers" and self.injected:
                return False
            self.injected.append(what)
            return True

    def first_plan(self, good: DevPlan) -> str:
        target = next((r.id for r in good.requirements if r.kind in COVERED_KINDS), None)
        if (
            self.defect != "left_out_plan"
            or target is None
            or not self.inject_once(f"plan: {target} left out")
        ):
            return render_plan(good)
        phases = [
            p.model_copy(update={"requirements": [r for r in p.requirements if r != target]})
            for p in good.phases
        ]
        return render_plan(good.model_copy(update={"phases": phases}))

    def first_detail(self, good: Phase, plan: DevPlan) -> str:
        steps = list(good.steps)
        if self.defect == "no_covers" and any(s.covers for s in steps):
            self.inject_once(f"phase {good.number}: no Covers lines")
            steps = [s.model_copy(update={"covers": []}) for s in steps]
        elif self.defect == "left_out_detail":
            target = next((rid for rid in good.requirements if any(rid in s.covers for s in steps)), None)
            kept = [s for s in steps if target not in s.covers]
            if target and kept and self.inject_once(f"phase {good.number}: {target} left out"):
                steps = renumber(kept, good.number)
        elif self.defect == "contradiction":
            step_id = f"{good.number}.{len(steps) + 1}"
            for requirement in (r for r in plan.requirements if r.kind in GUARDED_KINDS):
                bad = violating_step(requirement, step_id)
                if bad and self.inject_once(
                    f"phase {good.number}: step {step_id} contradicts {requirement.id}"
                ):
                    steps.append(bad)
                    break
        return render_phase_detail(good.model_copy(update={"steps": steps}))

    # -- repairs: do what the problems say ----------------------------------------------------------

    def asked(self, problems: str) -> str:
        """The problems this model acts on: all of them, or the first one for ``partial``."""
        if self.style != "partial":
            return problems
        listed = [line for line in problems.splitlines() if line.startswith("- ")]
        return listed[0] if listed else problems

    def repair_plan(self, good: DevPlan, first: str, problems: str) -> str:
        self.repairs.append(problems)
        problems = self.asked(problems)
        if self.style == "stubborn":
            return first
        if self.style == "whole":
            return render_plan(good)
        wanted = set(re.findall(r"\badd (R\d+) to the `Requirements:` line", problems))
        rewrite = {int(n) for n in re.findall(r"rewrite phase (\d+)", problems)}
        changed = [p for p in good.phases if set(p.requirements) & wanted or p.number in rewrite]
        blocks = "\n\n".join(render_phase_summary(p) for p in changed)
        return chatty(blocks) if self.style == "chatty" else blocks

    def repair_detail(self, good: Phase, first: str, problems: str) -> str:
        self.repairs.append(problems)
        problems = self.asked(problems)
        if self.style == "stubborn":
            return first
        if self.style == "whole":
            return render_phase_detail(good)
        previous = parse_phase_detail(first)
        uncovered = set(re.findall(r"no step of phase \d+ covers (R\d+)", problems))
        rewrite = re.findall(r"rewrite step (\d+\.\d+)", problems)
        last = max((int(s.id.split(".")[1]) for s in previous.steps), default=0)
        titles = {s.id: s.title for s in previous.steps}
        parts: list[Step] = []
        for step in good.steps:
            if not set(step.covers) & uncovered:
                continue
            if titles.get(step.id) == step.title:  # the step is there; it lacked its Covers line
                parts.append(step)
            else:
                last += 1
                parts.append(step.model_copy(update={"id": f"{good.number}.{last}", "depends_on": []}))
        for step_id in dict.fromkeys(rewrite):
            guard = re.search(rf"step {re.escape(step_id)} contradicts (R\d+)", problems)
            assert guard is not None
            parts.append(
                Step(
                    id=step_id,
                    title=f"Keep to {guard.group(1)}",
                    details="Do this step within the brief's limits: nothing here creates, migrates, "
                    "deploys or removes what the constraint protects.",
                    acceptance_criteria=["the constraint still holds"],
                    test_command="true",
                )
            )
        blocks = "\n\n".join(render_step(s) for s in parts)
        return chatty(blocks) if self.style == "chatty" else blocks
