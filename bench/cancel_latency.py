"""How long after a consumer goes away does the upstream LLM request close?

Three consumers leave after the first token, against the loopback fake OpenAI-compatible server:

- ``provider``: code that closes ``OpenAIProvider.stream()`` (``aclosing``) mid-response;
- ``api``: a browser-like client that closes its socket on ``/api/plan/detail`` (dev server, in
  a thread, provider=openai pointed at the fake);
- ``baseline``: plain httpx closing the same streaming response, measured in the same run. This is
  the floor: the fake notices a closed socket when it next writes, or polls it while silent.

Each runs while the upstream is streaming (50 tokens/s) and while it is silent (stalled after the
first token). The figure is the time from the consumer closing to the fake server seeing the
disconnect, as a distribution and as a ratio to the baseline's median.

    .venv/bin/python -m bench.cancel_latency [--trials 30]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from devussy.config import Timeouts
from devussy.llm.base import ChatMessage, ChatRequest
from devussy.llm.openai import OpenAIProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package
from tests import samples
from tests.fakes.openai_server import FakeOpenAIServer, stall
from tests.web.helpers import running_dev_server, stream_until_first_token

LONG_TEXT = " ".join(f"word{i}" for i in range(2000))
DETAIL = {"plan": samples.plan().to_json_dict(), "phaseNumber": 2, "projectName": "Todo API"}
Trial = Callable[[FakeOpenAIServer], Awaitable[float]]  # returns the moment the consumer closed


async def close_plain_httpx(server: FakeOpenAIServer) -> float:
    body = {"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{server.base_url}/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if '"content": "word' in line:
                    break
        return time.monotonic()


async def close_provider(server: FakeOpenAIServer) -> float:
    provider = OpenAIProvider(
        base_url=server.base_url, model="fake-model", timeouts=Timeouts(connect=5, first_token=30, idle=30)
    )
    async with contextlib.aclosing(provider.stream(ChatRequest([ChatMessage("user", "hi")]))) as stream:
        async for delta in stream:
            if delta.text:
                break
    return time.monotonic()


def api_trial(port: int) -> Trial:
    async def close_api_client(server: FakeOpenAIServer) -> float:
        sock = await asyncio.to_thread(stream_until_first_token, port, "/api/plan/detail", DETAIL)
        sock.close()
        return time.monotonic()

    return close_api_client


async def measure(server: FakeOpenAIServer, trial: Trial, *, silent: bool, trials: int) -> list[float]:
    latencies = []
    for _ in range(trials):
        server.disconnected.clear()
        if silent:
            server.add_fault(stall(60, after_chunks=1))
        closed_at = await trial(server)
        if not await asyncio.to_thread(server.wait_for_disconnect, 10.0):
            raise SystemExit("the upstream request was still open 10 s after the consumer left")
        latencies.append(time.monotonic() - closed_at)
    return latencies


def summary(latencies: list[float], baseline_median: float) -> dict[str, float]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    return {
        "p50_ms": round(p50 * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "p50_ratio_to_baseline": round(p50 / baseline_median, 2),
    }


async def run(trials: int) -> dict[str, object]:
    results: dict[str, object] = {"trials": trials}
    with FakeOpenAIServer(responder=lambda request: LONG_TEXT, tokens_per_second=50) as server:
        os.environ.update(
            DEVUSSY_PROVIDER="openai",
            DEVUSSY_BASE_URL=server.base_url,
            DEVUSSY_MODEL="fake-model",
            DEVUSSY_MAX_RETRIES="0",
            DEVUSSY_IDLE_TIMEOUT="60",
        )
        with contextlib.redirect_stderr(io.StringIO()), running_dev_server() as port:  # no access log
            consumers: dict[str, Trial] = {
                "baseline": close_plain_httpx,
                "provider": close_provider,
                "api": api_trial(port),
            }
            for upstream in ("streaming", "silent"):
                measured = {
                    name: await measure(server, trial, silent=upstream == "silent", trials=trials)
                    for name, trial in consumers.items()
                }
                baseline_median = statistics.median(measured["baseline"])
                results[upstream] = {
                    name: summary(values, baseline_median) for name, values in measured.items()
                }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.trials)), indent=2))


if __name__ == "__main__":
    main()
