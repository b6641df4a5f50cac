"""A fuzz run of the HTTP layer: how many tracebacks, 5xx answers and hangs (the answer should be 0, 0, 0).

1. ``hypothesis``: the schema-based suite (``tests/api/test_fuzz.py``: schema-valid bodies, mutated and
   hostile bodies, hostile headers) and the raw-socket suite (``tests/web/test_malformed_requests.py``),
   with ``DEVUSSY_FUZZ_EXAMPLES`` examples per property.
2. ``raw_socket``: ``--requests`` requests generated at random (seeded) and sent over loopback to the dev
   server: odd methods, paths up to 10 000 characters, HTTP versions, Host/Origin/Authorization values,
   missing, duplicate, negative, non-numeric and absurd Content-Lengths, chunked bodies, bodies that are
   not JSON, not UTF-8 or hostile JSON, 70 KB header lines, 150 headers, senders that dribble their bytes
   and senders that hang up half way. The dev server's socket timeout is lowered from 120 s to 2 s so that
   a body that never arrives is answered (408) within the run. A hang is no answer within 10 s.
   ``tracebacks`` counts "Traceback" on stderr plus error log records.

    .venv/bin/python -m bench.http_fuzz [--requests 1500] [--examples 60] [--seed 12] [--no-hypothesis]

Prints one JSON object. ``5xx`` counts every 5xx answer: an unknown method (``BREW``) is a 405 and an
HTTP version other than 1.x a 400, so any 5xx is a fault of ours.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import logging
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANSWER_SECONDS = 10.0
VALID = b'{"projectName": "Blog", "requirements": "A tiny blog with comments"}'
LONG_HISTORY = json.dumps([{"role": "user", "content": "x" * 19_000}] * 45).encode()
HOSTILE_BODIES = [
    b'{"a": NaN}', b'{"a": ' + b"9" * 5000 + b"}", b"[" * 20_000,
    b'{"projectName": "\\ud83d", "requirements": "x"}', b'{"a": "\xff\xfe"}', b"\x00\x01\x02",
    b'{"userInput": "' + b"react native postgres " * 900 + b'"}',
    b'{"userInput": "hi", "history": ' + LONG_HISTORY + b"}",
    b'{"plan": {"projectName": "x"}, "phaseNumber": 1e999}', b"{}", b"null", b'"x"',
]
PATHS = ["/api/design", "/api/interview", "/api/plan/basic", "/api/plan/detail", "/api/handoff",
         "/api/artifacts", "/api/artifacts?format=json", "/api/models", "/api/health", "/api/openapi.json",
         "/api/nope", "/", "/index.html", "/../etc/passwd", "/%2e%2e/x", "/api/health?token=sk-SECRET"]


def random_request(rng: random.Random) -> tuple[bytes, str]:
    """Request bytes and how to deliver them: "all", "dribble" or "hang-up"."""
    method = rng.choice(["GET", "POST", "POST", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "BREW", "G\x00T"])
    path = rng.choice(PATHS)
    roll = rng.random()
    if roll < 0.1:
        path = "/" + "a" * rng.choice([300, 1100, 5000, 10_000])
    elif roll < 0.15:
        path = "/api/" + "".join(rng.choice("%./\\?#é\u2603x") for _ in range(rng.randint(1, 60)))
    versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "", "HTTP/x"]
    version = rng.choices(versions, [70, 15, 3, 2, 5, 5])[0]
    noise = bytes(rng.randrange(256) for _ in range(rng.randint(0, 80)))
    body = rng.choice([VALID, VALID, *HOSTILE_BODIES, noise])
    headers: list[tuple[str, str]] = []
    hosts = ["localhost", "127.0.0.1:8000", "evil.example", "[zz", None, "x" * 300]
    host = rng.choices(hosts, [60, 10, 10, 5, 10, 5])[0]
    if host is not None:
        headers.append(("Host", host))
    if rng.random() < 0.8:
        media = rng.choice(["application/json", "text/plain", "application/json; x=y"])
        headers.append(("Content-Type", media))
    lengths = [str(len(body)), None, str(len(body) + rng.randint(1, 50)), "-1", "abc", "+3", "1_0",
               str(10**26), "2, 2"]
    length = rng.choices(lengths, [60, 8, 8, 4, 4, 4, 4, 4, 4])[0]
    if length is not None:
        headers.append(("Content-Length", length))
        if rng.random() < 0.05:
            headers.append(("Content-Length", str(len(body))))
    if rng.random() < 0.05:
        headers.append(("Transfer-Encoding", "chunked"))
    if rng.random() < 0.15:
        headers.append(("Origin", rng.choice(["http://localhost", "http://evil.example", "null", "\x7f"])))
    if rng.random() < 0.1:
        headers.append(("Authorization", rng.choice(["Bearer x", "Basic abc", "Bearer " + "é" * 20])))
    if rng.random() < 0.05:
        headers.append(("X-Big", "b" * rng.choice([1000, 70_000])))
    if rng.random() < 0.03:
        headers += [(f"X-{index}", "1") for index in range(150)]
    line = f"{method} {path} {version}".rstrip()
    head = line + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    delivery = rng.choices(["all", "dribble", "hang-up"], [85, 8, 7])[0]
    return head.encode("utf-8") + body, delivery


def exchange(port: int, data: bytes, delivery: str) -> bytes | None:
    """The answer (None for a sender that hung up); raises TimeoutError if none comes in time."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_SECONDS) as sock:
        if delivery == "hang-up":
            sock.sendall(data[: max(1, len(data) // 2)])
            return None
        if delivery == "dribble":
            for index in range(0, len(data), max(1, len(data) // 8)):
                sock.sendall(data[index : index + max(1, len(data) // 8)])
                time.sleep(0.01)
        else:
            sock.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def status_of(answer: bytes) -> str:
    match = re.match(rb"HTTP/\d\.\d (\d{3})", answer)
    if match:
        return match.group(1).decode()
    match = re.search(rb"Error code: (\d{3})", answer)  # http.server's HTTP/0.9-style error page
    if match:
        return match.group(1).decode()
    return "HTTP/0.9 answer (a body, no status line)" if answer else "closed without an answer"


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage()[:300])


def raw_socket_run(count: int, seed: int) -> dict[str, Any]:
    from devussy.web.devserver import DevRequestHandler
    from tests.web.helpers import running_dev_server

    os.environ["DEVUSSY_PROVIDER"] = "builtin"
    DevRequestHandler.timeout = 2
    rng = random.Random(seed)
    statuses: collections.Counter[str] = collections.Counter()
    hangs: list[str] = []
    errors = Errors()
    logging.getLogger().addHandler(errors)
    stderr = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(stderr), running_dev_server() as port:
        for _ in range(count):
            data, delivery = random_request(rng)
            try:
                answer = exchange(port, data, delivery)
            except TimeoutError:
                hangs.append(data[:120].decode("latin-1"))
                continue
            except (ConnectionResetError, BrokenPipeError):
                statuses["connection reset while sending (server answered early and closed)"] += 1
                continue
            statuses["sender hung up" if answer is None else status_of(answer)] += 1
        time.sleep(0.3)  # let the last handler threads log
        alive = exchange(port, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n", "all") or b""
    logging.getLogger().removeHandler(errors)
    server_errors = {s: n for s, n in statuses.items() if s.startswith("5")}
    return {
        "requests": count,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
        "by_status": dict(sorted(statuses.items())),
        "5xx": sum(server_errors.values()),
        "tracebacks": stderr.getvalue().count("Traceback") + len(errors.records),
        "error_log_records": errors.records[:5],
        "hangs": len(hangs),
        "hang_examples": hangs[:3],
        "server_answers_after": status_of(alive),
    }


def hypothesis_run(examples: int) -> dict[str, Any]:
    env = {**os.environ, "DEVUSSY_FUZZ_EXAMPLES": str(examples)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "tests/api/test_fuzz.py",
         "tests/web/test_malformed_requests.py"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )
    summary = done.stdout.strip().splitlines()[-1].strip("= ") if done.stdout.strip() else done.stderr[-300:]
    return {"examples_per_property": examples, "result": summary, "exit_code": done.returncode,
            "tracebacks_in_output": done.stdout.count("Traceback"),
            "seconds": round(time.perf_counter() - started)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-hypothesis", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"raw_socket": raw_socket_run(args.requests, args.seed)}
    if not args.no_hypothesis:
        report["hypothesis"] = hypothesis_run(args.examples)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
