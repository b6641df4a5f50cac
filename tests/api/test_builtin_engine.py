"""The built-in offline engine through every endpoint: real stages, real `done` results."""

from __future__ import annotations

import pytest

from devussy.models import DevPlan, Handoff, InterviewReply, Phase, ProjectDesign
from tests.web.helpers import Response, call, load_api_handler


@pytest.fixture(autouse=True)
def builtin_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "builtin")


def post(api_file: str, path: str, body: dict[str, object]) -> Response:
    response = call(load_api_handler(api_file), "POST", path, body)
    assert response.status == 200, response.body[:500]
    events = response.events
    assert events[0].event == "start"
    assert events[-1].event == "done", events[-1].data
    return response


def test_the_whole_pipeline_over_the_api() -> None:
    interview = post(
        "interview.py", "/api/interview", {"userInput": "I want a recipe sharing web app", "history": []}
    )
    reply = interview.events[-1].data
    InterviewReply.model_validate({"reply": reply["reply"], "brief": reply.get("brief")})

    design_stream = post(
        "design.py",
        "/api/design",
        {
            "projectName": "Recipe Share",
            "requirements": "A web app where people share and rate recipes.",
            "languages": ["TypeScript", "Python"],
            "frameworks": ["Next.js", "FastAPI"],
            "apis": ["Stripe"],
        },
    )
    assert any(event.event == "token" for event in design_stream.events)
    design = ProjectDesign.model_validate(design_stream.events[-1].data["design"])
    assert design.brief is not None and design.brief.integrations == ["Stripe"]

    plan_stream = post("plan/basic.py", "/api/plan/basic", {"design": design.to_json_dict()})
    plan = DevPlan.model_validate(plan_stream.events[-1].data["plan"])
    announced = [
        e.data["phase"]["number"]
        for e in plan_stream.events
        if e.event == "progress" and e.data.get("event") == "phase"
    ]
    assert announced == [phase.number for phase in plan.phases]

    number = plan.phases[-1].number
    detail = post(
        "plan/detail.py",
        "/api/plan/detail",
        {"basicPlan": plan.to_json_dict(), "phaseNumber": number, "projectName": plan.project_name},
    )
    assert detail.events[0].data == {"type": "start", "stage": "detail", "phase": number}
    phase = Phase.model_validate(detail.events[-1].data["phase"])
    assert phase.number == number and phase.steps

    handoff = post(
        "handoff.py", "/api/handoff", {"design": design.to_json_dict(), "plan": plan.to_json_dict()}
    )
    Handoff.model_validate(handoff.events[-1].data["handoff"])
    assert "usage" in handoff.events[-1].data


def test_builtin_offers_only_its_own_model() -> None:
    handler = load_api_handler("design.py")
    body = {
        "projectName": "X app",
        "requirements": "A web app where neighbours lend and borrow tools",
        "modelConfig": {"model": "gpt-4o"},
    }
    response = call(handler, "POST", "/api/design", body)
    assert response.status == 422 and response.json()["code"] == "model_not_offered"
    models = call(load_api_handler("models.py"), "GET", "/api/models").json()
    assert models["provider"] == "builtin" and models["models"] == ["builtin"]
    body["modelConfig"] = {"model": models["models"][0]}
    assert call(handler, "POST", "/api/design", body).events[-1].event == "done"


@pytest.mark.parametrize("idea", ["todo", "Una aplicación para reservar clases de yoga con pagos en línea"])
def test_a_vague_brief_is_a_422_with_the_questions_before_any_stream(idea: str) -> None:
    body = {"projectName": "x", "requirements": idea}
    response = call(load_api_handler("design.py"), "POST", "/api/design", body)
    assert response.status == 422
    body = response.json()
    assert body["code"] == "brief_too_vague"
    assert body["reason"] in ("too_short", "not_english")
    assert body["questions"] and all(isinstance(q, str) for q in body["questions"])
