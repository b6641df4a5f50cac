"""The coverage check's one targeted repair, through the real stage runner (``generation.generate``)
with a scripted model: answers without ``Covers:`` lines, leaving a requirement out, contradicting a
constraint."""

from __future__ import annotations

import json

from devussy.events import CoverageChecked, RepairRequested
from devussy.llm.base import Capabilities
from devussy.llm.mock import MockProvider
from devussy.models import DevPlan, Phase, Requirement, Step
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import generate
from devussy.stages import detail, plan
from devussy.stages.detail import render_phase_detail, render_step
from devussy.stages.inputs import DetailInput, PlanInput
from devussy.stages.plan import render_phase_summary, render_plan
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted

REQUIREMENTS = [
    Requirement(id="R1", text="Members book climbing classes"),
    Requirement(id="R2", text="The Postgres database already exists", kind="constraint"),
    Requirement(id="R3", text="Stripe payments", kind="integration"),
]


def answers(*texts: str) -> Scripted:
    queue = list(texts)
    return Scripted(lambda request: queue.pop(0))


def step(number: int, title: str, details: str = "Do it in `app.py`.", covers: tuple[str, ...] = ()) -> Step:
    return Step(
        id=f"2.{number}", title=title, details=details, acceptance_criteria=["it works"],
        test_command="pytest -q", covers=list(covers),
    )


PHASE = Phase(number=2, title="Booking", summary="Members book classes and pay.", requirements=["R1", "R3"])
PLAN = DevPlan(
    project_name="Gym",
    summary="Booking first.",
    phases=[Phase(number=1, title="Setup", summary="Set up."), PHASE],
    requirements=REQUIREMENTS,
)
DETAIL_INPUT = DetailInput(plan=PLAN, phase_number=2)
GOOD_STEPS = [step(1, "Booking form", covers=("R1",)), step(2, "Stripe checkout", covers=("R3",))]


def detailed(*steps: Step) -> str:
    return render_phase_detail(PHASE.model_copy(update={"steps": list(steps)}))


def coverage_events(sink: CollectingStreamingHandler) -> list[CoverageChecked]:
    return [e for e in sink.progress if isinstance(e, CoverageChecked)]


async def test_steps_without_covers_lines_get_one_targeted_repair_that_adds_them() -> None:
    bare = [s.model_copy(update={"covers": []}) for s in GOOD_STEPS]
    provider = answers(detailed(*bare), "\n\n".join(render_step(s) for s in GOOD_STEPS))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)

    assert [s.covers for s in result.value.steps] == [["R1"], ["R3"]]
    [repair] = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert len(repair.errors) == 2 and "covers R1" in repair.errors[0] and "covers R3" in repair.errors[1]
    second = provider.requests[1].messages
    assert [m.role for m in second] == ["system", "user", "assistant", "user"]
    assert second[2].content == detailed(*bare)  # the first answer stays in the conversation
    assert "Reply with only the steps you add or change" in second[3].content
    [checked] = coverage_events(sink)
    assert checked.repaired and checked.unresolved == [] and checked.coverage.ok
    assert sink.completions == [result.text] and result.text == render_phase_detail(result.value)


async def test_a_requirement_left_out_gets_a_step_added_after_the_last_one() -> None:
    provider = answers(detailed(GOOD_STEPS[0]), render_step(step(2, "Stripe checkout", covers=("R3",))))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert [(s.id, s.covers) for s in result.value.steps] == [("2.1", ["R1"]), ("2.2", ["R3"])]
    assert "2.2, 2.3" in provider.requests[1].messages[-1].content  # where new steps go
    assert coverage_events(sink)[0].unresolved == []


async def test_a_step_contradicting_a_constraint_is_rewritten_in_place() -> None:
    migration = step(3, "Create the schema", "Write the migrations that create the tables.")
    rewritten = step(3, "Map the existing tables", "Introspect the existing database; do not migrate it.")
    provider = answers(detailed(*GOOD_STEPS, migration), render_step(rewritten))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert result.value.steps[2].title == "Map the existing tables"
    [repair] = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert repair.errors == [e for e in repair.errors if e.startswith("step 2.3 contradicts R2")]
    assert coverage_events(sink)[0].coverage.violations == []


async def test_what_the_repair_leaves_uncovered_is_reported_and_nothing_more_is_asked() -> None:
    provider = answers(detailed(GOOD_STEPS[0]), render_step(step(2, "Polish the form")))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert len(provider.requests) == 2  # one repair round, never a second
    assert [s.title for s in result.value.steps] == ["Booking form", "Polish the form"]
    [checked] = coverage_events(sink)
    assert checked.repaired and len(checked.unresolved) == 1 and "R3" in checked.unresolved[0]
    assert [e.id for e in checked.coverage.with_status("uncovered")] == ["R3"]


async def test_a_repair_that_makes_things_worse_keeps_the_first_answer() -> None:
    migration = step(1, "Create the schema", "Write the migrations that create the tables.", covers=("R1",))
    provider = answers(detailed(GOOD_STEPS[0]), render_step(migration))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert result.value.steps == [GOOD_STEPS[0]]
    assert result.text == detailed(GOOD_STEPS[0])
    assert "R3" in coverage_events(sink)[0].unresolved[0]


async def test_an_unusable_repair_answer_keeps_the_first_answer_and_reports() -> None:
    provider = answers(detailed(GOOD_STEPS[0]), "Sorry, I cannot help with that.")
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert result.value.steps == [GOOD_STEPS[0]] and result.usage.prompt_tokens == 20
    assert len(coverage_events(sink)[0].unresolved) == 1


