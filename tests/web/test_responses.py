"""Response bodies (the SSE ``done`` events) and the helpers that write JSON/bytes responses."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from devussy.models import Requirement, Usage
from devussy.requirements import check_coverage
from devussy.web.errors import HTTPError
from devussy.web.responses import send_bytes, send_error, send_json
from devussy.web.wire import DesignDone, HandoffDone, InterviewDone, PhaseDone, PlanDone
from tests import samples
from tests.web.helpers import FakeConnection, _FakeServer, build_request, call

USAGE = Usage(prompt_tokens=12, completion_tokens=34)
USAGE_JSON = {"promptTokens": 12, "completionTokens": 34, "cost": None}


# -- done events ----------------------------------------------------------------------------------


REQUIREMENTS = [Requirement(id="R1", text="Track tasks")]
COVERAGE = check_coverage(samples.plan())


@pytest.mark.parametrize(
    ("event", "values"),
    [
        (
            DesignDone(design=samples.design(), requirements=REQUIREMENTS, usage=USAGE),
            {"design": samples.design().to_json_dict(), "requirements": [REQUIREMENTS[0].to_json_dict()]},
        ),
        (
            PlanDone(plan=samples.plan(), coverage=COVERAGE, usage=USAGE),
            {"plan": samples.plan().to_json_dict(), "coverage": COVERAGE.to_json_dict()},
        ),
        (
            PhaseDone(phase=samples.phase(2, steps=2), requirements=[], coverage=COVERAGE, usage=USAGE),
            {
                "phase": samples.phase(2, steps=2).to_json_dict(),
                "requirements": [],
                "coverage": COVERAGE.to_json_dict(),
            },
        ),
        (HandoffDone(handoff=samples.handoff(), usage=USAGE), {"handoff": samples.handoff().to_json_dict()}),
    ],
)
def test_done_event_of_each_stage(event: Any, values: dict[str, Any]) -> None:
    payload = event.wire_json()
    assert payload == {"type": "done", "done": True, "usage": USAGE_JSON, **values}
    assert type(event).model_validate(payload) == event  # what the client reads back


def test_done_event_leaves_out_top_level_nulls_only() -> None:
    pending = InterviewDone(reply="Which language?", complete=False, usage=USAGE).wire_json()
    assert pending == {
        "type": "done",
        "done": True,
        "usage": USAGE_JSON,
        "reply": "Which language?",
        "complete": False,
    }
    finished = InterviewDone(reply="Thanks", complete=True, brief=samples.BRIEF, usage=USAGE).wire_json()
    assert finished["complete"] is True and finished["brief"]["name"] == "TaskFlow"
    assert finished["brief"]["deployment"] is None  # nested nulls are part of the model's shape
    design = DesignDone(design=samples.design(), requirements=[], usage=USAGE).wire_json()["design"]
    assert "complexity" in design and design["complexity"] is None


def test_done_event_is_camel_case_json() -> None:
    event = PhaseDone(phase=samples.phase(3, steps=1), requirements=[], coverage=COVERAGE, usage=USAGE)
    payload = event.wire_json()
    step = payload["phase"]["steps"][0]
    assert {"acceptanceCriteria", "testCommand", "dependsOn"} <= set(step)
    assert payload["phase"]["dependsOn"] == [2]
    assert json.loads(json.dumps(payload)) == payload


# -- writing --------------------------------------------------------------------------------------


def handler_sending(send: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            send(self)

        do_HEAD = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def test_send_json_writes_compact_utf8_json_with_safe_headers() -> None:
    body = {"status": "ok", "note": "naïve ✓", "items": [1, 2]}
    response = call(handler_sending(lambda h: send_json(h, 201, body, {"X-Extra": "yes"})), "GET", "/x")
    assert response.status == 201
    assert response.body == '{"status":"ok","note":"naïve ✓","items":[1,2]}'.encode()
    assert response.json() == body
    assert response.header("Content-Type") == "application/json; charset=utf-8"
    assert response.header("Content-Length") == str(len(response.body))
    assert response.header("Cache-Control") == "no-store"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("X-Extra") == "yes"


def test_send_bytes_sends_the_content_type_given() -> None:
    data = b"PK\x03\x04 not really a zip"
    handler = handler_sending(
        lambda h: send_bytes(h, 200, data, "application/zip", {"Content-Disposition": "x"})
    )
    response = call(handler, "GET", "/x")
    assert (response.status, response.body) == (200, data)
    assert response.header("Content-Type") == "application/zip"
    assert response.header("Content-Length") == str(len(data))
    assert response.header("Content-Disposition") == "x"


def test_head_gets_the_headers_without_the_body() -> None:
    response = call(handler_sending(lambda h: send_json(h, 200, {"status": "ok"})), "HEAD", "/x")
    assert response.status == 200 and response.body == b""
    assert response.header("Content-Length") == str(len(b'{"status":"ok"}'))


def test_send_error_merges_the_errors_own_headers_over_the_given_ones() -> None:
    error = HTTPError(
        401, "the access token is not valid", "unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )
    cors = {"Access-Control-Allow-Origin": "https://app.example", "WWW-Authenticate": "overridden"}
    response = call(handler_sending(lambda h: send_error(h, error, cors)), "GET", "/x")
    assert response.status == 401
    assert response.json() == {"error": "the access token is not valid", "code": "unauthorized"}
    assert response.header("WWW-Authenticate") == "Bearer"
    assert response.header("Access-Control-Allow-Origin") == "https://app.example"


def test_a_client_that_went_away_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    connection = FakeConnection(build_request("GET", "/x"), fail_after_writes=0)
    handler = handler_sending(lambda h: send_json(h, 200, {"status": "ok"}))
    with caplog.at_level(logging.INFO, logger="devussy.web"):
        handler(connection, ("127.0.0.1", 50000), _FakeServer())  # type: ignore[arg-type]
    assert bytes(connection.sent) == b""
    assert "client went away before the response was written" in caplog.text
