"""The loopback test double itself: wire format, faults, recording, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.openai_server import FakeOpenAIServer, cut_after, rate_limit, server_error, stall, tokenize

ROOT = Path(__file__).resolve().parents[2]


@given(st.text())
def test_tokenize_is_lossless(text: str) -> None:
    assert "".join(tokenize(text)) == text
    assert all(token for token in tokenize(text))


def data_lines(body: str) -> list[str]:
    return [line.removeprefix("data: ") for line in body.splitlines() if line.startswith("data: ")]


def test_streaming_wire_format() -> None:
    with FakeOpenAIServer(responder=lambda request: "a b c") as server:
        body = {"model": "m", "stream": True, "stream_options": {"include_usage": True},
                "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
        response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = data_lines(response.text)
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert [c["choices"][0]["delta"]["content"] for c in chunks[1:4]] == ["a ", "b ", "c"]
    assert chunks[4]["choices"][0]["finish_reason"] == "stop"
    assert chunks[5]["choices"] == [] and chunks[5]["usage"]["completion_tokens"] == 3


def test_non_stream_completion_models_and_404() -> None:
    with FakeOpenAIServer(responder=lambda request: "whole", models=("m1", "m2")) as server:
        body = {"model": "m1", "messages": [{"role": "user", "content": "hi"}]}
        completion = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=5).json()
        models = httpx.get(f"{server.base_url}/models", timeout=5).json()
        missing = httpx.get(f"{server.base_url}/nothing", timeout=5)
        bad = httpx.post(f"{server.base_url}/chat/completions", content=b"{", timeout=5)
    assert completion["choices"][0]["message"]["content"] == "whole"
    assert [m["id"] for m in models["data"]] == ["m1", "m2"]
    assert missing.status_code == 404 and bad.status_code == 400
    assert len(server.requests) == 4


def test_fault_queue_and_rules_are_consumed_in_order() -> None:
    with FakeOpenAIServer() as server:
        server.add_fault(rate_limit(retry_after=3), server_error(503))
        server.add_rule("special", server_error(502), times=2)

        def post(prompt: str) -> httpx.Response:
            body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": prompt}]}
            return httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=5)

        first = post("plain")
        assert first.status_code == 429 and first.headers["retry-after"] == "3"
        assert post("special one").status_code == 502  # rules win over the queue
        assert post("plain").status_code == 503
        assert post("special two").status_code == 502
        assert post("special three").status_code == 200
        assert post("plain").status_code == 200
    assert [r.fault.kind if r.fault else None for r in server.chat_requests()] == [
        "rate_limit", "server_error", "server_error", "server_error", None, None]  # fmt: skip


def test_cut_closes_the_connection_without_done() -> None:
    with FakeOpenAIServer(responder=lambda request: "a b c d") as server:
        server.add_fault(cut_after(2))
        body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}
        received = []
        try:
            with httpx.stream(
                "POST", f"{server.base_url}/chat/completions", json=body, timeout=5
            ) as response:
                for line in response.iter_lines():
                    received.append(line)
        except httpx.RemoteProtocolError:
            pass
        else:
            raise AssertionError("the cut body should not end cleanly")
    assert "data: [DONE]" not in received
    assert len(data_lines("\n".join(received))) == 3  # role chunk + 2 content chunks


def test_disconnect_during_a_stall_is_noticed_promptly() -> None:
    with FakeOpenAIServer(responder=lambda request: "a b c") as server:
        server.add_fault(stall(30, after_chunks=1))
        body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}
        with httpx.stream("POST", f"{server.base_url}/chat/completions", json=body, timeout=5) as response:
            next(response.iter_lines())
        assert server.wait_for_disconnect(5)  # well before the 30 s stall ends


def shout(request: dict[str, object]) -> str:
    """A responder for the CLI test (``--responder tests.fakes.test_openai_server:shout``)."""
    return "LOUD REPLY"


def test_cli_prints_ready_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "tests.fakes.openai_server", "--port", "0", "--tokens-per-second", "500",
               "--fail-once-matching", "boom", "--fault", "500",
               "--responder", "tests.fakes.test_openai_server:shout"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("READY http://127.0.0.1:") and line.endswith("/v1")
        base_url = line.removeprefix("READY ")
        body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "boom"}]}
        assert httpx.post(f"{base_url}/chat/completions", json=body, timeout=5).status_code == 500
        again = httpx.post(f"{base_url}/chat/completions", json=body, timeout=5)
        assert again.status_code == 200 and "[DONE]" in again.text
        chunks = [json.loads(line) for line in data_lines(again.text)[1:3]]
        assert [chunk["choices"][0]["delta"]["content"] for chunk in chunks] == ["LOUD ", "REPLY"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_custom_tokenizer() -> None:
    halves = FakeOpenAIServer(responder=lambda request: "abcdef", tokenizer=lambda text: [text[:2], text[2:]])
    with halves as server:
        body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}
        response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=5)
    chunks = [json.loads(line) for line in data_lines(response.text)[1:3]]
    assert [chunk["choices"][0]["delta"]["content"] for chunk in chunks] == ["ab", "cdef"]
