"""Each api/ handler class, called in memory (no socket), running the real stages on the mock engine."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from devussy.errors import ProviderError, StageError
from devussy.events import PhaseAnnounced
from devussy.stages.inputs import DesignInput, DetailInput
from tests import samples
from tests.web.helpers import Response, call, load_api_handler
from tests.web.mock_engine import REVIEW_FINDING, StageAnswers

SSE = {
    "interview.py": ("/api/interview", "interview", "reply"),
    "design.py": ("/api/design", "design", "design"),
    "plan/basic.py": ("/api/plan/basic", "plan", "plan"),
    "plan/detail.py": ("/api/plan/detail", "detail", "phase"),
    "handoff.py": ("/api/handoff", "handoff", "handoff"),
}


def valid_body(api_file: str) -> dict[str, Any]:
    return {
        "interview.py": {
            "userInput": "I want a todo app",
            "history": [{"role": "assistant", "content": "Hi"}],
        },
        "design.py": {
            "projectName": "Todo API",
            "requirements": "A todo API",
            "languages": ["Python"],
            "apis": ["Stripe"],
        },
        "plan/basic.py": {"design": samples.design().to_json_dict(), "projectName": "Todo API"},
        "plan/detail.py": {
            "plan": samples.plan().to_json_dict(),
            "phaseNumber": 2,
            "projectName": "Todo API",
        },
        "handoff.py": {"design": samples.design().to_json_dict(), "plan": samples.plan().to_json_dict()},
        "artifacts.py": {
            "design": samples.design().to_json_dict(),
            "plan": samples.plan().to_json_dict(),
            "handoff": samples.handoff().to_json_dict(),
        },
    }[api_file]


def post(api_file: str, body: Any = None, headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
    path = SSE[api_file][0] if api_file in SSE else f"/api/{api_file.removesuffix('.py')}"
    return call(
        load_api_handler(api_file),
        "POST",
        path,
        valid_body(api_file) if body is None else body,
        headers,
        **kwargs,
    )


def assert_error(response: Response, status: int, code: str) -> None:
    assert response.status == status, response.body
    assert response.header("Content-Type") == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"error", "code"} and body["code"] == code and body["error"]


@pytest.mark.parametrize("api_file", list(SSE))
def test_stage_endpoints_stream_start_tokens_done(api_file: str, engine: StageAnswers) -> None:
    _path, label, key = SSE[api_file]
    response = post(api_file)
    assert response.status == 200
    assert response.header("Content-Type") == "text/event-stream; charset=utf-8"
    assert response.header("Cache-Control") == "no-cache, no-transform"
    assert response.header("X-Accel-Buffering") == "no"
    events = response.events
    assert events[0].event == "start" and events[0].data["stage"] == label
    (task,) = engine.tasks
    assert [e.data["content"] for e in events if e.event == "token"] == engine.pieces_for(task)
    assert [e.event for e in events].count("done") == 1 and events[-1].event == "done"
    done = events[-1].data
    assert done["done"] is True and key in done
    assert done["usage"]["promptTokens"] > 0 and done["usage"]["completionTokens"] > 0
    assert [e.id for e in events] == list(range(1, len(events) + 1))


def test_design_builds_the_brief_from_front_end_fields(engine: StageAnswers) -> None:
    body = {
        "projectName": "Shop",
        "requirements": "Sell socks online",
        "languages": "Python, TypeScript",
        "frameworks": ["Next.js"],
        "apis": ["Stripe"],
        "someFutureField": 1,
    }
    assert post("design.py", body).status == 200
    (task,) = engine.tasks
    assert isinstance(task, DesignInput)
    brief = task.brief
    assert (brief.name, brief.summary) == ("Shop", "Sell socks online")
    assert brief.languages == ["Python", "TypeScript"] and brief.integrations == ["Stripe"]


def test_design_prefers_a_full_brief(engine: StageAnswers) -> None:
    body = {"brief": samples.BRIEF.to_json_dict()}
    done = post("design.py", body).events[-1].data
    (task,) = engine.tasks
    assert isinstance(task, DesignInput) and task.brief == samples.BRIEF
    assert done["design"]["brief"] == samples.BRIEF.to_json_dict()


def test_design_with_review_streams_the_review_and_its_correction(engine: StageAnswers) -> None:
    plain = post("design.py").events[-1].data
    assert [f["rule"] for f in plain["review"]["findings"]] == ["brief_technology_missing"]  # Stripe
    assert plain["review"]["reviewer"] is False and plain["review"]["corrected"] is False
    assert [type(task).__name__ for task in engine.tasks] == ["DesignInput"]

    response = post("design.py", {**valid_body("design.py"), "review": True})
    done = response.events[-1].data
    assert [type(task).__name__ for task in engine.tasks[1:]] == ["DesignInput", "ReviewInput", "DesignInput"]
    review = done["review"]
    assert review["reviewer"] is True and review["corrected"] is True
    assert [f["source"] for f in review["findings"]] == ["rules", "reviewer"]
    assert review["findings"][1]["message"] == REVIEW_FINDING
    correction = engine.requests[-1].messages
    assert REVIEW_FINDING in correction[-1].content and "Stripe" in correction[-1].content
    tokens = "".join(e.data["content"] for e in response.events if e.event == "token")
    assert REVIEW_FINDING in tokens  # the reviewer's answer streams like any stage's
    assert done["usage"]["completionTokens"] > plain["usage"]["completionTokens"]


def test_artifacts_carry_the_review_and_the_usage(engine: StageAnswers) -> None:
    design_done = post("design.py").events[-1].data
    body = {
        **valid_body("artifacts.py"),
        "review": design_done["review"],
        "usage": {"total": {"promptTokens": 5, "completionTokens": 7, "cost": 0.01}, "units": []},
    }
    files = call(load_api_handler("artifacts.py"), "POST", "/api/artifacts?format=json", body).json()["files"]
    assert "Technology from the brief missing" in files["review.md"]
    document = json.loads(files["plan.json"])
    assert document["usage"]["total"]["cost"] == 0.01 and document["review"] == design_done["review"]


def test_detail_accepts_basic_plan_alias_and_announces_the_phase(engine: StageAnswers) -> None:
    body = {"basicPlan": samples.plan().to_json_dict(), "phaseNumber": 3, "projectName": "Todo API"}
    response = post("plan/detail.py", body)
    assert response.events[0].data == {"type": "start", "stage": "detail", "phase": 3}
    assert response.events[-1].data["phase"]["number"] == 3
    assert len(response.events[-1].data["phase"]["steps"]) == 2
    (task,) = engine.tasks
    assert isinstance(task, DetailInput) and (task.phase_number, task.plan_complete) == (3, True)


def test_detail_passes_on_that_the_plan_is_still_streaming(engine: StageAnswers) -> None:
    body = {"plan": samples.plan().to_json_dict(), "phaseNumber": 1, "planComplete": False}
    assert post("plan/detail.py", body).events[-1].event == "done"
    (task,) = engine.tasks
    assert isinstance(task, DetailInput) and task.plan_complete is False


def test_interview_done_carries_reply_and_brief_once_complete(engine: StageAnswers) -> None:
    done = post("interview.py").events[-1].data
    assert done["reply"] == "What should it do?" and done["complete"] is False and "brief" not in done
    engine.interview_complete = True
    done = post("interview.py").events[-1].data
    assert done["complete"] is True and done["brief"]["name"] == "TaskFlow"


def test_each_plan_phase_is_a_progress_event_as_soon_as_it_is_parsed(engine: StageAnswers) -> None:
    events = post("plan/basic.py").events
    progress = [e.data for e in events if e.event == "progress"]
    phases = [PhaseAnnounced(phase=phase).wire_json() for phase in samples.plan().phases]
    assert progress == phases
    assert progress[0] == {"type": "progress", "event": "phase", "phase": samples.phase(1).to_json_dict()}
    first = next(i for i, e in enumerate(events) if e.event == "progress")
    assert first < len(events) - 3  # phase 1 went out while the plan was still streaming


@pytest.mark.parametrize(
    ("error", "message", "code"),
    [
        (
            ProviderError("upstream timed out", code="provider_timeout"),
            "upstream timed out",
            "provider_timeout",
        ),
        (StageError("no phases found", raw_text="junk"), "no phases found", "parse_failed"),
        (
            RuntimeError("secret detail"),
            "the server hit an unexpected error; it has been logged",
            "internal_error",
        ),
    ],
)
def test_stage_failures_end_with_one_error_event(
    engine: StageAnswers, error: Exception, message: str, code: str
) -> None:
    engine.error = error
    events = post("design.py").events
    assert events[-1].data == {"type": "error", "error": message, "code": code}
    assert [e.event for e in events].count("error") == 1 and "done" not in [e.event for e in events]
    (task,) = engine.tasks
    assert [e.data["content"] for e in events if e.event == "token"] == engine.pieces_for(task)  # text kept


def test_a_client_that_goes_away_stops_the_stage(engine: StageAnswers) -> None:
    engine.words_per_chunk = 1
    post("design.py", fail_after_writes=4)  # status line+headers, start, two tokens, then the pipe breaks
    (task,) = engine.tasks
    assert engine.streamed < 5 < len(engine.pieces_for(task)) and engine.cancelled


# -- 4xx paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_file", [*SSE, "artifacts.py"])
def test_bad_json_is_400(api_file: str, engine: StageAnswers) -> None:
    assert_error(post(api_file, b'{"projectName": '), 400, "invalid_json")
    assert_error(post(api_file, b"\xff\xfe"), 400, "invalid_json")
    assert_error(post(api_file, b'{"x": NaN}'), 400, "invalid_json")
    assert_error(post(api_file, b""), 400, "invalid_json")


@pytest.mark.parametrize("api_file", [*SSE, "artifacts.py"])
def test_wrong_content_type_is_415(api_file: str, engine: StageAnswers) -> None:
    body = json.dumps(valid_body(api_file))
    assert_error(post(api_file, body, content_type="text/plain"), 415, "unsupported_media_type")
    assert_error(post(api_file, body, content_type=None), 415, "unsupported_media_type")
    assert post(api_file, body, content_type="application/json; charset=utf-8").status == 200


@pytest.mark.parametrize("api_file", [*SSE, "artifacts.py"])
def test_too_large_is_413(api_file: str, engine: StageAnswers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_MAX_BODY_BYTES", "200")
    assert_error(post(api_file, {"padding": "x" * 300}), 413, "body_too_large")


@pytest.mark.parametrize("api_file", [*SSE, "artifacts.py"])
def test_invalid_fields_are_422(api_file: str, engine: StageAnswers) -> None:
    assert_error(post(api_file, {}), 422, "invalid_request")
    assert_error(post(api_file, []), 422, "invalid_request")
    assert engine.requests == []


@pytest.mark.parametrize(
    ("api_file", "change"),
    [
        ("plan/detail.py", {"phaseNumber": "two"}),
        ("plan/detail.py", {"phaseNumber": 0}),
        ("design.py", {"requirements": ""}),
        ("interview.py", {"history": [{"role": "system", "content": "x"}]}),
        ("plan/basic.py", {"design": {"projectName": "x"}}),
        ("design.py", {"modelConfig": {"temperature": 9}}),
    ],
)
def test_field_errors_name_the_field(api_file: str, change: dict[str, Any], engine: StageAnswers) -> None:
    response = post(api_file, {**valid_body(api_file), **change})
    assert_error(response, 422, "invalid_request")
    assert next(iter(change)) in response.json()["error"]


def test_unknown_phase_is_404(engine: StageAnswers) -> None:
    response = post("plan/detail.py", {**valid_body("plan/detail.py"), "phaseNumber": 7})
    assert_error(response, 404, "unknown_phase")
    assert engine.requests == []


def test_model_not_offered_is_422(engine: StageAnswers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_MODELS", "small-model,big-model")
    body = {**valid_body("design.py"), "modelConfig": {"model": "gpt-unlimited"}}
    assert_error(post("design.py", body), 422, "model_not_offered")
    body["modelConfig"] = {"model": "big-model", "temperature": 0.2, "maxTokens": 100}
    assert post("design.py", body).status == 200
    (request,) = engine.requests
    assert (request.model, request.temperature, request.max_tokens) == ("big-model", 0.2, 100)


@pytest.mark.parametrize("api_file", [*SSE, "artifacts.py", "models.py", "health.py", "openapi.py"])
def test_token_is_required_when_configured(
    api_file: str, engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "s3cret-access-token"
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", token)
    method = "GET" if api_file in ("models.py", "health.py", "openapi.py") else "POST"
    path = SSE[api_file][0] if api_file in SSE else f"/api/{api_file.removesuffix('.py')}"
    body = valid_body(api_file) if method == "POST" else None
    handler = load_api_handler(api_file)
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": "Bearer"},
    ):
        response = call(handler, method, path, body, headers)
        assert_error(response, 401, "unauthorized")
        assert (
            response.header(
                "WWW-Authenticate",
            )
            == 'Bearer realm="devussy"'
        )
        assert token.encode() not in response.body
    ok = call(handler, method, path, body, {"Authorization": f"Bearer {token}"})
    assert ok.status == 200
    assert token.encode() not in ok.body


def test_wrong_method_is_405(engine: StageAnswers) -> None:
    response = call(load_api_handler("design.py"), "GET", "/api/design")
    assert_error(response, 405, "method_not_allowed")
    assert response.header("Allow") == "POST, OPTIONS"
    assert_error(call(load_api_handler("health.py"), "POST", "/api/health", {}), 405, "method_not_allowed")


# -- CORS -----------------------------------------------------------------------------------------------


def test_preflight_allows_same_origin_and_configured_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = load_api_handler("plan/detail.py")
    same = call(
        handler,
        "OPTIONS",
        "/api/plan/detail",
        headers={"Origin": "http://localhost", "Access-Control-Request-Method": "POST"},
    )
    assert same.status == 204
    assert same.header("Access-Control-Allow-Origin") == "http://localhost"
    assert "POST" in (same.header("Access-Control-Allow-Methods") or "")
    assert "Authorization" in (same.header("Access-Control-Allow-Headers") or "")
    assert_error(
        call(handler, "OPTIONS", "/api/plan/detail", headers={"Origin": "https://evil.example"}),
        403,
        "origin_not_allowed",
    )
    monkeypatch.setenv("DEVUSSY_ALLOWED_ORIGINS", "https://app.example, https://other.example")
    allowed = call(handler, "OPTIONS", "/api/plan/detail", headers={"Origin": "https://app.example"})
    assert allowed.header("Access-Control-Allow-Origin") == "https://app.example"
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", "tok-123456")  # preflights never carry the token
    assert (
        call(handler, "OPTIONS", "/api/plan/detail", headers={"Origin": "https://app.example"}).status == 204
    )


def test_cross_origin_calls_are_rejected_before_running_anything(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = post("design.py", headers={"Origin": "https://evil.example"})
    assert_error(response, 403, "origin_not_allowed")
    assert response.header("Access-Control-Allow-Origin") is None
    assert engine.requests == []
    monkeypatch.setenv("DEVUSSY_ALLOWED_ORIGINS", "*")
    response = post("design.py", headers={"Origin": "https://evil.example"})
    assert response.status == 200 and response.header("Access-Control-Allow-Origin") == "*"


def test_error_responses_carry_cors_headers_for_allowed_origins(engine: StageAnswers) -> None:
    response = post("design.py", b"{", headers={"Origin": "http://localhost"})
    assert response.status == 400 and response.header("Access-Control-Allow-Origin") == "http://localhost"


# -- JSON endpoints -------------------------------------------------------------------------------------


def test_health_has_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-shown")
    response = call(load_api_handler("health.py"), "GET", "/api/health")
    assert response.status == 200
    body = response.json()
    assert body["status"] == "ok" and body["provider"] == "openai" and body["version"]
    assert b"sk-test" not in response.body


def test_models_lists_what_the_server_offers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-shown")
    monkeypatch.setenv("DEVUSSY_MODEL", "gpt-small")
    monkeypatch.setenv("DEVUSSY_MODELS", "gpt-big")
    response = call(load_api_handler("models.py"), "GET", "/api/models")
    assert response.status == 200
    body = response.json()
    assert body["provider"] == "openai" and body["models"] == ["gpt-small", "gpt-big"]
    assert {p["name"] for p in body["providers"]} >= {"builtin", "openai", "anthropic"}
    assert b"sk-test" not in response.body


def test_models_offers_a_local_server_found_by_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import local
    from tests.fakes.openai_server import FakeOpenAIServer

    local.forget()
    with FakeOpenAIServer(models=("llama3.2", "mistral")) as server:
        monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "auto")
        monkeypatch.setenv("DEVUSSY_LOCAL_PORTS", f"ollama={server.base_url.rsplit(':', 1)[1].split('/')[0]}")
        body = call(load_api_handler("models.py"), "GET", "/api/models").json()
        monkeypatch.setenv("VERCEL", "1")  # the serverless host never probes
        local.forget()
        hosted = call(load_api_handler("models.py"), "GET", "/api/models").json()
    local.forget()
    assert body["provider"] == "local" and body["model"] == "llama3.2"
    assert body["models"] == ["llama3.2", "mistral"]
    entry = next(p for p in body["providers"] if p["name"] == "local")
    assert entry["usable"] is True and "found by probing" in entry["description"]
    assert hosted["provider"] == "builtin"


def test_openapi_is_served() -> None:
    response = call(load_api_handler("openapi.py"), "GET", "/api/openapi.json")
    assert response.status == 200 and response.json()["openapi"].startswith("3.1")


def test_artifacts_zip_and_json() -> None:
    handler = load_api_handler("artifacts.py")
    zipped = call(handler, "POST", "/api/artifacts", valid_body("artifacts.py"))
    assert zipped.status == 200 and zipped.header("Content-Type") == "application/zip"
    assert zipped.header("Content-Disposition") == 'attachment; filename="taskflow-devplan.zip"'
    names = zipfile.ZipFile(io.BytesIO(zipped.body)).namelist()
    assert "taskflow/devplan.md" in names and "taskflow/plan.json" in names
    as_json = call(handler, "POST", "/api/artifacts?format=json", {"plan": samples.plan().to_json_dict()})
    files = as_json.json()["files"]
    assert "devplan.md" in files and "handoff.md" not in files
    assert_error(
        call(handler, "POST", "/api/artifacts?format=pdf", valid_body("artifacts.py")), 422, "invalid_request"
    )


def test_a_handoff_starting_at_a_phase_no_plan_can_have_is_a_422() -> None:
    body = valid_body("artifacts.py")
    body["handoff"] = {**samples.handoff().to_json_dict(), "startPhase": 10**30}
    response = call(load_api_handler("artifacts.py"), "POST", "/api/artifacts", body)
    assert_error(response, 422, "invalid_request")
    assert "handoff.startPhase" in response.json()["error"]
