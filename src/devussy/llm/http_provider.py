"""What the HTTP adapters share: key, endpoint, model, retry policy, a secret-safe repr, and a
``stream`` that runs the adapter's single HTTP attempt under the retry and timeout rules, and passes
the answer through ``boundary.bounded_text`` (well-formed text, at most ``max_output_chars``).

An adapter sets ``name`` and ``key_env`` and implements ``_attempt_for(request)``: validate the
request, then return a function that makes one attempt with a given client and yields deltas.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import replace
from typing import Any, Self

import httpx
from pydantic import SecretStr

from devussy.config import DEFAULT_MAX_OUTPUT_CHARS, Settings, Timeouts
from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta, ChatRequest
from devussy.llm.boundary import bounded_text
from devussy.llm.http import redact_url
from devussy.llm.resilience import RetryPolicy, Sleep, stream_over_http
from devussy.redaction import provider_secrets, redact
from devussy.text_encoding import well_formed

Attempt = Callable[[httpx.AsyncClient], AsyncIterator[ChatDelta]]


class HTTPProvider:
    name: str
    key_env: str  # the environment variable that holds this provider's key
    default_model: str | None = None

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None,
        base_url: str | None,
        model: str | None,
        timeouts: Timeouts | None = None,
        max_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS,
    ) -> None:
        self._api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.max_output_chars = max_output_chars
        self.base_url = self.endpoint(base_url)
        self.default_model = model
        self.timeouts = timeouts or Timeouts()
        self.retry_policy = RetryPolicy(max_retries=max_retries)
        if sleep is not None:
            self.retry_policy = replace(self.retry_policy, sleep=sleep)
        self._transport = transport

    @classmethod
    def endpoint(cls, base_url: str | None) -> str:
        """The checked base URL requests go to (``None``: the provider's own)."""
        raise NotImplementedError

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> Self:
        own = settings.provider == cls.name  # DEVUSSY_BASE_URL / DEVUSSY_MODEL belong to the active provider
        return cls(
            api_key=settings.key_for(cls.key_env),
            base_url=settings.base_url if own else None,
            model=settings.model if own else None,
            timeouts=settings.timeouts,
            max_retries=settings.max_retries,
            transport=transport,
            sleep=sleep,
            max_output_chars=settings.max_output_chars,
        )

    @property
    def _secrets(self) -> list[str]:
        return provider_secrets(self._api_key, self.base_url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, model={self.default_model!r})"

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        # A message holding half a surrogate pair (from a client's JSON) could not be sent as UTF-8.
        messages = [replace(message, content=well_formed(message.content)) for message in request.messages]
        request = replace(request, messages=messages)
        upstream = stream_over_http(
            self._attempt_for(request),
            provider=self.name,
            policy=self.retry_policy,
            timeouts=self.timeouts,
            transport=self._transport,
            secrets=self._secrets,
        )
        deltas = bounded_text(upstream, provider=self.name, max_chars=self.max_output_chars)
        async with aclosing(deltas):
            async for delta in deltas:
                yield delta

    def _attempt_for(self, request: ChatRequest) -> Attempt:
        raise NotImplementedError

    def _decode(self, data: str) -> dict[str, Any]:
        """One SSE ``data:`` payload as a JSON object, or a provider_bad_response error."""
        try:
            payload = json.loads(data)
        except ValueError:
            raise ProviderError(
                f"{self.name} sent an event that is not JSON: {redact(data[:80], self._secrets)!r}",
                code="provider_bad_response",
            ) from None
        if not isinstance(payload, dict):
            raise ProviderError(
                f"{self.name} sent an event that is not a JSON object", code="provider_bad_response"
            )
        return payload