async def test_the_offline_engine_is_never_asked_to_repair_but_its_coverage_is_reported() -> None:
    async def answer(request: object) -> object:
        yield detailed(GOOD_STEPS[0])

    offline = MockProvider(answer, name="offline", capabilities=Capabilities(offline=True))
    sink = CollectingStreamingHandler()
    await generate(detail.STAGE, StageSettings(provider=offline), DETAIL_INPUT, sink)
    assert len(offline.requests) == 1 and not [e for e in sink.progress if isinstance(e, RepairRequested)]
    [checked] = coverage_events(sink)
    assert not checked.repaired and "R3" in checked.unresolved[0]


async def test_a_plan_leaving_a_requirement_out_gets_it_cited_by_a_repaired_phase() -> None:
    design = samples.design().model_copy(update={"requirements": REQUIREMENTS})
    first = DevPlan(
        project_name="TaskFlow",
        summary="Booking first.",
        phases=[PLAN.phases[0], PHASE.model_copy(update={"requirements": ["R1"]})],
    )
    provider = answers(render_plan(first), render_phase_summary(PHASE))
    sink = CollectingStreamingHandler()
    result = await generate(plan.STAGE, provider.settings(), PlanInput(design=design), sink)
    assert result.value.phase(2).requirements == ["R1", "R3"]
    assert result.value.requirements == REQUIREMENTS
    [repair] = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert repair.errors[0].startswith('R3 (integration: "Stripe payments") is cited by no phase')
    [checked] = coverage_events(sink)
    assert checked.unresolved == [] and checked.coverage.with_status("uncovered") == []


async def test_a_stage_without_requirements_reports_no_coverage() -> None:
    phases = [p.model_copy(update={"requirements": []}) for p in PLAN.phases]
    bare_plan = PLAN.model_copy(update={"requirements": [], "phases": phases})
    provider = answers(detailed(*[s.model_copy(update={"covers": []}) for s in GOOD_STEPS]))
    sink = CollectingStreamingHandler()
    await generate(detail.STAGE, provider.settings(), DetailInput(plan=bare_plan, phase_number=2), sink)
    assert sink.progress == [] and len(provider.requests) == 1


async def test_a_complete_repair_answer_replaces_the_first_and_may_drop_a_step() -> None:
    migration = step(3, "Create the schema", "Write the migrations that create the tables.")
    provider = answers(detailed(*GOOD_STEPS, migration), detailed(*GOOD_STEPS))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)
    assert result.value.steps == GOOD_STEPS
    assert coverage_events(sink)[0].unresolved == []


async def test_a_complete_plan_answer_replaces_the_first_and_parts_are_applied_to_it() -> None:
    design = samples.design().model_copy(update={"requirements": REQUIREMENTS})
    first = DevPlan(
        project_name="TaskFlow",
        summary="Booking first.",
        phases=[
            PLAN.phases[0],
            PHASE.model_copy(update={"requirements": ["R1"]}),
            Phase(number=3, title="Extra", summary="More.", depends_on=[2]),
        ],
    )
    whole = DevPlan(project_name="TaskFlow", summary="Booking first.", phases=[PLAN.phases[0], PHASE])
    stage_input = PlanInput(design=design)
    provider = answers(render_plan(first), render_plan(whole))
    result = await generate(plan.STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert [p.number for p in result.value.phases] == [1, 2]  # the complete answer dropped phase 3
    bold_lead = "**Here is the fix:**\n\n" + render_phase_summary(PHASE)
    provider = answers(render_plan(first), bold_lead)
    result = await generate(plan.STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert [p.number for p in result.value.phases] == [1, 2, 3]
    assert result.value.phase(2).requirements == ["R1", "R3"]


# The order inside ``generate``: parse → format repair → JSON request → coverage check → one amend.


async def test_an_unreadable_answer_is_repaired_first_and_its_coverage_then_amended() -> None:
    readable = detailed(GOOD_STEPS[0])  # parses, but leaves R3 uncovered
    provider = answers("Sorry, here are no steps.", readable, render_step(GOOD_STEPS[1]))
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, provider.settings(), DETAIL_INPUT, sink)

    assert result.value.steps == GOOD_STEPS
    assert len(provider.requests) == 3
    repairs = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert len(repairs) == 2 and "covers R3" in repairs[1].errors[0]
    amend = provider.requests[2].messages
    assert [m.role for m in amend] == ["system", "user", "assistant", "user"]
    assert amend[2].content == readable  # the readable answer, not the broken one, is amended
    [checked] = coverage_events(sink)
    assert checked.repaired and checked.unresolved == []


async def test_a_json_answer_gets_the_coverage_check_and_its_amend_too() -> None:
    garbage = "Sorry, here are no steps."
    first_json = PHASE.model_copy(update={"steps": [GOOD_STEPS[0]]}).to_json_dict()
    queue = [garbage, garbage, json.dumps(first_json), render_step(GOOD_STEPS[1])]
    provider = MockProvider(
        lambda request: queue.pop(0), capabilities=Capabilities(json_schema=True, usage_in_stream=True)
    )
    sink = CollectingStreamingHandler()
    result = await generate(detail.STAGE, StageSettings(provider=provider), DETAIL_INPUT, sink)

    assert result.value.steps == GOOD_STEPS
    schemas = [request.json_schema is not None for request in provider.requests]
    assert schemas == [False, False, True, False]  # the amend is markdown again
    repairs = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert [e.structured for e in repairs] == [False, True, False]
    amend = provider.requests[3].messages
    assert amend[-2].role == "assistant" and amend[-2].content == detailed(GOOD_STEPS[0])
    [checked] = coverage_events(sink)
    assert checked.repaired and checked.coverage.ok
