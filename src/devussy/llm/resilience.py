"""Retries, backoff and timeouts around one provider stream, shared by every HTTP adapter.

An adapter supplies ``open_attempt``: a zero-argument callable returning a fresh async iterator of
:class:`ChatDelta` for one HTTP attempt. :func:`resilient_stream` then

- retries (with tenacity) connect errors, 429 (honouring ``Retry-After``, capped) and 5xx, but only
  until the first delta has been produced — after that the user has seen text, and a retry would
  duplicate it; a later failure ends the stream with a :class:`ProviderError` and the text already
  yielded stays yielded;
- bounds the time to the first delta (``timeouts.first_token``) and every later gap
  (``timeouts.idle``); the connect timeout is httpx's (see ``http.client_timeout``);
- closes the upstream iterator (and so the HTTP response) as soon as it is closed itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from devussy.config import Timeouts
from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta
from devussy.llm.http import client_timeout, shared_ssl_context
from devussy.redaction import redact

log = logging.getLogger("devussy.llm")

Sleep = Callable[[float], Awaitable[None]]
OpenAttempt = Callable[[], AsyncIterator[ChatDelta]]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # retries after the first attempt; 0 disables retrying
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0  # a longer Retry-After is shortened to this
    sleep: Sleep = field(default=asyncio.sleep, repr=False)  # injectable so tests need not wait


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


async def resilient_stream(
    open_attempt: OpenAttempt,
    *,
    provider: str,
    policy: RetryPolicy,
    timeouts: Timeouts,
    secrets: Iterable[str] = (),
) -> AsyncGenerator[ChatDelta, None]:
    secrets = tuple(secrets)

    backoff = wait_exponential(multiplier=policy.initial_backoff, max=policy.max_backoff) + wait_random(
        0, policy.initial_backoff
    )

    def wait(state: RetryCallState) -> float:
        """The server's Retry-After when it sent one (capped), else jittered exponential backoff."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, ProviderError) and error.retry_after is not None:
            return min(error.retry_after, policy.max_retry_after)
        return backoff(state)

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        code = getattr(error, "code", type(error).__name__)
        log.warning(
            "%s: %s; retrying in %.1fs (attempt %d of %d)",
            provider,
            code,
            state.upcoming_sleep,
            state.attempt_number + 1,
            policy.max_retries + 1,
        )

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.max_retries + 1),
        wait=wait,
        retry=retry_if_exception(_is_retryable),
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )

    upstream: AsyncIterator[ChatDelta] | None = None
    first: ChatDelta | None = None
    async for attempt in retrying:
        with attempt:
            upstream = open_attempt()
            try:
                first = await _next_within(
                    upstream,
                    timeouts.first_token,
                    provider,
                    secrets,
                    f"{provider} sent no output within {timeouts.first_token:g}s "
                    "(DEVUSSY_FIRST_TOKEN_TIMEOUT)",
                )
            except BaseException:
                await _close(upstream)
                raise

    assert upstream is not None
    try:
        if first is None:
            return
        yield first
        while True:
            delta = await _next_within(
                upstream,
                timeouts.idle,
                provider,
                secrets,
                f"{provider} stream stalled: nothing received for {timeouts.idle:g}s (DEVUSSY_IDLE_TIMEOUT)",
            )
            if delta is None:
                return
            yield delta
    finally:
        await _close(upstream)


async def _next_within(
    upstream: AsyncIterator[ChatDelta],
    seconds: float,
    provider: str,
    secrets: tuple[str, ...],
    timeout_message: str,
) -> ChatDelta | None:
    """The next delta, or None at the end; every failure comes out as a ProviderError."""
    try:
        async with asyncio.timeout(seconds):
            return await anext(upstream)
    except StopAsyncIteration:
        return None
    except TimeoutError:
        # The cancellation has already unwound the adapter's ``async with client.stream(...)``.
        raise ProviderError(timeout_message, code="provider_timeout") from None
    except httpx.HTTPError as exc:
        raise transport_error(provider, exc, secrets) from None


def transport_error(provider: str, exc: httpx.HTTPError, secrets: Iterable[str] = ()) -> ProviderError:
    """Map an httpx exception to a ProviderError. Connection-level failures are retryable."""
    detail = redact(str(exc) or type(exc).__name__, secrets)
    if isinstance(exc, httpx.ConnectTimeout):
        return ProviderError(
            f"{provider}: connecting timed out ({detail})", code="provider_timeout", retryable=True
        )
    if isinstance(exc, httpx.ConnectError):
        return ProviderError(
            f"{provider}: could not connect ({detail})", code="provider_unavailable", retryable=True
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return ProviderError(
            f"{provider}: the connection was cut mid-response ({detail})",
            code="provider_interrupted",
            retryable=True,
        )
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(f"{provider}: timed out ({detail})", code="provider_timeout", retryable=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ProviderError(f"{provider}: invalid endpoint URL ({detail})", code="provider_bad_request")
    return ProviderError(
        f"{provider}: HTTP transport error ({detail})", code="provider_unavailable", retryable=True
    )


async def _close(upstream: AsyncIterator[ChatDelta]) -> None:
    aclose = getattr(upstream, "aclose", None)
    if aclose is not None:
        await aclose()


async def stream_over_http(
    attempt: Callable[[httpx.AsyncClient], AsyncIterator[ChatDelta]],
    *,
    provider: str,
    policy: RetryPolicy,
    timeouts: Timeouts,
    transport: httpx.AsyncBaseTransport | None = None,
    secrets: Iterable[str] = (),
) -> AsyncGenerator[ChatDelta, None]:
    """:func:`resilient_stream` over a client that lives exactly as long as this stream.

    A client per stream because API handlers run a fresh event loop per request and a client must
    not outlive its loop. ``transport`` is the test seam (``httpx.MockTransport``).
    """
    client = httpx.AsyncClient(
        transport=transport, timeout=client_timeout(timeouts.connect), verify=shared_ssl_context()
    )
    async with client:
        deltas = resilient_stream(
            lambda: attempt(client), provider=provider, policy=policy, timeouts=timeouts, secrets=secrets
        )
        async with aclosing(deltas):
            async for delta in deltas:
                yield delta
