"""The endpoint functions: admission order, error mapping, the 500 guard and the SSE response.

The api/ handler files and the happy paths are covered in tests/api/test_handlers.py; this module
tests what ``devussy.web.endpoints`` itself decides.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from pydantic import SecretStr

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.models import ModelConfig
from devussy.pipeline.base import StageSettings
from devussy.web import endpoints, streams
from devussy.web.endpoints import Exchange
from devussy.web.errors import INTERNAL_ERROR_MESSAGE, HTTPError
from devussy.web.sse import HEARTBEAT_SECONDS
from devussy.web.wire import DesignDone, StartEvent
from tests import samples
from tests.web.helpers import FakeConnection, Response, _FakeServer, build_request, call, load_api_handler
from tests.web.mock_engine import StageAnswers

TOKEN = "tok-admission-123456"
SECRET = "sk-test-never-shown-123456"
DESIGN_BODY = {"projectName": "Todo API", "requirements": "A todo API"}


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.header("Content-Type") == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"error", "code"} and body["code"] == code
    return body


def post_design(body: Any = None, headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
    design = load_api_handler("design.py")
    return call(design, "POST", "/api/design", DESIGN_BODY if body is None else body, headers, **kwargs)


def detail_body(phase_number: int, **extra: Any) -> dict[str, Any]:
    return {"plan": samples.plan().to_json_dict(), "phaseNumber": phase_number, **extra}


# -- shared steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2.5", 2.5),
        ("", HEARTBEAT_SECONDS),
        ("soon", HEARTBEAT_SECONDS),
        ("0", HEARTBEAT_SECONDS),
        ("-3", HEARTBEAT_SECONDS),
    ],
)
def test_heartbeat_seconds_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, seconds: float
) -> None:
    monkeypatch.setenv("DEVUSSY_HEARTBEAT_SECONDS", value)
    assert streams.heartbeat_seconds() == seconds


def test_load_settings_turns_a_config_error_into_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "bogus")
    with pytest.raises(HTTPError) as info:
        endpoints.load_settings()
    assert (info.value.status, info.value.code) == (500, "config_error")
    assert info.value.message.startswith("server configuration error: DEVUSSY_PROVIDER='bogus'")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("model_not_offered", 422),
        ("provider_not_offered", 422),
        ("config_error", 500),
        ("provider_auth", 500),
    ],
)
def test_resolve_stage_settings_maps_codes_and_redacts(
    monkeypatch: pytest.MonkeyPatch, code: str, status: int
) -> None:
    def failing(settings: Settings, stage: str, model_config: ModelConfig | None = None) -> Any:
        raise ConfigError(f"cannot use key {SECRET} for {stage}", code=code)

    monkeypatch.setattr("devussy.pipeline.settings.stage_settings", failing)
    settings = Settings(provider="openai", openai_api_key=SecretStr(SECRET))
    with pytest.raises(HTTPError) as info:
        streams.resolve_stage_settings(settings, "design", None)
    assert (info.value.status, info.value.code) == (status, code)
    assert info.value.message == "cannot use key *** for design"


# -- admission order: settings → origin → token → body → validation → check → stage settings ---


def test_a_settings_error_is_a_500_json_before_anything_else(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "bogus")
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    response = post_design(b"{not json", {"Origin": "https://evil.example"})
    body = assert_error(response, 500, "config_error")
    assert "DEVUSSY_PROVIDER" in body["error"]
    assert response.header("Access-Control-Allow-Origin") is None
    assert engine.requests == []
    for api_file, method, path in [
        ("health.py", "GET", "/api/health"),
        ("design.py", "OPTIONS", "/api/design"),
    ]:
        assert_error(call(load_api_handler(api_file), method, path), 500, "config_error")


def test_origin_is_checked_before_the_token(engine: StageAnswers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    assert_error(post_design(headers={"Origin": "https://evil.example"}), 403, "origin_not_allowed")


def test_a_401_for_an_allowed_origin_carries_cors_headers(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without them the browser hides the 401 from the page, which then cannot ask for a token.
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    response = post_design(headers={"Origin": "http://localhost"})
    assert_error(response, 401, "unauthorized")
    assert response.header("Access-Control-Allow-Origin") == "http://localhost"
    assert response.header("WWW-Authenticate") == 'Bearer realm="devussy"'


def test_token_is_checked_before_the_body(engine: StageAnswers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("DEVUSSY_MAX_BODY_BYTES", "200")
    assert_error(post_design(b"{not json"), 401, "unauthorized")
    assert_error(post_design({"padding": "x" * 300}), 401, "unauthorized")
    assert_error(post_design(DESIGN_BODY, content_type="text/plain"), 401, "unauthorized")
    authorised = {"Authorization": f"Bearer {TOKEN}"}
    assert_error(post_design(b"{not json", authorised), 400, "invalid_json")


def test_token_is_checked_before_the_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    design = load_api_handler("design.py")
    assert_error(call(design, "GET", "/api/design"), 401, "unauthorized")
    wrong = call(design, "GET", "/api/design", headers={"Authorization": f"Bearer {TOKEN}"})
    assert_error(wrong, 405, "method_not_allowed")


def test_body_is_checked_before_validation(engine: StageAnswers) -> None:
    assert_error(post_design({}, content_type="text/plain"), 415, "unsupported_media_type")
    assert_error(post_design(b'{"projectName": 1'), 400, "invalid_json")
    assert_error(post_design({}), 422, "invalid_request")


def test_validation_then_phase_check_then_stage_settings(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVUSSY_MODELS", "small-model")
    detail = load_api_handler("plan/detail.py")
    unoffered = {"modelConfig": {"model": "gpt-unlimited"}}
    assert_error(
        call(detail, "POST", "/api/plan/detail", detail_body(0, **unoffered)), 422, "invalid_request"
    )
    assert_error(call(detail, "POST", "/api/plan/detail", detail_body(7, **unoffered)), 404, "unknown_phase")
    assert_error(
        call(detail, "POST", "/api/plan/detail", detail_body(2, **unoffered)), 422, "model_not_offered"
    )
    assert engine.requests == []


# -- serve_stage and stream -----------------------------------------------------------------------


def handler_running(endpoint: Callable[[Exchange], Any]) -> type[BaseHTTPRequestHandler]:
    """A request handler that answers every request with ``endpoint`` (as the route table does)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            endpoints.answer(self, endpoint)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def test_serve_stage_uses_the_stage_settings_factory_it_is_given(engine: StageAnswers) -> None:
    seen: list[tuple[str, ModelConfig | None]] = []

    def factory(settings: Settings, stage: str, model_config: ModelConfig | None) -> StageSettings:
        seen.append((stage, model_config))
        return StageSettings(provider=engine.provider, model="resolved-model")

    handler = handler_running(lambda exchange: streams.serve_stage(exchange, streams.BASIC_PLAN, factory))
    body = {"design": samples.design().to_json_dict(), "modelConfig": {"temperature": 0.5}}
    response = call(handler, "POST", "/api/plan/basic", body)
    assert response.status == 200
    assert response.events[0].data == {"type": "start", "stage": "plan"}
    assert seen == [("basic_plan", ModelConfig(temperature=0.5))]
    assert [(r.task.stage if r.task else None, r.model) for r in engine.requests] == [
        ("basic_plan", "resolved-model")
    ]


