"""Anthropic's Messages API (``POST /v1/messages``) with its named SSE events.

event: message_start         {"message": {"usage": {"input_tokens": 25, ...}}}
event: content_block_delta   {"delta": {"type": "text_delta", "text": "Hel"}}   → ChatDelta(text="Hel")
event: message_delta         {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 15}}
event: message_stop                                                              → ChatDelta(usage=..., ...)
event: ping / content_block_start / content_block_stop                           ignored
event: error                 {"error": {"type": "overloaded_error", ...}}        → ProviderError
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from httpx_sse import EventSource
from pydantic import SecretStr

from devussy.config import DEFAULT_MAX_OUTPUT_CHARS, Timeouts
from devussy.errors import ConfigError, ProviderError
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.llm.http import (
    check_base_url,
    error_from_payload,
    join_url,
    raise_for_status,
)
from devussy.llm.http_provider import Attempt, HTTPProvider
from devussy.llm.resilience import Sleep
from devussy.models import Usage

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MODEL = "claude-sonnet-4-5"
DEFAULT_MAX_TOKENS = 4096  # the API requires max_tokens
API_VERSION = "2023-06-01"
# Anthropic stop reasons in the OpenAI vocabulary the rest of Devussy uses.
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}


class AnthropicProvider(HTTPProvider):
    name = "anthropic"
    key_env = "ANTHROPIC_API_KEY"
    default_model: str | None = DEFAULT_MODEL
    capabilities = Capabilities(streaming=True, json_schema=False, usage_in_stream=True, max_context=200_000)

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None,
        base_url: str | None = None,
        model: str | None = None,
        timeouts: Timeouts | None = None,
        max_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            model=model or DEFAULT_MODEL,
            timeouts=timeouts,
            max_retries=max_retries,
            transport=transport,
            sleep=sleep,
            max_output_chars=max_output_chars,
        )
        if self._api_key is None or not self._api_key.get_secret_value():
            raise ConfigError(f"the anthropic provider needs {self.key_env}")

    @classmethod
    def endpoint(cls, base_url: str | None) -> str:
        parts = urlsplit(check_base_url(base_url or DEFAULT_BASE_URL))
        # "/v1" is added per request
        return urlunsplit(parts._replace(path=parts.path.rstrip("/").removesuffix("/v1")))

    def _attempt_for(self, request: ChatRequest) -> Attempt:
        body = self._body(request)
        return lambda client: self._attempt(client, body)

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        system = "\n\n".join(message.content for message in request.messages if message.role == "system")
        messages = [
            {"role": message.role, "content": message.content}
            for message in request.messages
            if message.role != "system"
        ]
        if not messages:
            raise ProviderError("anthropic needs at least one user message", code="provider_bad_request")
        body: dict[str, Any] = {
            "model": request.model or self.default_model,
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": messages,
            "stream": True,
        }
        if system:
            body["system"] = system
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    def _headers(self) -> dict[str, str]:
        assert self._api_key is not None
        return {
            "x-api-key": self._api_key.get_secret_value(),
            "anthropic-version": API_VERSION,
            "Accept": "text/event-stream",
            "Cache-Control": "no-store",
        }

    async def _attempt(self, client: httpx.AsyncClient, body: dict[str, Any]) -> AsyncIterator[ChatDelta]:
        async with client.stream(
            "POST", join_url(self.base_url, "/v1/messages"), headers=self._headers(), json=body
        ) as response:
            await raise_for_status(self.name, response, self._secrets)
            content_type = response.headers.get("content-type", "")
            if "text/event-stream" not in content_type:
                raise ProviderError(
                    f"{self.name} answered with {content_type or 'no content type'!r}, not an event stream",
                    code="provider_bad_response",
                )
            async for delta in self._parse(response):
                yield delta

    async def _parse(self, response: httpx.Response) -> AsyncIterator[ChatDelta]:
        input_tokens = output_tokens = 0
        stop_reason: str | None = None
        async for event in EventSource(response).aiter_sse():
            if not event.data.strip():
                continue
            payload = self._decode(event.data)
            kind = payload.get("type") or event.event
            if kind == "message_start":
                usage = _dict(_dict(payload.get("message")).get("usage"))
                input_tokens = _int(usage.get("input_tokens"), input_tokens)
                output_tokens = _int(usage.get("output_tokens"), output_tokens)
            elif kind == "content_block_delta":
                delta = _dict(payload.get("delta"))
                text = delta.get("text")
                if delta.get("type") == "text_delta" and isinstance(text, str) and text:
                    yield ChatDelta(text=text)
            elif kind == "message_delta":
                stop_reason = _dict(payload.get("delta")).get("stop_reason") or stop_reason
                usage = _dict(payload.get("usage"))
                input_tokens = _int(usage.get("input_tokens"), input_tokens)
                output_tokens = _int(usage.get("output_tokens"), output_tokens)  # cumulative
            elif kind == "message_stop":
                finish = FINISH_REASONS.get(str(stop_reason), stop_reason or "stop")
                yield ChatDelta(
                    usage=Usage(prompt_tokens=input_tokens, completion_tokens=output_tokens),
                    finish_reason=finish,
                )
                return
            elif kind == "error":
                raise error_from_payload(self.name, payload.get("error", payload), secrets=self._secrets)
            # ping, content_block_start/stop and future event types carry no text.
        raise ProviderError(
            f"{self.name}: the stream ended before message_stop", code="provider_interrupted", retryable=True
        )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and value >= 0 else default
