"""AnthropicProvider in-process: recorded-style Messages API transcripts through httpx.MockTransport."""

from __future__ import annotations

import httpx
import pytest

from devussy.config import Settings, Timeouts
from devussy.errors import ConfigError
from devussy.llm.anthropic import DEFAULT_MAX_TOKENS, AnthropicProvider
from devussy.llm.base import ChatDelta
from devussy.models import Usage
from tests.llm import Sleeps, Upstream, chat, collect, json_response, sse, text_of, transcript

KEY = "sk-ant-api03-secretsecretsecret-XYZ"
FAST = Timeouts(connect=2, first_token=2, idle=2)


def make(upstream: Upstream, **options: object) -> AnthropicProvider:
    settings: dict[str, object] = {
        "api_key": KEY,
        "model": "claude-test",
        "timeouts": FAST,
        "transport": upstream.transport,
        "sleep": Sleeps(),
    }
    settings.update(options)
    return AnthropicProvider(**settings)  # type: ignore[arg-type]


async def test_streams_text_with_usage_and_ignores_ping() -> None:
    upstream = Upstream([sse(transcript("anthropic_stream.sse"))])
    deltas, error = await collect(make(upstream), chat("Plan it", system="You plan."))

    assert error is None
    assert [d.text for d in deltas[:-1]] == ["Phase", " 1: Foundations", " ✓"]
    assert deltas[-1] == ChatDelta(usage=Usage(prompt_tokens=25, completion_tokens=15), finish_reason="stop")


async def test_request_shape_headers_and_system_prompt() -> None:
    upstream = Upstream([sse(transcript("anthropic_stream.sse"))])
    await collect(make(upstream), chat("Plan it", system="You plan.", temperature=0.3))

    request = upstream.requests[0]
    assert str(request.url) == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    assert upstream.body() == {
        "model": "claude-test",
        "max_tokens": DEFAULT_MAX_TOKENS,
        "system": "You plan.",
        "messages": [{"role": "user", "content": "Plan it"}],
        "stream": True,
        "temperature": 0.3,
    }


async def test_base_url_with_or_without_v1() -> None:
    for base, query in [("https://proxy.example.test", ""), ("https://proxy.example.test/v1/", ""),
                        ("https://proxy.example.test/v1?team=a", "?team=a")]:  # fmt: skip
        upstream = Upstream([sse(transcript("anthropic_stream.sse"))])
        await collect(make(upstream, base_url=base), chat("x", max_tokens=100, model="claude-other"))
        assert str(upstream.requests[0].url) == "https://proxy.example.test/v1/messages" + query
        assert upstream.body()["max_tokens"] == 100 and upstream.body()["model"] == "claude-other"


async def test_thinking_is_ignored_and_max_tokens_maps_to_length() -> None:
    upstream = Upstream([sse(transcript("anthropic_thinking_max_tokens.sse"))])
    deltas, error = await collect(make(upstream), chat("x"))
    assert error is None
    assert text_of(deltas) == "Truncated"
    assert deltas[-1].finish_reason == "length"
    assert deltas[-1].usage == Usage(prompt_tokens=10, completion_tokens=4096)


async def test_overloaded_before_the_first_token_is_retried() -> None:
    sleeps = Sleeps()
    upstream = Upstream(
        [sse(transcript("anthropic_overloaded.sse")), sse(transcript("anthropic_stream.sse"))]
    )
    deltas, error = await collect(make(upstream, sleep=sleeps), chat("x"))
    assert error is None and text_of(deltas) == "Phase 1: Foundations ✓"
    assert len(upstream.requests) == 2 and len(sleeps.calls) == 1


async def test_overloaded_without_retries_is_provider_unavailable() -> None:
    upstream = Upstream([sse(transcript("anthropic_overloaded.sse"))])
    deltas, error = await collect(make(upstream, max_retries=0), chat("x"))
    assert deltas == []
    assert error is not None and error.code == "provider_unavailable" and "Overloaded" in error.message


async def test_overloaded_after_the_first_token_keeps_partial_text_and_is_not_retried() -> None:
    upstream = Upstream([sse(transcript("anthropic_overloaded_midstream.sse"))])
    deltas, error = await collect(make(upstream), chat("x"))
    assert text_of(deltas) == "Half an"
    assert error is not None and error.code == "provider_unavailable"
    assert len(upstream.requests) == 1


async def test_http_529_is_retried_and_401_is_not() -> None:
    overloaded = json_response(
        529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    )
    upstream = Upstream([overloaded, sse(transcript("anthropic_stream.sse"))])
    deltas, error = await collect(make(upstream), chat("x"))
    assert error is None and len(upstream.requests) == 2

    denied = json_response(
        401,
        {"type": "error", "error": {"type": "authentication_error", "message": f"invalid x-api-key {KEY}"}},
    )
    upstream = Upstream([denied])
    deltas, error = await collect(make(upstream), chat("x"))
    assert deltas == [] and error is not None and error.code == "provider_auth"
    assert KEY not in str(error) and len(upstream.requests) == 1


async def test_stream_without_message_stop_is_interrupted() -> None:
    raw = transcript("anthropic_stream.sse")
    cut = raw[: raw.index(b"event: content_block_stop")]
    pieces = [cut, httpx.RemoteProtocolError("peer closed connection")]
    deltas, error = await collect(make(Upstream([sse(pieces)])), chat("x"))
    assert text_of(deltas) == "Phase 1: Foundations ✓"
    assert error is not None and error.code == "provider_interrupted"

    deltas, error = await collect(make(Upstream([sse(cut)])), chat("x"))
    assert error is not None and error.code == "provider_interrupted"


async def test_error_event_types_map_to_codes() -> None:
    for kind, code in [
        ("rate_limit_error", "provider_rate_limited"),
        ("invalid_request_error", "provider_bad_request"),
        ("api_error", "provider_unavailable"),
        ("permission_error", "provider_auth"),
    ]:
        event = (
            f'event: error\ndata: {{"type":"error","error":{{"type":"{kind}","message":"m"}}}}\n\n'.encode()
        )
        _, error = await collect(make(Upstream([sse([event])]), max_retries=0), chat("x"))
        assert error is not None and error.code == code, kind


async def test_a_key_is_required_and_never_shown() -> None:
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        AnthropicProvider(api_key=None)
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        AnthropicProvider.from_settings(Settings(provider="anthropic"))
    provider = make(Upstream([]))
    assert KEY not in repr(provider) and KEY not in str(provider)


async def test_settings_model_and_base_url_only_apply_when_anthropic_is_the_active_provider() -> None:
    from pydantic import SecretStr

    mine = Settings(
        provider="anthropic", model="claude-x", base_url="https://gw.test", anthropic_api_key=SecretStr(KEY)
    )
    provider = AnthropicProvider.from_settings(mine)
    assert provider.default_model == "claude-x" and provider.base_url == "https://gw.test"

    other = Settings(
        provider="openai", model="gpt-x", base_url="http://localhost:1/v1", anthropic_api_key=SecretStr(KEY)
    )
    provider = AnthropicProvider.from_settings(other)
    assert provider.default_model != "gpt-x" and provider.base_url == "https://api.anthropic.com"
