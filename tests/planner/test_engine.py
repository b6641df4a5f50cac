"""The whole offline pipeline (design → basic plan → every phase detail → handoff) over the brief corpus."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devussy.errors import StageError
from devussy.models import DevPlan, Phase, ProjectBrief
from devussy.planner import OfflinePlanner
from devussy.planner.analysis import Analysis
from devussy.planner.commands import command_problems
from devussy.planner.engine import _basis_for_plan, plan_analysis
from devussy.planner.knowledge import PLACEHOLDERS, knowledge
from devussy.planner.quality import (
    boilerplate_titles,
    made_up_entities,
    normalise_title,
    recalled,
    stack_mismatches,
)
from devussy.planner.synthesis import classify, draft_title, layout
from devussy.requirements import check_coverage
from tests.planner.conftest import FullRun, load_corpus, run_pipeline, steps_text

CORPUS = load_corpus()
UNFILLED = re.compile(r"\{(?:" + "|".join(sorted(PLACEHOLDERS)) + r")(?::[^{}]*)?\}")


def word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.+#-])" + re.escape(name) + r"(?![\w+#])(?!\.\w)")


def brief_of(case: dict[str, Any]) -> ProjectBrief:
    return ProjectBrief.model_validate(case["brief"])


def test_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 65  # 25 original briefs, 32 written with the planner, 10 held out
    types = {case["expect"]["project_type"] for _, case in CORPUS}
    assert len(types) >= 14
    assert sum(len(case["expect"].get("requirements", [])) for _, case in CORPUS) >= 250


@pytest.mark.parametrize(("name", "case"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_brief(name: str, case: dict[str, Any]) -> None:
    brief = brief_of(case)
    expect = case["expect"]
    run = run_pipeline(brief)
    analysis = plan_analysis(brief, run.plan.requirements)
    text = run.text()

    assert analysis.project_type == expect["project_type"]
    low, high = expect["phases"]
    assert low <= len(run.plan.phases) <= high, [p.title for p in run.plan.phases]
    for feature in expect.get("features", []):
        assert feature in analysis.features
    missing = [needle for needle in expect["contains"] if needle not in text]
    assert not missing, f"{name}: plan lacks {missing}"
    # What the plan asks to build (the design restates constraints such as "no sign-up" in its own words).
    built = steps_text(run)
    present = [phrase for phrase in expect["not_contains"] if word(phrase).search(built)]
    assert not present, f"{name}: the steps name what the brief did not ask for: {present}"

    check_structure(run)
    check_only_requested_technologies(run, analysis)
    check_every_feature_has_steps(run)
    check_quality(run, case, analysis)


def check_quality(run: FullRun, case: dict[str, Any], analysis: Analysis) -> None:
    """The corpus properties bench/plan_quality.py reports, per brief, so they cannot regress."""
    plan = run.plan
    for phase in run.details:
        plan = plan.with_phase(phase)
    report = check_coverage(plan)
    built = [r for r in report.requirements if r.kind in ("feature", "integration")]
    uncovered = [r.id for r in built if r.status != "covered"]
    assert not uncovered, f"feature/integration requirements without a step: {uncovered}"
    assert not report.violations, [(v.step, v.requirement, v.message) for v in report.violations]
    assert not report.gaps
    assert all(p.requirements for p in plan.phases), "every phase cites the requirements it serves"
    steps = [s for p in plan.phases for s in p.steps]
    assert all(s.covers for s in steps), "every step covers a requirement"
    commands = [s.test_command or "" for s in steps]
    invalid = {c: command_problems(c) for c in commands if command_problems(c)}
    assert not invalid, invalid
    assert not stack_mismatches(commands, analysis)
    assert not made_up_entities(run.design, brief_of(case))
    missed = [
        e["text"]
        for e in case["expect"].get("requirements", [])
        if not recalled(e["text"], e["kind"], plan.requirements)
    ]
    assert not missed, f"expected requirements not extracted: {missed}"
    titles = [s.title.lower() for s in steps]
    assert len(titles) == len(set(titles)), "a step repeated across phases"


MAX_BOILERPLATE_SHARE = 0.05


def test_corpus_plans_are_not_boilerplate() -> None:
    """Few step titles (the project's name aside) appear in more than a quarter of the corpus's plans, and
    none in more than half (CI and a changelog are common to many projects; a feature step never is)."""
    plans = []
    for _, case in CORPUS:
        run = run_pipeline(brief_of(case))
        plan = run.plan
        for phase in run.details:
            plan = plan.with_phase(phase)
        plans.append(plan)
    common = boilerplate_titles(plans, share=0.25)
    titles = [normalise_title(s.title, p.project_name) for p in plans for ph in p.phases for s in ph.steps]
    assert sum(t in common for t in titles) / len(titles) <= MAX_BOILERPLATE_SHARE, sorted(common)
    assert boilerplate_titles(plans, share=0.5) == set()


def check_structure(run: FullRun) -> None:
    assert [p.number for p in run.details] == [p.number for p in run.plan.phases]
    for basic, phase in zip(run.plan.phases, run.details, strict=True):
        assert (phase.title, phase.summary, phase.depends_on) == (
            basic.title,
            basic.summary,
            basic.depends_on,
        )
        assert all(dep < phase.number for dep in phase.depends_on)
        assert phase.steps, f"phase {phase.number} has no steps"
        ids = [step.id for step in phase.steps]
        assert ids == [f"{phase.number}.{n}" for n in range(1, len(ids) + 1)]
        for index, step in enumerate(phase.steps):
            assert step.acceptance_criteria and all(c.strip() for c in step.acceptance_criteria)
            assert step.test_command.strip() and "None" not in step.test_command
            assert set(step.depends_on) <= set(ids[:index]), f"{step.id} depends on a later or unknown step"
    text = run.text()
    assert not UNFILLED.search(text), UNFILLED.search(text)
    assert run.handoff.start_phase == run.plan.phases[0].number
    assert run.handoff.start_step == f"{run.handoff.start_phase}.1"
    assert run.design.brief is not None and run.design.complexity is not None
    assert run.plan.complexity == run.design.complexity


def check_only_requested_technologies(run: FullRun, analysis: Analysis) -> None:
    """No knowledge-base technology outside the brief's (explicit, implied or assumed) stack is named."""
    kb = knowledge()
    text = run.text()
    for tid in sorted(analysis.stack, key=lambda t: -len(kb.technologies[t].name)):
        text = text.replace(kb.technologies[tid].name, " ")  # "React Native" is not "React"
    for requirement in run.plan.requirements:  # names the brief itself uses ("Azure AD" is not Azure)
        if requirement.kind == "integration":
            text = text.replace(requirement.text, " ")
    leaked = [
        tech.name
        for tid, tech in kb.technologies.items()
        if tid not in analysis.stack and word(tech.name).search(text)
    ]
    assert not leaked, f"unrequested technologies in the plan: {leaked}"


def check_every_feature_has_steps(run: FullRun) -> None:
    """Every unit of work (a knowledge-base feature, a feature in the brief's words, an unknown
    technology) has a step that covers its requirements."""
    basis, _ = _basis_for_plan(run.plan)
    covered = {r for phase in run.details for step in phase.steps for r in step.covers}
    for unit in basis.rmap.units:
        assert set(unit.requirements) & covered, f"{unit.key} has no step covering {unit.requirements}"


@pytest.mark.parametrize(("name", "case"), CORPUS, ids=[name for name, _ in CORPUS])
def test_generated_titles_classify_back_to_their_kinds(name: str, case: dict[str, Any]) -> None:
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief_of(case)))
    basis, profile = _basis_for_plan(plan)
    for draft in layout(basis.analysis, profile.phase_count, basis.rmap):
        title = draft_title(draft, basis.ctx, basis.rmap)
        assert list(classify(title).kinds) == draft.kinds, title


