"""OpenAIProvider end to end against the real loopback server in tests/fakes (real sockets, real SSE)."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from devussy.config import Timeouts
from devussy.llm.openai import OpenAIProvider
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    cut_after,
    error_payload,
    malformed,
    rate_limit,
    server_error,
    stall,
    tokenize,
)
from tests.llm import Sleeps, chat, collect, text_of

TEXT = "one two three four five six seven eight nine ten eleven twelve"
TIMEOUTS = Timeouts(connect=2, first_token=3, idle=3)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(responder=lambda request: TEXT) as running:
        yield running


def provider_for(server: FakeOpenAIServer, sleeps: Sleeps | None = None, **options: object) -> OpenAIProvider:
    settings: dict[str, object] = {
        "base_url": server.base_url,
        "model": "fake-model",
        "timeouts": TIMEOUTS,
        "sleep": sleeps or Sleeps(),
        "learned": {},
    }
    settings.update(options)
    return OpenAIProvider(**settings)  # type: ignore[arg-type]


async def test_streams_every_token_in_order_with_usage(server: FakeOpenAIServer) -> None:
    deltas, error = await collect(provider_for(server, api_key="sk-local-123456"), chat("hello"))
    assert error is None
    assert [d.text for d in deltas[:-1]] == tokenize(TEXT)
    assert deltas[-1].usage is not None and deltas[-1].usage.completion_tokens == len(tokenize(TEXT))
    assert deltas[-1].finish_reason == "stop"
    (request,) = server.chat_requests()
    assert request.headers["Authorization"] == "Bearer sk-local-123456"
    assert request.body is not None and request.body["stream_options"] == {"include_usage": True}
    assert server.wait_for_completed(1, timeout=5)


async def test_429_with_retry_after_is_honoured_then_succeeds(server: FakeOpenAIServer) -> None:
    sleeps = Sleeps()
    server.add_fault(
        rate_limit(retry_after=2), rate_limit(retry_after=email.utils.formatdate(time.time() + 30))
    )
    deltas, error = await collect(provider_for(server, sleeps), chat("hello"))
    assert error is None and text_of(deltas) == TEXT
    assert len(server.chat_requests()) == 3
    assert sleeps.calls[0] == 2 and 25 <= sleeps.calls[1] <= 31


async def test_500_then_success(server: FakeOpenAIServer) -> None:
    server.add_fault(server_error(500), server_error(503))
    deltas, error = await collect(provider_for(server), chat("hello"))
    assert error is None and text_of(deltas) == TEXT and len(server.chat_requests()) == 3


async def test_persistent_500_gives_up_after_max_retries(server: FakeOpenAIServer) -> None:
    server.add_fault(*[server_error(502)] * 3)
    deltas, error = await collect(provider_for(server, max_retries=2), chat("hello"))
    assert deltas == [] and error is not None and error.code == "provider_unavailable"
    assert error.status == 502 and len(server.chat_requests()) == 3


async def test_cut_mid_stream_keeps_partial_text_and_is_not_retried(server: FakeOpenAIServer) -> None:
    server.add_fault(cut_after(4))
    deltas, error = await collect(provider_for(server), chat("hello"))
    assert text_of(deltas) == "".join(tokenize(TEXT)[:4])
    assert error is not None and error.code == "provider_interrupted"
    assert len(server.chat_requests()) == 1


async def test_cut_before_the_first_token_is_retried(server: FakeOpenAIServer) -> None:
    server.add_fault(cut_after(0))
    deltas, error = await collect(provider_for(server), chat("hello"))
    assert error is None and text_of(deltas) == TEXT and len(server.chat_requests()) == 2


async def test_stall_times_out_within_the_idle_limit(server: FakeOpenAIServer) -> None:
    server.add_fault(stall(30, after_chunks=3))
    provider = provider_for(server, timeouts=Timeouts(connect=2, first_token=3, idle=0.4))
    started = time.monotonic()
    deltas, error = await collect(provider, chat("hello"))
    elapsed = time.monotonic() - started
    assert text_of(deltas) == "".join(tokenize(TEXT)[:3])
    assert error is not None and error.code == "provider_timeout"
    assert elapsed < 15, "the idle timeout did not fire: the 30 s stall ran its course"
    assert await asyncio.to_thread(server.wait_for_disconnect, 5.0), "the stalled response was not closed"


async def test_stall_before_the_first_token_hits_the_first_token_timeout(server: FakeOpenAIServer) -> None:
    server.add_fault(stall(30, after_chunks=0))
    provider = provider_for(server, timeouts=Timeouts(connect=2, first_token=0.4, idle=5))
    started = time.monotonic()
    deltas, error = await collect(provider, chat("hello"))
    assert deltas == [] and error is not None and error.code == "provider_timeout"
    assert time.monotonic() - started < 15 and len(server.chat_requests()) == 1  # not the 30 s stall


async def test_malformed_chunk_is_a_bad_response(server: FakeOpenAIServer) -> None:
    server.add_fault(malformed(after_chunks=2))
    deltas, error = await collect(provider_for(server), chat("hello"))
    assert text_of(deltas) == "".join(tokenize(TEXT)[:2])
    assert error is not None and error.code == "provider_bad_response"


async def test_error_payload_mid_stream(server: FakeOpenAIServer) -> None:
    server.add_fault(error_payload(after_chunks=5, message="model crashed"))
    deltas, error = await collect(provider_for(server), chat("hello"))
    assert text_of(deltas) == "".join(tokenize(TEXT)[:5])
    assert error is not None and error.code == "provider_unavailable" and "model crashed" in error.message
    assert len(server.chat_requests()) == 1


async def test_closing_early_disconnects_upstream() -> None:
    # How fast is measured in bench/cancel_latency.py; here the 5 s bound only keeps a bug from hanging.
    with FakeOpenAIServer(responder=lambda request: "word " * 400, tokens_per_second=50) as server:
        async with aclosing(provider_for(server).stream(chat("hello"))) as stream:
            assert (await anext(stream)).text == "word "
        assert await asyncio.to_thread(server.wait_for_disconnect, 5.0)
        assert server.completed == 0


async def test_breaking_out_of_async_for_disconnects_upstream() -> None:
    with FakeOpenAIServer(responder=lambda request: "word " * 400, tokens_per_second=50) as server:
        seen = 0
        async for _delta in provider_for(server).stream(chat("hello")):
            seen += 1
            if seen == 3:
                break
        assert await asyncio.to_thread(server.wait_for_disconnect, 5.0)
        assert server.disconnects == 1


async def test_rule_fails_only_the_matching_request_once(server: FakeOpenAIServer) -> None:
    server.add_rule(r"phase 3\b", cut_after(0))
    provider = provider_for(server, max_retries=0)
    _, error = await collect(provider, chat("detail phase 3 please"))
    assert error is not None and error.code == "provider_interrupted"
    for prompt in ("detail phase 2", "detail phase 3 please"):
        deltas, error = await collect(provider, chat(prompt))
        assert error is None and text_of(deltas) == TEXT


async def test_server_without_stream_options_falls_back_and_remembers() -> None:
    with FakeOpenAIServer(responder=lambda request: TEXT, reject_stream_options=True) as server:
        provider = provider_for(server)
        for _ in range(2):
            deltas, error = await collect(provider, chat("hello"))
            assert error is None and text_of(deltas) == TEXT and deltas[-1].usage is None
        assert [r.body is not None and "stream_options" in r.body for r in server.chat_requests()] == [
            True,
            False,
            False,
        ]


async def test_a_rejected_key_is_never_quoted_back() -> None:
    key = "sk-wrong-9c1f2e3d4c5b6a7980"
    with FakeOpenAIServer(api_key="sk-right-000000000000") as server:
        deltas, error = await collect(provider_for(server, api_key=key), chat("hello"))
        assert deltas == [] and error is not None and error.code == "provider_auth"
        assert key not in str(error) and key not in repr(error) and "***" in error.message
        assert len(server.chat_requests()) == 1


async def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    provider = OpenAIProvider(
        base_url=f"http://127.0.0.1:{port}/v1", model="m", timeouts=TIMEOUTS, max_retries=2, sleep=sleeps
    )
    deltas, error = await collect(provider, chat("hello"))
    assert deltas == [] and error is not None and error.code == "provider_unavailable"
    assert len(sleeps.calls) == 2


async def test_concurrent_streams_do_not_mix(server: FakeOpenAIServer) -> None:
    server.responder = lambda request: " ".join(
        f"{request['messages'][-1]['content']}-{i}" for i in range(30)
    )
    provider = provider_for(server)
    results = await asyncio.gather(*(collect(provider, chat(f"r{n}")) for n in range(8)))
    for n, (deltas, error) in enumerate(results):
        assert error is None
        assert text_of(deltas) == " ".join(f"r{n}-{i}" for i in range(30))
