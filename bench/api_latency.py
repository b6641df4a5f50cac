"""Added latency per token: upstream chunk arrival → SSE bytes written by the server.

An httpx transport plays the upstream (OpenAI-compatible SSE, one token per chunk, a small gap
between chunks) and stamps each chunk the moment it hands it to httpx. The phase-detail stage runs
through the real OpenAI adapter and three sinks:

- baseline: the stage alone, stamping when ``on_token_async`` is called (no HTTP, no SSE);
- in_process: the /api/plan/detail endpoint writing SSE to an in-memory socket stand-in, stamped
  when each token event's ``sendall`` returns;
- loopback: the dev server on 127.0.0.1, stamped when a client thread reads the token's event.

Prints JSON: p50/p99/max per variant in microseconds, and what the web layer adds over baseline.

    .venv/bin/python -m bench.api_latency
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from devussy.config import Settings  # noqa: E402
from devussy.models import DevPlan, Phase, Step  # noqa: E402
from devussy.pipeline.generators import DetailedDevPlanGenerator  # noqa: E402
from devussy.pipeline.settings import stage_settings  # noqa: E402
from devussy.stages.detail import render_phase_detail  # noqa: E402
from devussy.web import endpoints, streams  # noqa: E402

GAP_SECONDS = 0.001
REPEATS = 3
STEPS = 40
ENV = {
    "DEVUSSY_PROVIDER": "openai",
    "DEVUSSY_BASE_URL": "http://upstream.invalid/v1",
    "DEVUSSY_MODEL": "bench-model",
    "DEVUSSY_MAX_RETRIES": "0",
}


def make_plan() -> DevPlan:
    phases = [Phase(number=n, title=f"Phase {n}", summary=f"Phase {n} work.") for n in (1, 2)]
    return DevPlan(project_name="Bench", summary="Latency bench plan.", phases=phases)


def upstream_text() -> str:
    steps = [
        Step(
            id=f"2.{i}",
            title=f"Step number {i}",
            details=f"Implement part {i} of the feature carefully.",
            acceptance_criteria=[f"Part {i} works", "Tests pass"],
            test_command="pytest -q",
        )
        for i in range(1, STEPS + 1)
    ]
    return render_phase_detail(Phase(number=2, title="Phase 2", summary="Phase 2 work.", steps=steps))


def tokenize(text: str) -> list[str]:
    import re

    return re.findall(r"\S+\s*|\s+", text)


class TimedUpstream(httpx.AsyncBaseTransport):
    """Streams the tokens as Chat Completions chunks and records when each one is handed over."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.arrivals: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            yield b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n'
            for token in self.tokens:
                await asyncio.sleep(GAP_SECONDS)
                chunk = {"choices": [{"delta": {"content": token}}]}
                self.arrivals.append(time.perf_counter_ns())
                yield f"data: {json.dumps(chunk)}\n\n".encode()
            yield b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
            yield b"data: [DONE]\n\n"

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000  # noqa: E731
    return {
        "p50_us": round(pick(0.50), 1),
        "p99_us": round(pick(0.99), 1),
        "max_us": round(ordered[-1] / 1000, 1),
        "mean_us": round(statistics.fmean(ordered) / 1000, 1),
        "tokens": len(ordered),
    }


def settings_for(transport: TimedUpstream) -> Any:
    return lambda settings, stage, config: stage_settings(settings, stage, config, transport=transport)


def run_baseline(tokens: list[str]) -> list[int]:
    transport = TimedUpstream(tokens)
    seen: list[int] = []

    class StampingSink:
        async def on_token_async(self, token: str) -> None:
            seen.append(time.perf_counter_ns())

        async def on_progress_async(self, event: Any) -> None:
            return None

        async def on_completion_async(self, text: str) -> None:
            return None

    settings = stage_settings(Settings.from_env(), "phase_detail", transport=transport)
    asyncio.run(DetailedDevPlanGenerator(settings).generate(make_plan(), 2, StampingSink()))
    return [done - arrived for arrived, done in zip(transport.arrivals, seen, strict=True)]