@pytest.mark.parametrize(("name", "case"), CORPUS, ids=[name for name, _ in CORPUS])
def test_early_start_on_a_streaming_plan_gives_the_same_steps(name: str, case: dict[str, Any]) -> None:
    """The runner starts phase n while the plan still streams: phases 1..n known, plan_complete=False."""
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief_of(case)))
    for index, phase in enumerate(plan.phases, start=1):
        partial = plan.model_copy(update={"phases": plan.phases[:index]})
        early = planner.phase_detail(partial, phase.number, plan_complete=False)
        assert early == planner.phase_detail(plan, phase.number), f"phase {phase.number}"


# -- determinism ----------------------------------------------------------------------------------


def test_same_brief_gives_byte_identical_output() -> None:
    for _, case in CORPUS:
        first = run_pipeline(brief_of(case)).as_json()
        second = run_pipeline(brief_of(case), OfflinePlanner()).as_json()
        assert first == second


def test_output_does_not_depend_on_hash_seed() -> None:
    names = [name for name, _ in CORPUS][::4]
    script = (
        "import hashlib, sys, yaml\n"
        "from devussy.models import ProjectBrief\n"
        "from tests.planner.conftest import load_corpus, run_pipeline\n"
        "cases = dict(load_corpus())\n"
        "for name in sys.argv[1:]:\n"
        "    case = cases[name]\n"
        "    out = run_pipeline(ProjectBrief.model_validate(case['brief'])).as_json()\n"
        "    print(name, hashlib.sha256(out.encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        result = subprocess.run(
            [sys.executable, "-c", script, *names],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            timeout=120,
            check=True,
        )
        outputs.append(result.stdout)
    import hashlib

    cases = dict(CORPUS)
    local = "".join(
        f"{n} {hashlib.sha256(run_pipeline(brief_of(cases[n])).as_json().encode()).hexdigest()}\n"
        for n in names
    )
    assert outputs[0] == outputs[1] == local


