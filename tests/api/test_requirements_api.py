"""The requirements contract (CONTRACT-requirements-api.md): requirements and coverage on the wire,
edited lists refused with the offending ids, and refine by asking."""

from __future__ import annotations

from typing import Any

import pytest

from devussy.models import DevPlan, Requirement
from tests import samples
from tests.web.helpers import Response, call, load_api_handler
from tests.web.mock_engine import StageAnswers

REQUIREMENTS = [
    Requirement(id="R1", text="Track tasks"),
    Requirement(id="R2", text="The database already exists", kind="constraint"),
    Requirement(id="R3", text="Slack notifications", kind="integration"),
]
PATHS = {
    "design.py": "/api/design",
    "plan/basic.py": "/api/plan/basic",
    "plan/detail.py": "/api/plan/detail",
    "coverage.py": "/api/coverage",
}


def post(api_file: str, body: dict[str, Any]) -> Response:
    return call(load_api_handler(api_file), "POST", PATHS[api_file], body)


def done(response: Response) -> dict[str, Any]:
    assert response.status == 200, response.body[:500]
    assert response.events[-1].event == "done", response.events[-1].data
    return response.events[-1].data


def wire(requirements: list[Requirement]) -> list[dict[str, Any]]:
    return [r.to_json_dict() for r in requirements]


def cited_plan() -> DevPlan:
    plan = samples.plan(3)
    phases = [plan.phases[0].model_copy(update={"requirements": ["R1"]}), *plan.phases[1:]]
    return plan.model_copy(update={"phases": phases, "requirements": REQUIREMENTS})


def assert_422_naming(response: Response, *ids: str) -> None:
    assert response.status == 422, response.body[:300]
    assert response.header("Content-Type") == "application/json; charset=utf-8"  # never a stream
    body = response.json()
    assert body["code"] == "invalid_request"
    for requirement_id in ids:
        assert requirement_id in body["error"], body["error"]


# -- requirements on the wire ------------------------------------------------------------------------


def test_the_design_done_event_carries_the_requirements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "builtin")
    brief = samples.BRIEF.model_copy(update={"requirements": REQUIREMENTS})
    data = done(post("design.py", {"brief": brief.to_json_dict()}))
    assert data["requirements"] == data["design"]["requirements"]
    assert [r["id"] for r in data["requirements"]][:3] == ["R1", "R2", "R3"]


def test_an_edited_list_replaces_the_designs_and_the_plan_carries_it(engine: StageAnswers) -> None:
    body = {"design": samples.design().to_json_dict(), "requirements": wire(REQUIREMENTS)}
    data = done(post("plan/basic.py", body))
    assert data["plan"]["requirements"] == wire(REQUIREMENTS)
    assert engine.tasks[0].design.requirements == REQUIREMENTS  # type: ignore[attr-defined]
    assert "- R3 (integration, brief): Slack notifications" in engine.requests[0].messages[1].content
    statuses = {entry["id"]: entry["status"] for entry in data["coverage"]["requirements"]}
    assert statuses == {"R1": "uncovered", "R2": "respected", "R3": "uncovered"}  # the sample plan cites none


@pytest.mark.parametrize(
    ("requirements", "ids"),
    [
        ([{"id": "R1", "text": "a"}, {"id": "R2", "text": "b"}, {"id": "R2", "text": "c"}], ["R2"]),
        ([{"id": "R1", "text": "a"}, {"id": "R3", "text": "  "}, {"id": "R4", "text": ""}], ["R3", "R4"]),
    ],
)
@pytest.mark.parametrize("api_file", ["plan/basic.py", "plan/detail.py", "coverage.py"])
def test_bad_lists_are_refused_naming_the_ids(
    api_file: str, requirements: list[dict[str, str]], ids: list[str], engine: StageAnswers
) -> None:
    body: dict[str, Any] = {"requirements": requirements}
    if api_file == "plan/basic.py":
        body["design"] = samples.design().to_json_dict()
    else:
        body |= {"plan": samples.plan().to_json_dict(), "phaseNumber": 1}
    assert_422_naming(post(api_file, body), *ids)
    assert engine.requests == []


@pytest.mark.parametrize("api_file", ["plan/detail.py", "coverage.py"])
def test_a_plan_citing_ids_the_list_lacks_is_refused_naming_them(api_file: str, engine: StageAnswers) -> None:
    body = {"plan": cited_plan().to_json_dict(), "phaseNumber": 1, "requirements": wire(REQUIREMENTS[1:])}
    response = post(api_file, body)
    assert_422_naming(response, "R1", "phase 1")
    assert engine.requests == []


