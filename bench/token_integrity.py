"""Token integrity through OpenAIProvider: nothing lost, duplicated or reordered.

Streams N responses (default 1,000) from the loopback fake server, some concurrently. Every token of
every response is distinct and sequence-numbered (``r17t0 r17t1 ...``), so the received text shows
exactly what was lost, duplicated, reordered or mixed in from another response. The same responses
are also read with plain httpx and a minimal SSE split (the baseline) to report the provider's
overhead as a ratio measured in the same run.

    .venv/bin/python -m bench.token_integrity [--responses 1000] [--concurrency 16] [--tokens 40]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from devussy.config import Timeouts
from devussy.llm.base import ChatMessage, ChatRequest
from devussy.llm.http import shared_ssl_context
from devussy.llm.openai import OpenAIProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package
from tests.fakes.openai_server import FakeOpenAIServer

PROMPT = re.compile(r"response (\d+) tokens (\d+)")


def token_count(index: int, base: int) -> int:
    return base // 2 + (index * 7919) % (base + 1)  # varied lengths, deterministic


def responder(request: dict[str, Any]) -> str:
    match = PROMPT.search(str(request["messages"][-1]["content"]))
    assert match, "unexpected prompt"
    index, count = int(match[1]), int(match[2])
    return " ".join(f"r{index}t{seq}" for seq in range(count))


def score(index: int, expected_count: int, text: str) -> dict[str, int]:
    received = text.split()
    own = [token for token in received if token.startswith(f"r{index}t")]
    counts = Counter(own)
    expected = {f"r{index}t{seq}" for seq in range(expected_count)}
    sequence = [int(token.rsplit("t", 1)[1]) for token in dict.fromkeys(own)]
    return {
        "tokens": len(received),
        "lost": len(expected - counts.keys()),
        "duplicated": sum(n - 1 for n in counts.values()),
        "reordered": sum(1 for a, b in itertools.pairwise(sequence) if b < a),
        "foreign": len(received) - len(own),
    }


async def run(
    read_one: Callable[[int, int], Awaitable[str]], responses: int, concurrency: int, tokens: int
) -> dict[str, Any]:
    limit = asyncio.Semaphore(concurrency)
    totals: Counter[str] = Counter()
    latencies: list[float] = []
    errors: list[str] = []

    async def one(index: int) -> None:
        async with limit:
            count = token_count(index, tokens)
            started = time.perf_counter()
            try:
                text = await read_one(index, count)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                text = ""
            latencies.append(time.perf_counter() - started)
            totals.update(score(index, count, text))
            totals["expected"] += count

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(responses)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "seconds": round(elapsed, 3),
        "tokens_expected": totals["expected"],
        "tokens_received": totals["tokens"],
        "lost": totals["lost"],
        "duplicated": totals["duplicated"],
        "reordered": totals["reordered"],
        "foreign": totals["foreign"],
        "errors": len(errors),
        "first_errors": errors[:3],
        "tokens_per_second": round(totals["tokens"] / elapsed),
        "response_ms": {
            "p50": round(statistics.median(latencies) * 1000, 2),
            "p95": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
            "max": round(latencies[-1] * 1000, 2),
        },
    }


async def main_async(responses: int, concurrency: int, tokens: int) -> dict[str, Any]:
    with FakeOpenAIServer(responder=responder) as server:
        provider = OpenAIProvider(
            base_url=server.base_url,
            model="fake-model",
            timeouts=Timeouts(connect=5, first_token=30, idle=30),
        )

        async def through_provider(index: int, count: int) -> str:
            request = ChatRequest([ChatMessage("user", f"response {index} tokens {count}")])
            return "".join([delta.text async for delta in provider.stream(request)])

        async def baseline(index: int, count: int) -> str:
            prompt = f"response {index} tokens {count}"
            body = {"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": prompt}]}
            parts: list[str] = []
            async with (
                httpx.AsyncClient(verify=shared_ssl_context()) as client,
                client.stream("POST", f"{server.base_url}/chat/completions", json=body) as response,
            ):
                async for line in response.aiter_lines():
                    if line.startswith("data: {"):
                        delta = json.loads(line[6:])["choices"][0]["delta"]
                        parts.append(delta.get("content") or "")
            return "".join(parts)

        baseline_result = await run(baseline, responses, concurrency, tokens)
        provider_result = await run(through_provider, responses, concurrency, tokens)
        server_requests = len(server.chat_requests())

    return {
        "bench": "token_integrity",
        "responses": responses,
        "concurrency": concurrency,
        "provider": provider_result,
        "baseline_raw_httpx": baseline_result,
        "provider_time_vs_baseline": round(provider_result["seconds"] / baseline_result["seconds"], 3),
        "server_requests": server_requests,
        "retried_requests": server_requests - 2 * responses,  # > 0 would mean the provider retried
        "ok": all(
            provider_result[key] == 0 for key in ("lost", "duplicated", "reordered", "foreign", "errors")
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=40, help="typical tokens per response")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args.responses, args.concurrency, args.tokens))
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