# -- plans edited by the user ---------------------------------------------------------------------


def saas_plan() -> tuple[OfflinePlanner, DevPlan]:
    planner = OfflinePlanner()
    case = dict(CORPUS)["09_multiservice_saas"]
    return planner, planner.basic_plan(planner.design(brief_of(case)))


def step_titles(phase: Phase) -> list[str]:
    return [step.title for step in phase.steps]


def test_unknown_phase_is_a_stage_error() -> None:
    planner, plan = saas_plan()
    with pytest.raises(StageError) as info:
        planner.phase_detail(plan, 99)
    assert info.value.code == "unknown_phase"


def test_retitled_phase_is_classified_from_its_new_title() -> None:
    planner, plan = saas_plan()
    data = next(p for p in plan.phases if p.title == "Data model and persistence")
    edited = plan.with_phase(data.model_copy(update={"title": "Database schema", "summary": "Tables."}))
    detail = planner.phase_detail(edited, data.number)
    assert detail.title == "Database schema"
    assert "Django models and migrations" in step_titles(detail)
    assert any("makemigrations" in s.test_command for s in detail.steps)


def test_reordered_plan_keeps_the_same_steps() -> None:
    planner, plan = saas_plan()
    reordered = plan.model_copy(update={"phases": list(reversed(plan.phases))})
    original = {p.number: step_titles(planner.phase_detail(plan, p.number)) for p in plan.phases}
    after = {p.number: step_titles(planner.phase_detail(reordered, p.number)) for p in plan.phases}
    assert after == original