# -- coverage on the wire ----------------------------------------------------------------------------


def test_the_detail_done_event_carries_the_coverage_of_the_plan_with_this_phase(engine: StageAnswers) -> None:
    data = done(post("plan/detail.py", {"plan": cited_plan().to_json_dict(), "phaseNumber": 1}))
    assert data["requirements"] == wire(REQUIREMENTS)
    coverage = data["coverage"]
    assert coverage["pendingPhases"] == [2, 3]  # only phase 1 is detailed
    assert {e["id"]: e["status"] for e in coverage["requirements"]}["R1"] == "uncovered"  # steps cite nothing


def test_the_detail_stream_reports_coverage_after_its_repair_round(engine: StageAnswers) -> None:
    response = post("plan/detail.py", {"plan": cited_plan().to_json_dict(), "phaseNumber": 1})
    progress = [e.data for e in response.events if e.event == "progress"]
    assert [p["event"] for p in progress] == ["repair", "coverage"]
    assert progress[0]["errors"][0].startswith('no step of phase 1 covers R1 (feature: "Track tasks")')
    assert progress[1]["repaired"] is True and "R1" in progress[1]["unresolved"][0]
    assert len(engine.requests) == 2  # one targeted repair, and the rest is reported


def test_coverage_endpoint_checks_a_plan_against_its_or_an_edited_list() -> None:
    phase = samples.detailed(cited_plan().phase(1))
    steps = [s.model_copy(update={"covers": ["R1"]}) for s in phase.steps]
    detailed = cited_plan().with_phase(phase.model_copy(update={"steps": steps}))
    response = post("coverage.py", {"plan": detailed.to_json_dict()})
    assert response.status == 200 and response.header("Content-Type") == "application/json; charset=utf-8"
    coverage = response.json()["coverage"]
    assert {e["id"]: e["status"] for e in coverage["requirements"]} == {
        "R1": "covered", "R2": "respected", "R3": "uncovered"
    }
    edited = [*REQUIREMENTS[:2], Requirement(id="R4", text="No mobile app", kind="non_goal")]
    response = post("coverage.py", {"plan": detailed.to_json_dict(), "requirements": wire(edited)})
    assert [e["id"] for e in response.json()["coverage"]["requirements"]] == ["R1", "R2", "R4"]


# -- refine by asking --------------------------------------------------------------------------------


def test_a_model_gets_the_instruction_and_the_previous_design(engine: StageAnswers) -> None:
    previous = samples.design("Previous TaskFlow")
    body = {
        "brief": samples.BRIEF.to_json_dict(),
        "instruction": "Use SQLite",
        "previousDesign": previous.to_json_dict(),
    }
    done(post("design.py", body))
    prompt = engine.requests[0].messages[1].content
    assert "> Use SQLite" in prompt and "# Project Design: Previous TaskFlow" in prompt


def test_a_model_gets_the_instruction_and_the_previous_plan(engine: StageAnswers) -> None:
    body = {
        "design": samples.design().to_json_dict(),
        "instruction": "Split phase 2",
        "previousPlan": samples.plan(3).to_json_dict(),
    }
    done(post("plan/basic.py", body))
    prompt = engine.requests[0].messages[1].content
    assert "> Split phase 2" in prompt and "<<<previous plan\n# Development Plan: TaskFlow" in prompt


def test_a_model_gets_the_instruction_and_the_phases_current_steps(engine: StageAnswers) -> None:
    plan = samples.plan(3).with_phase(samples.detailed(samples.plan(3).phase(2)))
    body = {"plan": plan.to_json_dict(), "phaseNumber": 2, "instruction": "Fewer steps"}
    done(post("plan/detail.py", body))
    prompt = engine.requests[0].messages[1].content
    assert "> Fewer steps" in prompt and "### Step 2.1: Step 1 of Part 2" in prompt


def test_the_offline_engine_turns_the_instruction_into_a_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "builtin")
    plan = cited_plan()
    body = {"plan": plan.to_json_dict(), "phaseNumber": 1, "instruction": "Export tasks as CSV"}
    data = done(post("plan/detail.py", body))
    added = data["requirements"][-1]
    assert added == {"id": "R4", "text": "Export tasks as CSV", "kind": "feature", "source": "interview"}
    assert data["phase"]["requirements"] == ["R1", "R4"]
    assert "R4" in {e["id"] for e in data["coverage"]["requirements"]}


def test_an_instruction_is_bounded() -> None:
    body = {"design": samples.design().to_json_dict(), "instruction": "x" * 2001}
    response = post("plan/basic.py", body)
    assert response.status == 422 and "instruction" in response.json()["error"]
