"""parse_x(render_x(m)) == m for hand-made and generated models (and the offline planner's)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devussy.models import (
    ChatTurn,
    DevPlan,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
    Risk,
    Step,
)
from devussy.stages.design import parse_design, render_design
from devussy.stages.detail import parse_phase_detail, render_phase_detail
from devussy.stages.handoff import parse_handoff, render_handoff
from devussy.stages.interview import parse_interview, render_interview
from devussy.stages.plan import parse_plan, render_plan
from tests import samples

WORDS = [
    "api",
    "Postgres",
    "cache",
    "user",
    "café",
    "naïve",
    "日本",
    "v2",
    "3.12",
    "(beta)",
    "queue",
    "a/b",
    "don't",
    "50%",
    "tests",
    "e-mail",
    "über",
    "phase",
    "step",
    "ok.",
    "x,y",
]
word = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789", min_size=1, max_size=8),
)
line = st.lists(word, min_size=1, max_size=8).map(" ".join)
title = st.lists(word, min_size=1, max_size=4).map(" ".join).filter(lambda t: not t[0].isdigit())
title_with_dash = st.one_of(title, st.tuples(title, title).map(lambda p: f"{p[0]} — {p[1]}"))
paragraphs = st.lists(line, min_size=1, max_size=3).flatmap(
    lambda lines: st.sampled_from(["\n", "\n\n"]).map(lambda sep: sep.join(lines))
)
short_list = st.lists(line, min_size=1, max_size=4)
command = st.sampled_from(
    [
        "pytest -q",
        "npm test -- auth",
        "cargo test convert",
        "curl -f http://localhost:8000/h",
        "make check && ./run.sh",
        "python -m app --flag=1",
        "echo `date`",
    ]
)


cited_ids = st.lists(st.integers(1, 6), max_size=3).map(lambda ns: [f"R{n}" for n in ns])


@st.composite
def requirement_lists(draw: st.DrawFn) -> list[Requirement]:
    return [
        Requirement(
            id=f"R{n}",
            text=draw(line),
            kind=draw(st.sampled_from(["feature", "integration", "constraint", "non_goal", "quality"])),
            source=draw(st.sampled_from(["brief", "interview", "design"])),
        )
        for n in range(1, draw(st.integers(0, 6)) + 1)
    ]


@st.composite
def designs(draw: st.DrawFn) -> ProjectDesign:
    return ProjectDesign(
        project_name=draw(title_with_dash),
        summary=draw(paragraphs),
        objectives=draw(st.one_of(short_list, st.just([]))),
        tech_stack=draw(st.one_of(short_list, st.just([]))),
        architecture=draw(st.one_of(paragraphs, st.just(""))),
        data_model=draw(st.one_of(paragraphs, st.just(""))),
        risks=[
            Risk(risk=draw(line), mitigation=draw(st.one_of(line, st.none())))
            for _ in range(draw(st.integers(0, 3)))
        ],
        testing_strategy=draw(st.one_of(paragraphs, st.just(""))),
        requirements=draw(requirement_lists()),
    )


@st.composite
def phases(draw: st.DrawFn, number: int, with_steps: bool) -> Phase:
    steps = []
    if with_steps:
        for index in range(1, draw(st.integers(1, 4)) + 1):
            steps.append(
                Step(
                    id=f"{number}.{index}",
                    title=draw(title_with_dash),
                    details=draw(paragraphs),
                    acceptance_criteria=draw(st.one_of(short_list, st.just([]))),
                    test_command=draw(st.one_of(command, st.none())),
                    depends_on=[f"{number}.{k}" for k in range(1, index) if draw(st.booleans())],
                    covers=draw(cited_ids),
                )
            )
    return Phase(
        number=number,
        title=draw(title_with_dash),
        summary=draw(paragraphs),
        depends_on=[k for k in range(1, number) if draw(st.booleans())],
        requirements=draw(cited_ids),
        steps=steps,
    )


@st.composite
def plans(draw: st.DrawFn) -> DevPlan:
    count = draw(st.integers(1, 6))
    return DevPlan(
        project_name=draw(title_with_dash),
        summary=draw(paragraphs),
        phases=[draw(phases(n, with_steps=False)) for n in range(1, count + 1)],
    )


FAST = settings(
    max_examples=int(__import__("os").environ.get("RT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_design_with_only_a_summary_roundtrips() -> None:
    design = ProjectDesign(project_name="Tiny", summary="Just a summary.")
    assert parse_design(render_design(design)) == design


@FAST
@given(designs())
def test_design_roundtrip(design: ProjectDesign) -> None:
    assert parse_design(render_design(design)) == design


@FAST
@given(plans())
def test_plan_roundtrip(plan: DevPlan) -> None:
    assert parse_plan(render_plan(plan)) == plan


@FAST
@given(st.integers(1, 12).flatmap(lambda n: phases(n, with_steps=True)))
def test_phase_detail_roundtrip(phase: Phase) -> None:
    assert parse_phase_detail(render_phase_detail(phase)) == phase
    assert (
        parse_phase_detail(render_phase_detail(phase), phase=phase.model_copy(update={"steps": []})) == phase
    )


@FAST
@given(title_with_dash, paragraphs, st.one_of(st.none(), st.integers(1, 9)), st.booleans())
def test_handoff_roundtrip(name: str, prompt: str, start: int | None, with_step: bool) -> None:
    handoff = Handoff(
        project_name=name,
        prompt=prompt,
        start_phase=start,
        start_step=f"{start}.1" if start and with_step else None,
    )
    assert parse_handoff(render_handoff(handoff)) == handoff


@FAST
@given(
    paragraphs,
    st.one_of(
        st.none(),
        st.builds(
            ProjectBrief,
            name=title,
            summary=paragraphs,
            goals=short_list,
            team_size=st.one_of(st.none(), st.integers(1, 50)),
        ),
    ),
)
def test_interview_roundtrip(reply: str, brief: ProjectBrief | None) -> None:
    message = InterviewReply(reply=reply, brief=brief)
    assert parse_interview(render_interview(message)) == message


def test_hand_made_samples_roundtrip() -> None:
    design = samples.design()
    assert parse_design(render_design(design)) == design
    plan = samples.plan(5)
    assert parse_plan(render_plan(plan)) == plan
    phase = samples.detailed(plan.phase(3), steps=4)
    assert parse_phase_detail(render_phase_detail(phase)) == phase
    assert parse_handoff(render_handoff(samples.handoff())) == samples.handoff()


def test_offline_planner_outputs_roundtrip() -> None:
    planner_module = pytest.importorskip("devussy.planner")
    if not hasattr(planner_module, "OfflinePlanner"):
        pytest.skip("devussy.planner.OfflinePlanner has not landed yet")
    planner = planner_module.OfflinePlanner()
    history: list[ChatTurn] = []
    for said in ["A CLI that renames photos by the date they were taken", "Python, just me", "go ahead"]:
        reply = planner.interview(history, said)
        assert parse_interview(render_interview(reply)) == reply
        history += [ChatTurn(role="user", content=said), ChatTurn(role="assistant", content=reply.reply)]
    briefs = [
        samples.BRIEF,
        ProjectBrief(
            name="Tiny CLI", summary="A command-line tool that renames photos by the date they were taken."
        ),
        ProjectBrief(
            name="ML pipeline",
            summary="A Rust and Python pipeline that ingests Kafka events, trains a model nightly and serves "
            "predictions over gRPC on Kubernetes.",
            integrations=["Slack", "S3"],
        ),
        ProjectBrief(name="Shop", summary="A Flutter shop app with Firebase auth, Stripe payments and push."),
    ]
    for brief in briefs:
        design = planner.design(brief)
        text_only = design.model_copy(update={"brief": None, "complexity": None})
        assert parse_design(render_design(design)) == text_only
        plan = planner.basic_plan(design)
        # The plan's text carries each phase's requirement ids; the list itself travels with the design.
        cleared = {"tech_stack": [], "brief": None, "complexity": None, "requirements": []}
        outline = plan.model_copy(update=cleared)
        assert parse_plan(render_plan(plan)) == outline
        for phase in plan.phases:
            detailed = planner.phase_detail(plan, phase.number)
            assert parse_phase_detail(render_phase_detail(detailed)) == detailed
        handoff = planner.handoff(design, plan)
        assert parse_handoff(render_handoff(handoff)) == handoff