def test_added_phase_gets_steps_from_its_title() -> None:
    planner, plan = saas_plan()
    custom = Phase(number=40, title="Dark mode and theming", summary="Let users switch the colour theme.")
    search = Phase(
        number=41, title="Add Kafka event streaming", summary="Stream order events to other services."
    )
    edited = plan.model_copy(update={"phases": [*plan.phases, custom, search]})
    dark = planner.phase_detail(edited, 40)
    assert step_titles(dark)[0] == "Specify: Dark mode and theming"
    assert all(s.id.startswith("40.") for s in dark.steps)
    events = planner.phase_detail(edited, 41)
    assert "Kafka topics, schemas and consumers" in step_titles(events)


def test_deleted_ui_phase_moves_feature_screens_to_the_core_phase() -> None:
    planner, plan = saas_plan()
    ui = next(p for p in plan.phases if p.title == "User interface")
    phases = [
        p.model_copy(update={"depends_on": [d for d in p.depends_on if d != ui.number]})
        for p in plan.phases
        if p.number != ui.number
    ]
    edited = plan.model_copy(update={"phases": phases})
    chat_phase = next(p for p in edited.phases if "real-time chat" in p.title)
    assert "Chat interface" in step_titles(planner.phase_detail(edited, chat_phase.number))
    assert "Chat interface" not in step_titles(planner.phase_detail(plan, chat_phase.number))


def test_plan_without_brief_or_complexity_still_gets_stack_specific_steps() -> None:
    planner, plan = saas_plan()
    bare = DevPlan.model_validate({**plan.to_json_dict(), "brief": None, "complexity": None})
    for phase in bare.phases:
        detail = planner.phase_detail(bare, phase.number)
        assert detail.steps
    foundation = planner.phase_detail(bare, 1)
    assert any("manage.py" in s.test_command for s in foundation.steps)
    integrations = next(p for p in bare.phases if p.title.startswith("Integrations"))
    assert any("stripe" in s.test_command for s in planner.phase_detail(bare, integrations.number).steps)


def test_plan_round_trips_through_json() -> None:
    planner, plan = saas_plan()
    again = DevPlan.model_validate(json.loads(json.dumps(plan.to_json_dict())))
    assert planner.phase_detail(again, 2) == planner.phase_detail(plan, 2)


def test_handoff_uses_detailed_phases_when_present() -> None:
    planner = OfflinePlanner()
    case = dict(CORPUS)["01_rust_cli"]
    design = planner.design(brief_of(case))
    plan = planner.basic_plan(design)
    handoff = planner.handoff(design, plan)
    assert handoff.start_step == "1.1"
    assert "cargo" in handoff.prompt
    assert "## Start here" in handoff.prompt


def test_plan_written_by_another_engine_is_classified_by_title() -> None:
    titles = [
        "Project Setup and Environment Configuration",
        "Database Design and Models",
        "User Authentication",
        "Backend API Development",
        "Payment Integration",
        "Real-time Chat",
        "Frontend Development",
        "Testing & QA",
        "Deployment & Monitoring",
    ]
    plan = DevPlan(
        project_name="Shop",
        summary="An online shop built with FastAPI, Postgres and React; Stripe payments; chat with support.",
        tech_stack=["FastAPI", "PostgreSQL", "React", "Stripe"],
        phases=[Phase(number=n, title=t, summary=f"Work on {t}") for n, t in enumerate(titles, start=1)],
    )
    planner = OfflinePlanner()
    detail = {p.number: planner.phase_detail(plan, p.number) for p in plan.phases}
    assert "FastAPI application skeleton" in step_titles(detail[1])
    assert "PostgreSQL for development and tests" in step_titles(detail[2])
    assert "Sign-in and sign-out with FastAPI's built-in authentication" in step_titles(detail[3])
    assert any(t.startswith("FastAPI routers and dependencies") for t in step_titles(detail[4]))
    assert "Stripe test mode and local webhook forwarding" in step_titles(detail[5])
    assert "Real-time message delivery over WebSockets" in step_titles(detail[6])
    assert all(s.test_command.startswith("npm") for s in detail[7].steps)
    assert any(t.startswith("Security review of ") for t in step_titles(detail[8]))
    assert {"Structured logs with a request id", "Release build from a tag: `python -m build`"} <= set(
        step_titles(detail[9])
    )


