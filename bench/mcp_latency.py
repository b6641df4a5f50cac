"""Tool-call latency of ``devussy mcp`` over stdio, as a coding agent sees it.

Starts ``devussy mcp`` on a 12-phase, 100-step plan as a subprocess and talks to it with the official
SDK's client over stdin/stdout (the initialize handshake Claude Code, Cursor and VS Code use). Per
tool: p50/p99 of the round trip. Baseline in the same run and over the same pipe: the protocol's
``ping`` (no work), so the ratio is what the plan work costs on top of the transport. Writes
alternate ``complete_step`` / ``reopen_step`` on one step, so every write really changes the files.

    .venv/bin/python -m bench.mcp_latency [--calls 200]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, MCPDeprecationWarning, StdioServerParameters

from bench.workspace_cli import write_big_plan


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[float], baseline: float | None) -> dict[str, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    figures = {
        "p50_ms": round(p50 * 1000, 2),
        "p99_ms": round(_percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }
    if baseline:
        figures["p50_ratio_to_ping"] = round(p50 / baseline, 1)
    return figures


async def _time(call: Callable[[], Awaitable[Any]], calls: int) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        result = await call()
        samples.append(time.perf_counter() - started)
        if getattr(result, "is_error", False):
            raise SystemExit(f"tool call failed: {result.content}")
    return samples


async def run(calls: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_big_plan(Path(tmp) / "plan")
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "devussy", "mcp", str(folder)], env=dict(os.environ)
        )
        started = time.perf_counter()
        async with Client(params, mode="legacy", cache=None) as client:
            startup = time.perf_counter() - started
            await client.send_ping()  # warm-up
            flip = {"done": False}

            async def write() -> Any:
                tool = "reopen_step" if flip["done"] else "complete_step"
                flip["done"] = not flip["done"]
                return await client.call_tool(tool, {"step_id": "1.1"})

            measured = {
                "ping": await _time(client.send_ping, calls),
                "get_status": await _time(lambda: client.call_tool("get_status", {}), calls),
                "next_steps": await _time(lambda: client.call_tool("next_steps", {}), calls),
                "get_step": await _time(lambda: client.call_tool("get_step", {"step_id": "7.4"}), calls),
                "complete_or_reopen_step": await _time(write, calls),
            }
    baseline = statistics.median(measured["ping"])
    return {
        "plan": {"phases": 12, "steps": 100},
        "calls_per_tool": calls,
        "server_start_and_handshake_ms": round(startup * 1000, 1),
        "tools": {
            name: summary(samples, None if name == "ping" else baseline) for name, samples in measured.items()
        },
    }


def main() -> None:
    # ping is deprecated for the 2026-07-28 protocol; the handshake-era protocol agents speak still has it
    warnings.simplefilter("ignore", MCPDeprecationWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if not 1 <= args.calls <= 5000:
        raise SystemExit("--calls must be 1..5000")
    print(json.dumps(anyio.run(run, args.calls), indent=2))


if __name__ == "__main__":
    main()