class RecordingConnection:
    def __init__(self, raw: bytes) -> None:
        import io

        self._rfile = io.BytesIO(raw)
        self.token_writes: list[int] = []

    def makefile(self, mode: str, *args: Any) -> Any:
        return self._rfile

    def sendall(self, data: bytes) -> None:
        if b'"type":"token"' in data:
            self.token_writes.append(time.perf_counter_ns())

    def settimeout(self, timeout: float | None) -> None:
        return None


def request_bytes() -> bytes:
    body = json.dumps({"plan": make_plan().to_json_dict(), "phaseNumber": 2, "projectName": "Bench"}).encode()
    return (
        b"POST /api/plan/detail HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def run_in_process(tokens: list[str]) -> list[int]:
    transport = TimedUpstream(tokens)
    factory = settings_for(transport)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            endpoints.answer(self, lambda exchange: streams.serve_stage(exchange, streams.DETAIL, factory))

        def log_message(self, *args: Any) -> None:
            return None

    connection = RecordingConnection(request_bytes())
    Handler(connection, ("127.0.0.1", 1), None)  # type: ignore[arg-type]
    return [done - arrived for arrived, done in zip(transport.arrivals, connection.token_writes, strict=True)]


_CLIENT = """
import socket, sys, time, json
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
sock.sendall(sys.stdin.buffer.read())
buffer, stamps = b"", []
while chunk := sock.recv(65536):
    now = time.perf_counter_ns()
    buffer += chunk
    *events, buffer = buffer.split(b"\\n\\n")
    stamps.extend(now for event in events if b'"type":"token"' in event)
print(json.dumps(stamps))
"""


def run_loopback(tokens: list[str]) -> list[int]:
    """The dev server in this process; the client in another (CLOCK_MONOTONIC is shared), so the
    reader does not compete with the server for the GIL."""
    import subprocess

    from devussy.web.devserver import make_server

    transport = TimedUpstream(tokens)
    original = streams.resolve_stage_settings
    streams.resolve_stage_settings = settings_for(transport)  # type: ignore[assignment]
    server = make_server("127.0.0.1", 0, static_dir=ROOT / "no-ui")
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        client = subprocess.run(
            [sys.executable, "-c", _CLIENT, str(server.server_address[1])],
            input=request_bytes(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        received = json.loads(client.stdout)
    finally:
        streams.resolve_stage_settings = original  # type: ignore[assignment]
        server.shutdown()
        server.server_close()
    return [done - arrived for arrived, done in zip(transport.arrivals, received, strict=True)]


def main() -> None:
    os.environ.update(ENV)
    tokens = tokenize(upstream_text())
    run_in_process(tokens[:50])  # warm imports and caches
    base_samples: list[int] = []
    sse_samples: list[int] = []
    for _ in range(REPEATS):  # interleaved, so drift hits both alike
        base_samples += run_baseline(tokens)
        sse_samples += run_in_process(tokens)
    baseline = percentiles(base_samples)
    in_process = percentiles(sse_samples)
    loopback = percentiles(run_loopback(tokens))
    print(
        json.dumps(
            {
                "what": "per-token latency, upstream chunk handed to httpx -> token seen (us)",
                "upstream": {"tokens_per_run": len(tokens), "gap_ms": GAP_SECONDS * 1000, "runs": REPEATS},
                "baseline_stage_sink": baseline,
                "in_process_sse_written": in_process,
                "loopback_client_received": loopback,
                "added_by_web_layer_us": {
                    "p50": round(in_process["p50_us"] - baseline["p50_us"], 1),
                    "p99": round(in_process["p99_us"] - baseline["p99_us"], 1),
                },
                "ratio_vs_baseline": {
                    "p50": round(in_process["p50_us"] / baseline["p50_us"], 2),
                    "p99": round(in_process["p99_us"] / baseline["p99_us"], 2),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
