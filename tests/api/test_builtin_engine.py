"""The built-in offline engine through every endpoint: real stages, real `done` results."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest

from devussy.llm.builtin import MAX_INTERVIEW_CHARS, MAX_INTERVIEW_TURNS, BuiltinProvider
from devussy.models import ChatTurn, DevPlan, Handoff, InterviewReply, Phase, ProjectDesign, Usage
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generators import InterviewGenerator
from devussy.web.sse import APIStreamingHandler, StageWork, run_stage
from devussy.web.wire import DoneEvent, InterviewDone
from tests.samples import SamplePlanner
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
    assert f"1. {body['questions'][0]}" in body["error"]  # shown by a client that reads only `error`


# -- long offline work: heartbeats keep coming, a disconnect stops the stage (issue 12) ---------------


class SlowPlanner(SamplePlanner):
    """An interview that takes as long as the test says: until ``release`` is set (at most 10 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.finished = threading.Event()

    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply:
        self.entered.set()
        self.release.wait(10)
        self.finished.set()
        return super().interview(history, user_input)


def interview_work(planner: SlowPlanner) -> StageWork:
    settings = StageSettings(provider=BuiltinProvider(planner), model="builtin")

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        result = await InterviewGenerator(settings).generate([], "done", sink)
        return InterviewDone(reply=result.value.reply, complete=result.value.complete, usage=Usage())

    return work


async def test_heartbeats_keep_coming_while_the_offline_engine_works() -> None:
    planner = SlowPlanner()
    out = io.BytesIO()
    sink = APIStreamingHandler(out, heartbeat_seconds=0.02)

    def release_after_three_pings() -> None:
        deadline = time.monotonic() + 10
        while out.getvalue().count(b": ping") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        planner.release.set()

    releaser = threading.Thread(target=release_after_three_pings)
    releaser.start()
    outcome = await run_stage(sink, interview_work(planner))
    releaser.join()
    assert outcome == "done"
    text = out.getvalue()
    pings_before_first_token = text.split(b"event: token")[0].count(b": ping")
    assert pings_before_first_token >= 3


async def test_a_disconnect_ends_the_stage_while_the_offline_engine_works() -> None:
    planner = SlowPlanner()
    sink = APIStreamingHandler(io.BytesIO(), heartbeat_seconds=5)

    async def client_gone() -> None:
        await asyncio.to_thread(planner.entered.wait, 10)

    outcome = await run_stage(sink, interview_work(planner), client_gone=client_gone)
    assert outcome == "disconnected"
    assert not planner.finished.is_set()  # the stage ended without waiting for the planner
    planner.release.set()


def test_an_interview_over_the_offline_engine_limits_is_a_413_before_any_stream() -> None:
    history = [{"role": "user", "content": "x" * 19_000}, {"role": "assistant", "content": "Go on?"}] * 6
    interview = load_api_handler("interview.py")
    response = call(interview, "POST", "/api/interview", {"userInput": "y", "history": history})
    assert response.status == 413
    assert response.json()["code"] == "input_too_large"
    assert response.json()["error"] == (
        f"the offline engine reads at most {MAX_INTERVIEW_TURNS} interview turns and {MAX_INTERVIEW_CHARS} "
        "characters; this interview has 13 turns and 114037 characters"
    )
    turns = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 25
    response = call(interview, "POST", "/api/interview", {"userInput": "y", "history": turns})
    assert response.status == 413 and "51 turns" in response.json()["error"]