def test_stream_ends_with_an_error_event_when_the_machinery_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from devussy.web import sse

    async def broken_run_stage(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("event loop trouble")

    async def work(sink: Any) -> DesignDone:
        raise AssertionError("never run")

    monkeypatch.setattr(sse, "run_stage", broken_run_stage)
    outcomes: list[str] = []

    def streaming(exchange: Exchange) -> None:
        exchange.cors = {"X-Cors": "1"}
        outcomes.append(streams.stream(exchange, StartEvent(stage="design"), work, secrets=[]))

    handler = handler_running(streaming)
    with caplog.at_level(logging.ERROR, logger="devussy.web"):
        response = call(handler, "POST", "/api/design", {})
    assert outcomes == ["error"]
    assert response.status == 200 and response.header("X-Cors") == "1"
    assert response.header("Content-Type") == "text/event-stream; charset=utf-8"
    assert [e.data for e in response.events] == [
        {"type": "start", "stage": "design"},
        {"type": "error", "error": INTERNAL_ERROR_MESSAGE, "code": "internal_error"},
    ]
    assert "streaming /api/design failed" in caplog.text


def test_stream_to_a_client_that_is_already_gone_runs_nothing() -> None:
    ran: list[bool] = []
    outcomes: list[str] = []

    async def work(sink: Any) -> DesignDone:
        ran.append(True)
        raise AssertionError("never run")

    def streaming(exchange: Exchange) -> None:
        outcomes.append(streams.stream(exchange, StartEvent(stage="design"), work, secrets=[]))

    handler = handler_running(streaming)
    connection = FakeConnection(build_request("POST", "/api/design", {}), fail_after_writes=0)
    handler(connection, ("127.0.0.1", 50000), _FakeServer())  # type: ignore[arg-type]
    assert outcomes == ["disconnected"] and ran == []


# -- answer: the guard around every endpoint ------------------------------------------------------


def _exploding(exchange: Exchange) -> None:
    endpoints.admit(exchange)
    raise RuntimeError(f"lookup failed with key {SECRET}")


def _refusing(exchange: Exchange) -> None:
    endpoints.admit(exchange)
    raise HTTPError(409, "already running", "conflict", headers={"Retry-After": "3"})


def test_unexpected_exceptions_become_a_logged_500_without_details(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with caplog.at_level(logging.ERROR, logger="devussy.web"):
        response = call(
            handler_running(_exploding), "GET", "/api/thing", headers={"Origin": "http://localhost"}
        )
    body = assert_error(response, 500, "internal_error")
    assert body["error"] == INTERNAL_ERROR_MESSAGE
    assert SECRET.encode() not in response.body and b"Traceback" not in response.body
    assert response.header("Access-Control-Allow-Origin") == "http://localhost"  # admission had passed
    assert "GET /api/thing failed" in caplog.text and "RuntimeError" in caplog.text


def test_unexpected_exceptions_are_logged_without_secrets(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with caplog.at_level(logging.ERROR, logger="devussy.web"):
        call(handler_running(_exploding), "GET", "/api/thing")
    assert "RuntimeError" in caplog.text
    assert SECRET not in caplog.text


def test_http_errors_keep_their_status_and_headers() -> None:
    response = call(handler_running(_refusing), "GET", "/api/thing")
    assert assert_error(response, 409, "conflict") == {"error": "already running", "code": "conflict"}
    assert response.header("Retry-After") == "3"


class RecordingInput(io.BytesIO):
    """Request bytes that remember how far the handler had read when it closed them."""

    position_at_close = -1

    def close(self) -> None:
        if not self.closed:
            self.position_at_close = self.tell()
        super().close()


def unread_after(body: dict[str, Any]) -> tuple[int, bytes]:
    """Run ``_refusing`` on a POST with ``body``; bytes left unread, and the status line."""
    raw = build_request("POST", "/api/thing", body)
    connection = FakeConnection(raw)
    connection._rfile = RecordingInput(raw)
    handler_running(_refusing)(connection, ("127.0.0.1", 50000), _FakeServer())  # type: ignore[arg-type]
    return len(raw) - connection._rfile.position_at_close, bytes(connection.sent).split(b"\r\n")[0]


def test_an_early_error_drains_a_small_unread_body(monkeypatch: pytest.MonkeyPatch) -> None:
    # Closing a socket with unread input can reset it before the client has read the error.
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("DEVUSSY_MAX_BODY_BYTES", "200")
    assert unread_after({"padding": "x" * 50}) == (0, b"HTTP/1.0 401 Unauthorized")
    large = {"padding": "x" * 300}
    unread, status = unread_after(large)
    assert status == b"HTTP/1.0 401 Unauthorized"
    assert unread == len(json.dumps(large))  # too large to be worth reading: left alone