def test_added_phase_for_something_the_brief_lacked() -> None:
    planner = OfflinePlanner()
    case = dict(CORPUS)["06_fastapi_service"]
    plan = planner.basic_plan(planner.design(brief_of(case)))
    extra = [
        Phase(number=20, title="Add Redis caching", summary="Cache hot reads."),
        Phase(number=21, title="Payments", summary="Take payments for premium reports."),
    ]
    edited = plan.model_copy(update={"phases": [*plan.phases, *extra]})
    assert "Redis cache with explicit expiry" in step_titles(planner.phase_detail(edited, 20))
    assert "Payment records: payments" in step_titles(planner.phase_detail(edited, 21))


def titles_of(summary: str) -> list[str]:
    run = run_pipeline(ProjectBrief(name="Probe", summary=summary))
    return [step.title for phase in run.details for step in phase.steps]


def test_the_existing_database_is_named_once_in_the_mapping_step() -> None:
    unnamed = titles_of(
        "Split the invoicing module out of our monolith without downtime; keep the existing schema."
    )
    assert not [t for t in unnamed if "the the" in t or "existing the" in t]
    oracle = titles_of(
        "Split the invoicing module out of our Spring monolith. Keep the existing Oracle schema."
    )
    assert "Map the existing Oracle Database tables the features read" in oracle
    assert not [t for t in oracle if t.startswith(("Spike: Spring", "Integrate Spring", "Integrate Oracle"))]


def test_only_what_users_install_gets_a_changelog_and_versions() -> None:
    installed = titles_of(
        "A Flutter app for iOS and Android where hikers record GPS tracks offline, see distance and "
        "elevation, share tracks with friends and export GPX files."
    )
    assert any(t.startswith("Changelog") for t in installed)
    hosted = titles_of("A web app where members of our gym book classes and pay for them with Stripe.")
    assert not any(t.startswith("Changelog") for t in hosted)


def test_a_batch_model_is_scheduled_not_served() -> None:
    titles = titles_of(
        "Train a model that predicts next-week demand per store from sales history in Snowflake, and write "
        "the forecasts back to a Snowflake table every Monday."
    )
    assert "Batch predictions written with the model version" in titles
    assert not [t for t in titles if t == "Inference endpoint" or t.startswith("Deploy ")]


def test_read_only_access_to_a_service_maps_no_database_tables() -> None:
    job = titles_of(
        "Weekly report of Jira cycle time per team, with read-only access to Jira Cloud, posted as a PDF "
        "to a Confluence page every Friday. Python."
    )
    assert not [t for t in job if t.startswith("Map the existing")]
    tool = titles_of(
        "Internal web tool: scan a barcode to look up a SKU in our existing Odoo ERP (read-only), print "
        "shelf labels."
    )
    assert not [t for t in tool if t.startswith(("Map the existing", "Data-access layer"))]
    assert "Read the records from Odoo ERP within its rate limits" in tool


def test_the_briefs_opening_not_a_derived_name_decides_the_type() -> None:
    brief = ProjectBrief(
        name="School Robotics Club",
        summary="Our school's robotics club needs a web app where students check out parts.",
    )
    assert plan_analysis(brief).project_type == "web_app"
    report = ProjectBrief(
        name="Probe", summary="Weekly report of Jira cycle time per team, posted to Confluence."
    )
    assert plan_analysis(report).project_type == "data_pipeline"


def test_c_and_cpp_steps_name_the_test_file_not_the_ctest_pattern() -> None:
    run = run_pipeline(
        ProjectBrief(
            name="Probe", summary="Arduino sketch that reads two DHT22 sensors and opens a vent servo."
        )
    )
    details = " ".join(step.details for phase in run.details for step in phase.steps)
    assert "Its tests live in `tests/test_" in details
    assert "Its tests live in `^" not in details
