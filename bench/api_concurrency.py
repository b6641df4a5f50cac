"""200 concurrent /api/plan/detail streams on the dev server against the loopback provider.

Three processes: the fake OpenAI-compatible upstream (tests/fakes/openai_server.py, paced tokens),
the dev server (``dev_server.py``, provider=openai pointed at the fake) and this client, which
opens every stream at once with asyncio and checks that each stream's tokens are exactly the
upstream's tokens, in order, ending in one ``done``. Baseline in the same run: one stream alone.
Reports completion, token loss/reordering, stream durations and the dev server's peak RSS (VmHWM).

    .venv/bin/python -m bench.api_concurrency [--streams 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TOKENS_PER_SECOND = 100
STEPS = 6


def phase_text(request: dict[str, Any] | None = None) -> str:
    """The upstream's answer (also the fake server's --responder): a valid detailed phase 2."""
    from devussy.models import Phase, Step
    from devussy.stages.detail import render_phase_detail

    steps = [
        Step(
            id=f"2.{i}",
            title=f"Step {i}",
            details=f"Build part {i} of the feature.",
            acceptance_criteria=[f"Part {i} works"],
            test_command="pytest -q",
        )
        for i in range(1, STEPS + 1)
    ]
    return render_phase_detail(Phase(number=2, title="Build", summary="Build the feature.", steps=steps))


def tokenize(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def request_bytes() -> bytes:
    from devussy.models import DevPlan, Phase

    plan = DevPlan(
        project_name="Bench",
        summary="Concurrency bench.",
        phases=[
            Phase(number=1, title="Setup", summary="Set up."),
            Phase(number=2, title="Build", summary="Build the feature.", depends_on=[1]),
        ],
    )
    body = json.dumps({"plan": plan.to_json_dict(), "phaseNumber": 2, "projectName": "Bench"}).encode()
    return (
        b"POST /api/plan/detail HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


async def one_stream(port: int, payload: bytes) -> dict[str, Any]:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    raw = await reader.read()  # the server closes the connection after the terminal event
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    events = []
    for block in body.decode("utf-8").split("\n\n"):
        data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
        if data:
            events.append(json.loads(data[0]))
    return {
        "status": int(head.split()[1]) if head else 0,
        "events": events,
        "seconds": time.monotonic() - started,
    }


def check(result: dict[str, Any], expected: list[str]) -> dict[str, Any]:
    tokens = [event["content"] for event in result["events"] if event["type"] == "token"]
    terminal = [event for event in result["events"] if event["type"] in ("done", "error")]
    return {
        "completed": result["status"] == 200 and len(terminal) == 1 and terminal[0]["type"] == "done",
        "exact": tokens == expected,
        "lost": max(0, len(expected) - len(tokens)),
        "reordered": tokens != expected and sorted(tokens) == sorted(expected),
    }


async def run_streams(port: int, count: int) -> list[dict[str, Any]]:
    payload = request_bytes()
    return list(await asyncio.gather(*(one_stream(port, payload) for _ in range(count))))


def start(command: list[str], env: dict[str, str], ready: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if ready not in line:
        process.kill()
        raise SystemExit(f"{command[1:3]} did not start: {line!r}")
    return process, line


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def summarize(results: list[dict[str, Any]], expected: list[str]) -> dict[str, Any]:
    checks = [check(result, expected) for result in results]
    seconds = sorted(result["seconds"] for result in results)
    return {
        "streams": len(results),
        "completed": sum(c["completed"] for c in checks),
        "exact_token_sequences": sum(c["exact"] for c in checks),
        "tokens_lost": sum(c["lost"] for c in checks),
        "streams_reordered": sum(c["reordered"] for c in checks),
        "stream_seconds_p50": round(seconds[len(seconds) // 2], 2),
        "stream_seconds_max": round(seconds[-1], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=200)
    args = parser.parse_args(argv)
    expected = tokenize(phase_text())
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEVUSSY_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    upstream, line = start(
        [
            sys.executable,
            "-m",
            "tests.fakes.openai_server",
            "--port",
            "0",
            "--tokens-per-second",
            str(TOKENS_PER_SECOND),
            "--responder",
            "bench.api_concurrency:phase_text",
        ],
        env,
        "READY",
    )
    base_url = line.split()[1]
    server_env = {
        **env,
        "DEVUSSY_PROVIDER": "openai",
        "DEVUSSY_BASE_URL": base_url,
        "DEVUSSY_MODEL": "fake-model",
        "DEVUSSY_MAX_RETRIES": "0",
    }
    server, line = start([sys.executable, "dev_server.py", "--port", "0"], server_env, "http://")
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    try:
        rss_idle = peak_rss_mb(server.pid)
        baseline = asyncio.run(run_streams(port, 1))
        rss_after_one = peak_rss_mb(server.pid)
        cpu_before = cpu_seconds(server.pid), cpu_seconds(upstream.pid)
        started = time.monotonic()
        results = asyncio.run(run_streams(port, args.streams))
        wall = time.monotonic() - started
        rss_peak = peak_rss_mb(server.pid)
        server_cpu = cpu_seconds(server.pid) - cpu_before[0]
        upstream_cpu = cpu_seconds(upstream.pid) - cpu_before[1]
    finally:
        stop(server)
        stop(upstream)
    print(
        json.dumps(
            {
                "what": f"{args.streams} concurrent /api/plan/detail streams: dev server, loopback upstream",
                "upstream": {"tokens_per_stream": len(expected), "tokens_per_second": TOKENS_PER_SECOND},
                "baseline_single_stream": summarize(baseline, expected),
                "concurrent": {**summarize(results, expected), "wall_seconds": round(wall, 2)},
                "duration_ratio_p50_vs_single": round(
                    summarize(results, expected)["stream_seconds_p50"]
                    / summarize(baseline, expected)["stream_seconds_p50"],
                    2,
                ),
                "server_rss_mb": {"idle": rss_idle, "after_one_stream": rss_after_one, "peak": rss_peak},
                "cpu_seconds_during_concurrent_run": {
                    "dev_server": round(server_cpu, 2),
                    "fake_upstream": round(upstream_cpu, 2),
                    "dev_server_us_per_token": round(server_cpu / (args.streams * len(expected)) * 1e6, 1),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
