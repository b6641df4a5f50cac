"""Any OpenAI-compatible Chat Completions endpoint, streamed over SSE.

Works with OpenAI, OpenRouter, Groq, Together, DeepSeek and local servers (Ollama, LM Studio, vLLM,
llama.cpp) — they differ only in ``base_url``, key and a few capabilities. Wire format::

    data: {"choices":[{"delta":{"role":"assistant","content":""}}]}   role-only: ignored
    data: {"choices":[{"delta":{"content":"Hel"}}]}                   → ChatDelta(text="Hel")
    data: {"choices":[{"delta":{},"finish_reason":"stop"}]}
    data: {"choices":[],"usage":{"prompt_tokens":9,...}}              only with include_usage
    data: [DONE]                                                      → ChatDelta(usage=, finish_reason=)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
from httpx_sse import EventSource
from pydantic import SecretStr

from devussy.config import DEFAULT_MAX_OUTPUT_CHARS, Timeouts
from devussy.errors import ConfigError, ProviderError
from devussy.llm.base import STRUCTURED_OUTPUT_REFUSED, Capabilities, ChatDelta, ChatRequest
from devussy.llm.http import (
    check_base_url,
    error_for_status,
    error_from_payload,
    join_url,
    raise_for_status,
)
from devussy.llm.http_provider import Attempt, HTTPProvider
from devussy.llm.resilience import Sleep
from devussy.models import Usage

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# What we know about well-known hosts. Unknown endpoints get DEFAULT_CAPABILITIES: usage is asked
# for (and dropped, remembered per endpoint, if the server answers 400), JSON schema is not sent.
KNOWN_CAPABILITIES: dict[str, Capabilities] = {
    "api.openai.com": Capabilities(json_schema=True, usage_in_stream=True),
}
DEFAULT_CAPABILITIES = Capabilities(usage_in_stream=True)
# Local engines on their default ports take ``response_format`` with a JSON schema (grammar-constrained
# decoding): Ollama (0.5+), LM Studio, llama.cpp server, vLLM.
LOCAL_SCHEMA_PORTS = frozenset({11434, 1234, 8080, 8000})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})

# Request options an endpoint rejected with HTTP 400, by endpoint; shared by all instances so that
# a server only has to refuse once per process.
_LEARNED: dict[str, set[str]] = {}


class OpenAIProvider(HTTPProvider):
    name = "openai"
    key_env = "OPENAI_API_KEY"

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        timeouts: Timeouts | None = None,
        max_retries: int = 3,
        capabilities: Capabilities | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS,
        learned: dict[str, set[str]] | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            model=model,
            timeouts=timeouts,
            max_retries=max_retries,
            transport=transport,
            sleep=sleep,
            max_output_chars=max_output_chars,
        )
        self._learned = _LEARNED if learned is None else learned
        self.capabilities = capabilities or known_capabilities(self.base_url)
        if "response_format" in self._learned.get(self.base_url, set()):
            self.capabilities = replace(self.capabilities, json_schema=False)  # refused before

    @classmethod
    def endpoint(cls, base_url: str | None) -> str:
        return check_base_url(base_url or DEFAULT_BASE_URL)

    def refused_json_schema(self) -> None:
        """The endpoint answered a schema request with 400: never send it one again."""
        self._learned.setdefault(self.base_url, set()).add("response_format")
        self.capabilities = replace(self.capabilities, json_schema=False)

    def _attempt_for(self, request: ChatRequest) -> Attempt:
        model = request.model or self.default_model
        if not model:
            raise ConfigError(
                "the openai provider needs a model: set DEVUSSY_MODEL (or choose one per request)"
            )
        return lambda client: self._attempt(client, request, model)

    # -- one HTTP attempt -------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if self._api_key is not None and self._api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return headers

    def _body(self, request: ChatRequest, model: str, dropped: set[str]) -> dict[str, Any]:
        rejected = self._learned.get(self.base_url, set()) | dropped
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": message.role, "content": message.content} for message in request.messages],
            "stream": True,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_tokens is not None:
            # Newer OpenAI models refuse "max_tokens"; we switch once the server says so.
            key = "max_completion_tokens" if "max_tokens" in rejected else "max_tokens"
            body[key] = request.max_tokens
        if self.capabilities.usage_in_stream and "stream_options" not in rejected:
            body["stream_options"] = {"include_usage": True}
        if request.json_schema and self.capabilities.json_schema:
            schema = dict(request.json_schema)
            schema.setdefault("name", "result")
            body["response_format"] = {"type": "json_schema", "json_schema": schema}
        return body

    def _option_to_drop(self, error: ProviderError, body: dict[str, Any]) -> str | None:
        """After a 400, the optional request field we may retry without (once), if any."""
        if error.status != 400:
            return None
        if "max_tokens" in body and "max_completion_tokens" in error.message:
            return "max_tokens"
        if "stream_options" in body:
            return "stream_options"
        return None

    async def _attempt(
        self, client: httpx.AsyncClient, request: ChatRequest, model: str
    ) -> AsyncIterator[ChatDelta]:
        url = join_url(self.base_url, "/chat/completions")
        async with AsyncExitStack() as stack:
            dropped: set[str] = set()
            while True:
                body = self._body(request, model, dropped)
                response = await stack.enter_async_context(
                    client.stream("POST", url, headers=self._headers(), json=body)
                )
                if response.status_code != 400:
                    break
                text = (await response.aread()).decode("utf-8", errors="replace")
                error = error_for_status(self.name, 400, text, secrets=self._secrets)
                option = self._option_to_drop(error, body)
                if "response_format" in body and (option is None or option in dropped or _names_schema(text)):
                    self.refused_json_schema()
                    raise ProviderError(
                        f"{self.name} does not take a JSON schema (response_format): {error.message}",
                        code=STRUCTURED_OUTPUT_REFUSED,
                        status=400,
                    )
                if option is None or option in dropped:
                    raise error
                dropped.add(option)
                await response.aclose()
            if dropped:
                # Remember only once the request without the option got past the 400.
                self._learned.setdefault(self.base_url, set()).update(dropped)
            await raise_for_status(self.name, response, self._secrets)
            async for delta in self._parse(response):
                yield delta

    async def _parse(self, response: httpx.Response) -> AsyncIterator[ChatDelta]:
        content_type = response.headers.get("content-type", "")
        if "application/json" in content_type:
            # Some servers ignore "stream": true and answer with one completion object.
            async for delta in self._parse_completion(await response.aread()):
                yield delta
            return
        if "text/event-stream" not in content_type:
            raise ProviderError(
                f"{self.name} answered with {content_type or 'no content type'!r}, not an event stream",
                code="provider_bad_response",
            )
        usage: Usage | None = None
        finish_reason: str | None = None
        async for event in EventSource(response).aiter_sse():
            data = event.data.strip()
            if not data:
                continue
            if data == "[DONE]":
                yield ChatDelta(usage=usage, finish_reason=finish_reason or "stop")
                return
            chunk = self._decode(data)
            if "error" in chunk or event.event == "error":
                raise error_from_payload(self.name, chunk.get("error", chunk), secrets=self._secrets)
            usage = _usage(chunk.get("usage")) or usage
            choices = chunk.get("choices")
            if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
                continue
            choice = choices[0]
            change = choice.get("delta")
            text = change.get("content") if isinstance(change, dict) else None
            if isinstance(text, str) and text:
                yield ChatDelta(text=text)
            if choice.get("finish_reason"):
                finish_reason = str(choice["finish_reason"])
        if finish_reason is not None:
            # A few servers end the body after the finishing chunk without "[DONE]": that is complete.
            yield ChatDelta(usage=usage, finish_reason=finish_reason)
            return
        raise ProviderError(
            f"{self.name}: the stream ended before it was complete (no [DONE])",
            code="provider_interrupted",
            retryable=True,
        )

    async def _parse_completion(self, raw: bytes) -> AsyncIterator[ChatDelta]:
        completion = self._decode(raw.decode("utf-8", errors="replace"))
        if "error" in completion:
            raise error_from_payload(self.name, completion["error"], secrets=self._secrets)
        try:
            choice = completion["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                f"{self.name}: completion without choices[0].message.content", code="provider_bad_response"
            ) from None
        if text:
            yield ChatDelta(text=str(text))
        yield ChatDelta(
            usage=_usage(completion.get("usage")), finish_reason=choice.get("finish_reason") or "stop"
        )


def known_capabilities(base_url: str) -> Capabilities:
    """What we know about an endpoint: its host's entry, or a local engine on its default port."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if host in KNOWN_CAPABILITIES:
        return KNOWN_CAPABILITIES[host]
    if host in _LOOPBACK and parts.port in LOCAL_SCHEMA_PORTS:
        return replace(DEFAULT_CAPABILITIES, json_schema=True)
    return DEFAULT_CAPABILITIES


def _names_schema(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("response_format", "json_schema", "schema", "grammar"))


def _usage(raw: object) -> Usage | None:
    """OpenAI's usage object; ``cost`` (USD) when the service reports it (OpenRouter does)."""
    if not isinstance(raw, dict):
        return None
    try:
        cost = raw.get("cost")
        return Usage(
            prompt_tokens=int(raw.get("prompt_tokens") or 0),
            completion_tokens=int(raw.get("completion_tokens") or 0),
            cost=float(cost) if isinstance(cost, (int, float)) and cost >= 0 else None,
        )
    except (TypeError, ValueError):
        return None
