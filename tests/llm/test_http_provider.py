import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devussy.config import DEFAULT_MAX_OUTPUT_CHARS, Settings
from devussy.errors import ProviderError
from devussy.llm.anthropic import AnthropicProvider
from devussy.llm.openai import OpenAIProvider
from tests.llm import SSE_HEADERS, ScriptedStream, Sleeps, chat, collect, text_of

ENV = {
    "DEVUSSY_PROVIDER": "anthropic",
    "DEVUSSY_BASE_URL": "https://user:pw@proxy.example/v1",
    "DEVUSSY_MODEL": "claude-x",
    "OPENAI_API_KEY": "sk-openai-hidden",
    "ANTHROPIC_API_KEY": "sk-ant-hidden",
    "DEVUSSY_MAX_RETRIES": "5",
}


def test_from_settings_takes_each_providers_own_key_and_the_active_providers_endpoint() -> None:
    settings = Settings.from_env(ENV)
    anthropic = AnthropicProvider.from_settings(settings)
    openai = OpenAIProvider.from_settings(settings)
    assert anthropic._api_key is not None and anthropic._api_key.get_secret_value() == "sk-ant-hidden"
    assert openai._api_key is not None and openai._api_key.get_secret_value() == "sk-openai-hidden"
    # DEVUSSY_BASE_URL and DEVUSSY_MODEL belong to the active provider only.
    assert (anthropic.base_url, anthropic.default_model) == ("https://user:pw@proxy.example", "claude-x")
    assert (openai.base_url, openai.default_model) == ("https://api.openai.com/v1", None)
    assert anthropic.retry_policy.max_retries == openai.retry_policy.max_retries == 5


def test_repr_shows_neither_key_nor_url_credentials() -> None:
    shown = repr(AnthropicProvider.from_settings(Settings.from_env(ENV)))
    assert shown.startswith("AnthropicProvider(")
    assert "sk-ant-hidden" not in shown and "pw" not in shown


# -- every HTTP provider's answer is well-formed and bounded (issue 12) -------------------------------


def content_event(text: str) -> bytes:
    # json.dumps escapes each surrogate half on its own, as providers that split an emoji do
    return b"data: " + json.dumps({"choices": [{"delta": {"content": text}}]}).encode() + b"\n\n"


def openai_over(stream: httpx.AsyncByteStream, **options: Any) -> OpenAIProvider:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=SSE_HEADERS, stream=stream))
    return OpenAIProvider(
        api_key="sk-x", model="m", transport=transport, sleep=Sleeps(), learned={}, **options
    )


async def test_an_emoji_split_between_two_events_arrives_whole() -> None:
    stream = ScriptedStream([content_event("smile \ud83d"), content_event("\ude00!"), b"data: [DONE]\n\n"])
    deltas, error = await collect(openai_over(stream), chat("hi"))
    assert error is None
    for delta in deltas:
        delta.text.encode("utf-8")  # what the SSE writer, httpx and the terminal all do
    assert text_of(deltas) == "smile \U0001f600!"


class EndlessStream(httpx.AsyncByteStream):
    """An upstream that never stops talking."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.sent += 1
            yield content_event("0123456789")

    async def aclose(self) -> None:
        self.closed = True


async def test_an_upstream_that_never_stops_is_cut_at_the_output_cap() -> None:
    stream = EndlessStream()
    received = 0
    with pytest.raises(ProviderError) as caught:
        async for delta in openai_over(stream, max_output_chars=1000).stream(chat("hi")):
            received += len(delta.text)
            assert received <= 1000, "the stream went past its cap"
    assert caught.value.code == "provider_output_too_large"
    assert stream.closed and stream.sent < 200


def test_the_cap_comes_from_the_settings() -> None:
    settings = Settings.from_env({**ENV, "DEVUSSY_MAX_OUTPUT_CHARS": "1234"})
    assert AnthropicProvider.from_settings(settings).max_output_chars == 1234
    assert OpenAIProvider.from_settings(settings).max_output_chars == 1234
    assert OpenAIProvider(api_key="k").max_output_chars == DEFAULT_MAX_OUTPUT_CHARS


async def test_a_message_holding_half_a_surrogate_pair_is_still_sent() -> None:
    stream = ScriptedStream([content_event("ok"), b"data: [DONE]\n\n"])
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, headers=SSE_HEADERS, stream=stream)

    provider = OpenAIProvider(api_key="k", model="m", transport=httpx.MockTransport(answer), learned={})
    deltas, error = await collect(provider, chat("half \ud83d"))
    assert error is None and text_of(deltas) == "ok"
    assert json.loads(sent[0].content)["messages"][-1]["content"] == "half \ufffd"
