"""resilient_stream on scripted attempts (no HTTP): retries only before the first delta, timeouts, closing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing

import httpx
import pytest

from devussy.config import Timeouts
from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta
from devussy.llm.resilience import RetryPolicy, resilient_stream, transport_error
from tests.llm import Sleeps

FAST = Timeouts(connect=1, first_token=1, idle=1)


class Attempts:
    """Each call to the instance starts the next scripted attempt: deltas, pauses and errors."""

    def __init__(self, *scripts: list[str | float | BaseException]) -> None:
        self.scripts = list(scripts)
        self.started = 0
        self.closed = 0

    def __call__(self) -> AsyncIterator[ChatDelta]:
        script = self.scripts[self.started]
        self.started += 1
        return self._run(script)

    async def _run(self, script: list[str | float | BaseException]) -> AsyncIterator[ChatDelta]:
        try:
            for item in script:
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, float):
                    await asyncio.sleep(item)
                else:
                    yield ChatDelta(text=item)
        finally:
            self.closed += 1


def unavailable(retry_after: float | None = None) -> ProviderError:
    return ProviderError("down", code="provider_unavailable", retryable=True, retry_after=retry_after)


async def run(
    attempts: Callable[[], AsyncIterator[ChatDelta]],
    *,
    sleeps: Sleeps | None = None,
    max_retries: int = 3,
    timeouts: Timeouts = FAST,
) -> tuple[list[str], ProviderError | None]:
    policy = RetryPolicy(max_retries=max_retries, sleep=sleeps or Sleeps())
    texts: list[str] = []
    try:
        async for delta in resilient_stream(attempts, provider="test", policy=policy, timeouts=timeouts):
            texts.append(delta.text)
    except ProviderError as exc:
        return texts, exc
    return texts, None


async def test_retryable_errors_before_the_first_delta_are_retried_with_backoff() -> None:
    sleeps = Sleeps()
    attempts = Attempts([unavailable()], [unavailable()], ["a", "b"])
    texts, error = await run(attempts, sleeps=sleeps)
    assert error is None and texts == ["a", "b"]
    assert attempts.started == 3 and attempts.closed == 3
    assert len(sleeps.calls) == 2
    assert all(0 <= s <= 8.5 for s in sleeps.calls)


async def test_retries_stop_after_max_retries_with_the_last_error() -> None:
    sleeps = Sleeps()
    attempts = Attempts(*[[unavailable()] for _ in range(3)])
    texts, error = await run(attempts, sleeps=sleeps, max_retries=2)
    assert texts == [] and error is not None and error.code == "provider_unavailable"
    assert attempts.started == 3 and len(sleeps.calls) == 2


async def test_retry_after_is_honoured_and_capped() -> None:
    sleeps = Sleeps()
    attempts = Attempts([unavailable(retry_after=7)], [unavailable(retry_after=3600)], ["ok"])
    texts, _error = await run(attempts, sleeps=sleeps)
    assert texts == ["ok"] and sleeps.calls == [7, 60.0]


async def test_non_retryable_errors_are_raised_at_once() -> None:
    attempts = Attempts([ProviderError("no", code="provider_auth")], ["never"])
    _texts, error = await run(attempts)
    assert error is not None and error.code == "provider_auth" and attempts.started == 1


async def test_no_retry_once_a_delta_was_yielded() -> None:
    attempts = Attempts(["partial", unavailable()], ["never"])
    texts, error = await run(attempts)
    assert texts == ["partial"] and error is not None and error.code == "provider_unavailable"
    assert attempts.started == 1 and attempts.closed == 1


async def test_first_token_timeout() -> None:
    started = time.monotonic()
    attempts = Attempts([5.0, "late"], ["never"])
    texts, error = await run(attempts, timeouts=Timeouts(connect=1, first_token=0.2, idle=5))
    assert texts == [] and error is not None and error.code == "provider_timeout"
    assert "DEVUSSY_FIRST_TOKEN_TIMEOUT" in error.message
    assert time.monotonic() - started < 4.5 and attempts.started == 1 and attempts.closed == 1


async def test_idle_timeout_between_deltas_keeps_partial_text() -> None:
    started = time.monotonic()
    attempts = Attempts(["a", 0.05, "b", 5.0, "c"])
    texts, error = await run(attempts, timeouts=Timeouts(connect=1, first_token=5, idle=0.3))
    assert texts == ["a", "b"] and error is not None and error.code == "provider_timeout"
    assert "DEVUSSY_IDLE_TIMEOUT" in error.message
    assert time.monotonic() - started < 4.5 and attempts.closed == 1


async def test_transport_errors_become_provider_errors_and_connect_errors_are_retried() -> None:
    attempts = Attempts([httpx.ConnectError("refused")], ["ok"])
    texts, error = await run(attempts)
    assert texts == ["ok"] and attempts.started == 2

    attempts = Attempts(["a", httpx.RemoteProtocolError("peer closed")])
    texts, error = await run(attempts)
    assert texts == ["a"] and error is not None and error.code == "provider_interrupted"


@pytest.mark.parametrize(
    ("exc", "code", "retryable"),
    [
        (httpx.ConnectError("x"), "provider_unavailable", True),
        (httpx.ConnectTimeout("x"), "provider_timeout", True),
        (httpx.ReadError("x"), "provider_interrupted", True),
        (httpx.RemoteProtocolError("x"), "provider_interrupted", True),
        (httpx.ReadTimeout("x"), "provider_timeout", True),
        (httpx.UnsupportedProtocol("x"), "provider_bad_request", False),
    ],
)
def test_transport_error_mapping(exc: httpx.HTTPError, code: str, retryable: bool) -> None:
    error = transport_error("p", exc)
    assert (error.code, error.retryable) == (code, retryable)


async def test_closing_the_stream_closes_the_upstream_attempt() -> None:
    attempts = Attempts(["a", 10.0, "b"])
    policy = RetryPolicy(sleep=Sleeps())
    async with aclosing(resilient_stream(attempts, provider="t", policy=policy, timeouts=FAST)) as stream:
        assert (await anext(stream)).text == "a"
    assert attempts.closed == 1


async def test_an_empty_stream_is_an_empty_result() -> None:
    texts, error = await run(Attempts([]))
    assert texts == [] and error is None


async def test_cancellation_is_not_retried() -> None:
    attempts = Attempts([asyncio.CancelledError()], ["never"])
    with pytest.raises(asyncio.CancelledError):
        await run(attempts)
    assert attempts.started == 1
