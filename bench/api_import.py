"""Cold start of each serverless function: ``python -X importtime`` of the api module, plus the
first request it answers (which pays for the lazy imports), each in a fresh interpreter.

Baselines from the same run: an empty interpreter and ``import pydantic`` alone.

    .venv/bin/python -m bench.api_import
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from devussy.web.routes import ROUTES  # noqa: E402

REPEATS = 3
_LOAD = """
import importlib.util, sys, time
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("fn", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.perf_counter()
if sys.argv[2] != "-":
    import io
    class Conn:
        def __init__(self, raw): self.r = io.BytesIO(raw); self.sent = bytearray()
        def makefile(self, *a, **k): return self.r
        def sendall(self, data): self.sent += data
        def settimeout(self, t): pass
    method, path, body = sys.argv[2], sys.argv[3], sys.argv[4].encode()
    head = f"{method} {path} HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Type: application/json\\r\\n"
    head += f"Content-Length: {len(body)}\\r\\n\\r\\n"
    conn = Conn(head.encode() + body)
    module.handler.log_message = lambda *a: None
    module.handler(conn, ("127.0.0.1", 1), None)
    status = int(bytes(conn.sent).split(b" ", 2)[1])
else:
    status = 0
t2 = time.perf_counter()
print(f"{(t1 - t0) * 1000:.2f} {(t2 - t1) * 1000:.2f} {status}")
"""


def first_request(route_path: str, method: str) -> tuple[str, str]:
    if method == "GET":
        return "GET", "{}"
    if route_path == "/api/design":
        return "POST", json.dumps({"projectName": "Cold start", "requirements": "Measure a cold start."})
    return "POST", "{}"  # a validation error: parses the body and builds the request models


def importtime(path: Path) -> tuple[float, list[tuple[str, float]]]:
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('fn', sys.argv[1]); "
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        check=True,
    )
    total_us = 0
    top: list[tuple[str, float]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        total_us += int(self_us)
        if not name.startswith(" "):  # top-level import: its cumulative time is what it cost
            top.append((name.strip(), int(cumulative_us) / 1000))
    top.sort(key=lambda item: -item[1])
    return total_us / 1000, top[:4]


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEVUSSY_", "OPENAI_"))}
    env["DEVUSSY_PROVIDER"] = "builtin"
    return env


def wall(args: list[str]) -> list[float]:
    samples = []
    for _ in range(REPEATS):
        proc = subprocess.run(
            [sys.executable, "-c", _LOAD, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=_env(),
            check=True,
        )
        samples.append([float(value) for value in proc.stdout.split()])
    return min(samples, key=lambda row: row[0] + row[1])  # the least disturbed run (the machine is shared)


def baseline(code: str) -> float:
    times = []
    for _ in range(REPEATS):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter(); {code}; print((time.perf_counter()-t)*1000)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(proc.stdout))
    return round(min(times), 2)


def main() -> None:
    results = {}
    for route in ROUTES:
        path = ROOT / "api" / route.api_file
        total_ms, heaviest = min((importtime(path) for _ in range(REPEATS)), key=lambda result: result[0])
        method, body = first_request(route.path, route.method)
        import_ms, request_ms, status = wall([str(path), method, route.path, body])
        results[f"api/{route.api_file}"] = {
            "importtime_total_ms": round(total_ms, 1),
            "import_wall_ms": round(import_ms, 1),
            "first_request_ms": round(request_ms, 1),
            "first_request_status": int(status),
            "heaviest_top_level_imports_ms": {name: round(ms, 1) for name, ms in heaviest},
        }
    print(
        json.dumps(
            {
                "what": "cold start per api module, best of 3: import (-X importtime; wall) + first request",
                "baseline_ms": {
                    "import pydantic": baseline("import pydantic; from pydantic import BaseModel"),
                    "import httpx": baseline("import httpx"),
                },
                "functions": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
