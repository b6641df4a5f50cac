"""Long offline-engine work behind the API: do heartbeats keep coming, and does a disconnect stop it?

The builtin engine's interview is made to take ``--work`` seconds of pure-Python CPU (what a long planner
run is), served by the dev server with ``DEVUSSY_HEARTBEAT_SECONDS=--heartbeat``. Measured with this
branch's code and, in the same run, with the code before it (a fresh interpreter importing ``src/`` and
``api/`` of the merge base with main), each over loopback:

- ``heartbeat``: gaps between the bytes a client receives while the engine works (from the ``start``
  event to the first token); ``max_gap_s`` should stay near the heartbeat interval, not the work time;
- ``disconnect``: the client closes its socket mid-work; ``stage_stopped_ms`` is how long until the
  server has cancelled the stage (its "client disconnected" log line), ``engine_finished_ms`` how long
  until the planner call itself returned. Python cannot stop a thread, so the engine runs to the end of
  its current call; the input limits (``MAX_INTERVIEW_*``) bound how long that is.

    .venv/bin/python -m bench.builtin_heartbeat [--work 2] [--heartbeat 0.2] [--trials 5] [--no-baseline]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._baseline import baseline_src, default_ref, run_python  # noqa: E402

MEASURE = r"""
import contextlib, io, json, logging, os, socket, statistics, sys, threading, time
from pathlib import Path
spec = json.loads(sys.stdin.read())
os.environ["DEVUSSY_PROVIDER"] = "builtin"
os.environ["DEVUSSY_HEARTBEAT_SECONDS"] = str(spec["heartbeat"])
from devussy.planner.engine import OfflinePlanner
from devussy.web.devserver import make_server

finished = []
original = OfflinePlanner.interview

def slow_interview(self, history, user_input):
    end = time.monotonic() + spec["work"]
    n = 0
    while time.monotonic() < end:  # pure-Python CPU work, holding the GIL as the planner does
        n += sum(i * i for i in range(200))
    result = original(self, history, user_input)
    finished.append(time.monotonic())
    return result

OfflinePlanner.interview = slow_interview

stopped = []
class Stopped(logging.Handler):
    def emit(self, record):
        if "client disconnected" in record.getMessage():
            stopped.append(time.monotonic())
logging.getLogger("devussy.web").addHandler(Stopped())
logging.getLogger("devussy.web").setLevel(logging.INFO)

BODY = json.dumps({"userInput": "a recipe box web app", "history": []}).encode()
REQUEST = (b"POST /api/interview HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
           + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)

def heartbeat_trial(port):
    arrivals, received = [], b""
    with socket.create_connection(("127.0.0.1", port), timeout=spec["work"] * 5) as sock:
        sock.sendall(REQUEST)
        while True:  # to the end of the stream, so that no stage is left running into the next trial
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            arrivals.append((time.monotonic(), chunk))
    start = next(t for t, c in arrivals if b"event: start" in c)
    first_token = next(t for t, c in arrivals if b"event: token" in c)
    times = [start] + [t for t, c in arrivals if start < t < first_token] + [first_token]
    gaps = [b - a for a, b in zip(times, times[1:])]
    pings = sum(c.count(b": ping") for t, c in arrivals if start <= t <= first_token)
    return max(gaps), pings

def disconnect_trial(port):
    finished.clear(); stopped.clear()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(REQUEST)
    received = b""
    while b"event: start" not in received:
        received += sock.recv(65536)
    time.sleep(spec["work"] / 4)  # mid-work
    closed = time.monotonic()
    sock.close()
    deadline = time.monotonic() + spec["work"] * 5
    while (not stopped or not finished) and time.monotonic() < deadline:
        time.sleep(0.005)
    stage = (stopped[0] - closed) * 1000 if stopped else None
    engine = (finished[0] - closed) * 1000 if finished else None
    return stage, engine

api_dir = Path(spec["api_dir"])
with contextlib.redirect_stderr(io.StringIO()):
    import inspect  # the code before this branch's merge of main took the api/ folder as an argument
    extra = {"api_dir": api_dir} if "api_dir" in inspect.signature(make_server).parameters else {}
    server = make_server("127.0.0.1", 0, static_dir=api_dir / "no-ui", **extra)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    beats = [heartbeat_trial(port) for _ in range(spec["trials"])]
    drops = [disconnect_trial(port) for _ in range(spec["trials"])]
    server.shutdown()

def dist(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return {"p50": round(statistics.median(values), 1), "max": round(values[-1], 1)}

print(json.dumps({
    "heartbeat": {"max_gap_s": dist([g for g, _ in beats]), "pings_during_work": dist([p for _, p in beats])},
    "disconnect": {
        "stage_stopped_ms": dist([s for s, _ in drops]),
        "engine_finished_ms": dist([f for _, f in drops]),
        "stage_never_stopped": sum(1 for s, _ in drops if s is None),
    },
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=float, default=2.0, help="seconds of engine work per request")
    parser.add_argument("--heartbeat", type=float, default=0.2, help="DEVUSSY_HEARTBEAT_SECONDS")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--baseline-ref")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    spec = {"work": args.work, "heartbeat": args.heartbeat, "trials": args.trials}
    timeout = 60 + args.work * args.trials * 12
    report: dict[str, Any] = {**spec}
    report["after"] = run_python(
        MEASURE, src=ROOT / "src", timeout=timeout, stdin=json.dumps({**spec, "api_dir": str(ROOT / "api")})
    )
    if not args.no_baseline:
        ref = args.baseline_ref or default_ref()
        src = baseline_src(ref)
        report["baseline_ref"] = ref
        report["before"] = run_python(
            MEASURE, src=src, timeout=timeout, stdin=json.dumps({**spec, "api_dir": str(src.parent / "api")})
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
