"""OpenAIProvider in-process: recorded-style transcripts through httpx.MockTransport."""

from __future__ import annotations

import json
from contextlib import aclosing

import httpx
import pytest
from pydantic import SecretStr

from devussy.config import Timeouts
from devussy.errors import ConfigError
from devussy.llm.base import Capabilities, ChatDelta
from devussy.llm.openai import OpenAIProvider
from devussy.models import Usage
from tests.llm import ScriptedStream, Sleeps, Upstream, chat, collect, json_response, sse, text_of, transcript

KEY = "sk-test-Zx81Qq0pLmNo5566aabbccdd"
FAST = Timeouts(connect=2, first_token=2, idle=2)


def make(upstream: Upstream, **options: object) -> OpenAIProvider:
    settings: dict[str, object] = {
        "api_key": KEY,
        "base_url": "https://llm.example.test/v1",
        "model": "gpt-test",
        "timeouts": FAST,
        "transport": upstream.transport,
        "sleep": Sleeps(),
        "learned": {},
    }
    settings.update(options)
    return OpenAIProvider(**settings)  # type: ignore[arg-type]


async def test_streams_text_then_usage_and_finish_reason() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    deltas, error = await collect(make(upstream), chat("Plan it", system="You plan."))

    assert error is None
    assert [d.text for d in deltas[:-1]] == ["Phase", " 1:", " Set up the repo", " ✓\n"]
    assert deltas[-1] == ChatDelta(usage=Usage(prompt_tokens=31, completion_tokens=7), finish_reason="stop")

    request = upstream.requests[0]
    assert str(request.url) == "https://llm.example.test/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "text/event-stream"
    assert upstream.body() == {
        "model": "gpt-test",
        "messages": [{"role": "system", "content": "You plan."}, {"role": "user", "content": "Plan it"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_ignores_reasoning_comments_and_null_content_with_crlf_framing() -> None:
    upstream = Upstream([sse(transcript("openai_reasoning_crlf_no_usage.sse"))])
    deltas, error = await collect(make(upstream), chat("hi"))

    assert error is None
    assert [d.text for d in deltas] == ["Two phases.", ""]
    assert deltas[-1].finish_reason == "length" and deltas[-1].usage is None


async def test_request_options_are_passed_through() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    provider = make(upstream, capabilities=Capabilities(json_schema=True, usage_in_stream=False))
    schema = {"name": "plan", "schema": {"type": "object"}}
    await collect(
        provider, chat("x", model="other-model", temperature=0.2, max_tokens=300, json_schema=schema)
    )

    body = upstream.body()
    assert body["model"] == "other-model"
    assert body["temperature"] == 0.2 and body["max_tokens"] == 300
    assert body["response_format"] == {"type": "json_schema", "json_schema": schema}
    assert "stream_options" not in body


async def test_json_schema_is_not_sent_without_the_capability() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    await collect(make(upstream), chat("x", json_schema={"name": "plan", "schema": {}}))
    assert "response_format" not in upstream.body()


async def test_a_server_refusing_the_schema_is_remembered_and_not_asked_again() -> None:
    refusal = {"error": {"message": "response_format json_schema is not supported", "type": "invalid"}}
    learned: dict[str, set[str]] = {}
    upstream = Upstream([json_response(400, refusal), sse(transcript("openai_stream_with_usage.sse"))])
    ollama = "http://127.0.0.1:11434/v1"  # known to take a schema
    provider = make(upstream, base_url=ollama, learned=learned)
    assert provider.capabilities.json_schema is True
    schema = {"name": "design", "schema": {"type": "object"}}
    _, error = await collect(provider, chat("x", json_schema=schema))

    assert error is not None and error.code == "structured_output_refused" and error.status == 400
    assert len(upstream.requests) == 1  # not retried without the schema: that would answer markdown
    assert provider.capabilities.json_schema is False
    assert make(upstream, base_url=ollama, learned=learned).capabilities.json_schema is False
    assert make(upstream, base_url=ollama, learned={}).capabilities.json_schema is True
    _, error = await collect(provider, chat("x", json_schema=schema))
    assert error is None and "response_format" not in upstream.body()


async def test_cost_reported_by_the_service_is_kept() -> None:
    chunk = {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4, "cost": 0.0012}}
    body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    deltas, error = await collect(make(Upstream([sse(body)])), chat("x"))
    assert error is None
    assert deltas[-1].usage == Usage(prompt_tokens=3, completion_tokens=4, cost=0.0012)


async def test_known_host_capabilities_come_from_a_table_not_a_branch() -> None:
    assert OpenAIProvider(api_key=KEY, model="m").capabilities.json_schema is True
    ollama = OpenAIProvider(base_url="http://localhost:11434/v1", model="llama3.2", learned={})
    assert ollama.capabilities.json_schema is True and ollama.capabilities.usage_in_stream is True
    elsewhere = OpenAIProvider(base_url="http://localhost:9999/v1", model="llama3.2", learned={})
    assert elsewhere.capabilities.json_schema is False and elsewhere.capabilities.usage_in_stream is True
    remote = OpenAIProvider(base_url="https://llm.example.test:11434/v1", model="m", learned={})
    assert remote.capabilities.json_schema is False  # the port alone says nothing off this machine


async def test_error_payload_mid_stream_keeps_partial_text_and_is_not_retried() -> None:
    upstream = Upstream([sse(transcript("openai_error_midstream.sse"))])
    deltas, error = await collect(make(upstream), chat("x"))

    assert text_of(deltas) == "Partial answer"
    assert error is not None and error.code == "provider_unavailable"
    assert "upstream connection reset" in error.message
    assert len(upstream.requests) == 1


async def test_malformed_chunk_is_a_bad_response() -> None:
    upstream = Upstream([sse(transcript("openai_malformed.sse"))])
    deltas, error = await collect(make(upstream), chat("x"))

    assert text_of(deltas) == "Hello"
    assert error is not None and error.code == "provider_bad_response"


async def test_malformed_first_chunk_is_not_retried() -> None:
    upstream = Upstream([sse([b"data: <html>oops</html>\n\n"])])
    deltas, error = await collect(make(upstream), chat("x"))
    assert deltas == [] and error is not None and error.code == "provider_bad_response"
    assert len(upstream.requests) == 1


async def test_stream_cut_before_any_token_is_retried() -> None:
    cut = sse([b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n'])
    sleeps = Sleeps()
    upstream = Upstream([cut, sse(transcript("openai_stream_with_usage.sse"))])
    deltas, error = await collect(make(upstream, sleep=sleeps), chat("x"))

    assert error is None and text_of(deltas) == "Phase 1: Set up the repo ✓\n"
    assert len(upstream.requests) == 2 and len(sleeps.calls) == 1


async def test_stream_cut_after_tokens_is_interrupted_with_partial_text() -> None:
    pieces = [b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n', httpx.ReadError("connection reset")]
    upstream = Upstream([sse(pieces)])
    deltas, error = await collect(make(upstream), chat("x"))

    assert text_of(deltas) == "Hel"
    assert error is not None and error.code == "provider_interrupted"
    assert len(upstream.requests) == 1


async def test_finish_reason_without_done_counts_as_complete() -> None:
    pieces = [
        b'data: {"choices":[{"delta":{"content":"ok"}}]}\n\n',
        b'data: {"choices":[{"delta":{},"finish_reason":"stop"}],'
        b'"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\n',
    ]
    deltas, error = await collect(make(Upstream([sse(pieces)])), chat("x"))
    assert error is None
    assert deltas == [
        ChatDelta(text="ok"),
        ChatDelta(usage=Usage(prompt_tokens=3, completion_tokens=1), finish_reason="stop"),
    ]


async def test_rejected_stream_options_are_dropped_once_and_remembered() -> None:
    rejection = json_response(
        400, {"error": {"message": "Unrecognized request argument supplied: stream_options"}}
    )
    upstream = Upstream(
        [
            rejection,
            sse(transcript("openai_stream_with_usage.sse")),
            sse(transcript("openai_stream_with_usage.sse")),
        ]
    )
    learned: dict[str, set[str]] = {}
    provider = make(upstream, learned=learned)

    deltas, error = await collect(provider, chat("x"))
    assert error is None and text_of(deltas).startswith("Phase 1")
    assert "stream_options" in json.loads(upstream.requests[0].content)
    assert "stream_options" not in json.loads(upstream.requests[1].content)

    await collect(provider, chat("again"))
    assert "stream_options" not in upstream.body()
    assert learned == {"https://llm.example.test/v1": {"stream_options"}}


async def test_max_tokens_switches_to_max_completion_tokens_when_the_server_asks() -> None:
    message = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens'."
    )
    upstream = Upstream(
        [json_response(400, {"error": {"message": message}}), sse(transcript("openai_stream_with_usage.sse"))]
    )
    _deltas, error = await collect(make(upstream), chat("x", max_tokens=50))

    assert error is None
    assert upstream.body()["max_completion_tokens"] == 50 and "max_tokens" not in upstream.body()


async def test_a_400_that_is_not_about_options_is_a_bad_request() -> None:
    provider = make(
        Upstream([json_response(400, {"error": {"message": "messages: too long"}})]),
        capabilities=Capabilities(usage_in_stream=False),
    )
    deltas, error = await collect(provider, chat("x"))
    assert deltas == [] and error is not None and error.code == "provider_bad_request"
    assert "too long" in error.message


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "provider_auth"),
        (403, "provider_auth"),
        (404, "provider_bad_request"),
        (422, "provider_bad_request"),
    ],
)
async def test_client_errors_are_not_retried(status: int, code: str) -> None:
    upstream = Upstream([json_response(status, {"error": {"message": "nope"}})])
    deltas, error = await collect(make(upstream, capabilities=Capabilities()), chat("x"))
    assert deltas == [] and error is not None and error.code == code
    assert len(upstream.requests) == 1


async def test_the_key_never_appears_in_errors_or_repr() -> None:
    echo = json_response(
        401, {"error": {"message": f"Incorrect API key provided: {KEY}. Also sk-other-123456789."}}
    )
    provider = make(Upstream([echo]), base_url="https://user:hunter2secret@llm.example.test/v1")
    _deltas, error = await collect(provider, chat("x"))

    assert error is not None and error.code == "provider_auth"
    shown = f"{error} {error.message} {error!r} {provider!r} {provider._api_key!r}"
    assert KEY not in shown and "hunter2secret" not in shown and "sk-other-123456789" not in shown
    assert "Incorrect API key provided: ***" in error.message


async def test_a_model_is_required() -> None:
    provider = OpenAIProvider(base_url="http://localhost:1234/v1", transport=Upstream([]).transport)
    _deltas, error = await collect(provider, chat("x"))
    assert isinstance(error, ConfigError) and "DEVUSSY_MODEL" in error.message


async def test_no_key_means_no_authorization_header() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    await collect(make(upstream, api_key=None), chat("x"))
    assert "authorization" not in upstream.requests[0].headers


async def test_secret_str_key_is_accepted() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    await collect(make(upstream, api_key=SecretStr(KEY)), chat("x"))
    assert upstream.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_a_json_completion_is_accepted_when_the_server_ignores_stream() -> None:
    completion = {
        "choices": [{"message": {"role": "assistant", "content": "whole answer"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 2},
    }
    deltas, error = await collect(make(Upstream([json_response(200, completion)])), chat("x"))
    assert error is None
    assert deltas == [
        ChatDelta(text="whole answer"),
        ChatDelta(usage=Usage(prompt_tokens=4, completion_tokens=2), finish_reason="stop"),
    ]


async def test_an_html_page_is_a_bad_response() -> None:
    page = httpx.Response(200, headers={"content-type": "text/html"}, text="<html>captive portal</html>")
    _deltas, error = await collect(make(Upstream([page])), chat("x"))
    assert error is not None and error.code == "provider_bad_response"


async def test_invalid_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DEVUSSY_BASE_URL"):
        OpenAIProvider(base_url="localhost:11434", model="m")


async def test_closing_the_iterator_closes_the_response() -> None:
    body = ScriptedStream([b'data: {"choices":[{"delta":{"content":"a"}}]}\n\n', 30.0, b"data: [DONE]\n\n"])
    upstream = Upstream([httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)])
    async with aclosing(make(upstream).stream(chat("x"))) as stream:
        first = await anext(stream)
        assert first.text == "a"
    assert body.closed


async def test_url_credentials_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    provider = make(upstream, base_url="https://bob:hunter2secret@llm.example.test/v1?key=query-secret-9")
    with caplog.at_level("DEBUG"):
        deltas, error = await collect(provider, chat("x"))
    assert error is None and deltas
    assert str(upstream.requests[0].url).endswith("/v1/chat/completions?key=query-secret-9")
    assert "HTTP Request" in caplog.text and "llm.example.test" in caplog.text
    for secret in ("hunter2secret", "query-secret-9", KEY):
        assert secret not in caplog.text
