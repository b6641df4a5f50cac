"""Upstream faults from a real loopback OpenAI-compatible server, seen through the dev server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import samples
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Fault,
    cut_after,
    malformed,
    rate_limit,
    server_error,
    stall,
)
from tests.web.helpers import http_call, running_dev_server, stream_until_first_token

DETAIL = {"plan": samples.plan().to_json_dict(), "phaseNumber": 2, "projectName": "Todo API"}
LONG_TEXT = " ".join(f"word{i}" for i in range(400))


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(responder=lambda request: LONG_TEXT, tokens_per_second=200) as server:
        monkeypatch.setenv("DEVUSSY_PROVIDER", "openai")
        monkeypatch.setenv("DEVUSSY_BASE_URL", server.base_url)
        monkeypatch.setenv("DEVUSSY_MODEL", "fake-model")
        monkeypatch.setenv("DEVUSSY_MAX_RETRIES", "0")
        monkeypatch.setenv("DEVUSSY_IDLE_TIMEOUT", "0.5")
        monkeypatch.setenv("DEVUSSY_FIRST_TOKEN_TIMEOUT", "2")
        yield server


@pytest.fixture
def port() -> Iterator[int]:
    with running_dev_server() as dev_port:
        yield dev_port


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (server_error(500), "provider_unavailable"),
        (rate_limit(1), "provider_rate_limited"),
        (cut_after(3), "provider_interrupted"),
        (malformed(2), "provider_bad_response"),
        (stall(5, after_chunks=2), "provider_timeout"),
    ],
    ids=["500", "429", "cut", "malformed", "stall"],
)
def test_faults_end_the_stream_with_a_stable_code(
    upstream: FakeOpenAIServer, port: int, fault: Fault, code: str
) -> None:
    upstream.add_fault(fault)
    response = http_call(port, "POST", "/api/plan/detail", DETAIL, timeout=20)
    assert response.status == 200
    events = response.events
    assert events[-1].event == "error" and events[-1].data["code"] == code, events[-1].data
    assert [e.event for e in events].count("error") == 1 and "done" not in [e.event for e in events]


def test_a_rejected_key_is_never_echoed(
    upstream: FakeOpenAIServer, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream.api_key = "sk-the-right-key"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-0123456789")
    response = http_call(port, "POST", "/api/plan/detail", DETAIL, timeout=20)
    assert response.events[-1].data["code"] == "provider_auth"
    assert b"sk-wrong-key" not in response.body and b"sk-the-right" not in response.body


@pytest.mark.parametrize("silent", [False, True], ids=["while-streaming", "while-upstream-is-silent"])
def test_client_disconnect_closes_the_upstream_request(
    upstream: FakeOpenAIServer, port: int, monkeypatch: pytest.MonkeyPatch, silent: bool
) -> None:
    monkeypatch.setenv("DEVUSSY_IDLE_TIMEOUT", "30")
    upstream.tokens_per_second = 20
    if silent:
        upstream.add_fault(stall(20, after_chunks=1))
    sock = stream_until_first_token(port, "/api/plan/detail", DETAIL)
    sock.close()
    # bench/cancel_latency.py measures how fast; the bound here only stops a bug from hanging the suite.
    assert upstream.wait_for_disconnect(5.0), "the upstream request was not cancelled"
    assert upstream.completed == 0
