"""The interview CPU denial of service (issue 12), before and after, and how the offline engine's time
grows with its input.

1. ``dos``: one ``/api/interview`` body under 1 MB whose history is long and full of technology names
   (what made the builtin engine compare every pair of name matches). CPU seconds the offline engine
   spends on it, with this branch's code and with the code before it (``git archive`` of the merge base
   with main, run in a fresh interpreter), plus what the API now answers to that body (a 413 before any
   stream) and how long that takes.
2. ``blanks``: a regex shape that backtracked quadratically (``... do not need`` + blanks), before/after.
3. ``growth``: the engine's time (this branch, limits bypassed) against input size, 1 KB … 1 MB, for
   several shapes; ``exponent`` is log(t2/t1)/log(n2/n1) between neighbouring sizes: 1 means linear,
   2 quadratic. ``us_per_kchar`` should stay flat.

    .venv/bin/python -m bench.interview_dos [--baseline-ref REF] [--no-baseline] [--repeats 3]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `bench` and `tests` are not installed packages

from bench._baseline import baseline_src, default_ref, run_python  # noqa: E402
from devussy.models import ChatTurn  # noqa: E402
from devussy.planner.interview import interview_reply  # noqa: E402

NAMES = "react native postgres redis stripe "
TURN_CHARS = 18_000  # a chat turn may hold 20 000


def dos_body(turns: int = 14) -> dict[str, Any]:
    """An /api/interview body: ``turns`` user turns of technology names, answered by a question each."""
    content = (NAMES * (TURN_CHARS // len(NAMES) + 1))[:TURN_CHARS]
    history: list[dict[str, str]] = []
    for _ in range(turns):
        history += [{"role": "user", "content": content}, {"role": "assistant", "content": "Tell me more?"}]
    return {"userInput": "and also " + content[:1000], "history": history}


def blanks_body(chars: int) -> dict[str, Any]:
    return {"userInput": "we do not need " + " " * chars + "x", "history": []}


def shaped(shape: str, chars: int) -> dict[str, Any]:
    """An interview of about ``chars`` characters, split into chat turns, in one of several shapes."""
    unit = {
        "names": NAMES,
        "prose": "An app to track expenses and split bills with friends, with sign-in and payments. ",
        "blanks after a negation": "we do not need" + " " * 200 + "\n",
        "numbers with commas": "1," * 100 + " ",
    }[shape]
    text = (unit * (chars // len(unit) + 1))[:chars]
    turns = [text[i : i + TURN_CHARS] for i in range(0, len(text), TURN_CHARS)]
    history: list[dict[str, str]] = []
    for turn in turns[:-1]:
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": "Anything else?"}]
    return {"userInput": turns[-1], "history": history}


MEASURE = """
import json, sys, time
from devussy.models import ChatTurn
from devussy.planner.interview import interview_reply
body = json.loads(sys.stdin.read())
history = [ChatTurn(**turn) for turn in body["history"]]
cpu, wall = time.process_time(), time.perf_counter()
interview_reply(history, body["userInput"])
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"cpu_s": round(cpu, 4), "wall_s": round(wall, 4)}))
"""


def engine_seconds(body: dict[str, Any], repeats: int) -> float:
    history = [ChatTurn.model_validate(turn) for turn in body["history"]]
    best = math.inf
    for _ in range(repeats):
        started = time.process_time()
        interview_reply(history, body["userInput"])
        best = min(best, time.process_time() - started)
    return best


def api_answer(body: dict[str, Any]) -> dict[str, Any]:
    import os

    from tests.web.helpers import call, load_api_handler

    os.environ["DEVUSSY_PROVIDER"] = "builtin"
    handler = load_api_handler("interview.py")
    started = time.perf_counter()
    response = call(handler, "POST", "/api/interview", body)
    elapsed = time.perf_counter() - started
    answer = response.json()
    return {"status": response.status, "code": answer.get("code"), "answer_ms": round(elapsed * 1000, 1),
            "message": answer.get("error")}


def growth(repeats: int) -> dict[str, Any]:
    sizes = [1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000]
    result: dict[str, Any] = {}
    for shape in ("names", "prose", "blanks after a negation", "numbers with commas"):
        rows = []
        for size in sizes:
            seconds = engine_seconds(shaped(shape, size), repeats if size < 256_000 else 1)
            per_kchar = round(seconds / size * 1e9, 1)
            rows.append({"chars": size, "cpu_s": round(seconds, 4), "us_per_kchar": per_kchar})
        for before, after in itertools.pairwise(rows):
            ratio = max(after["cpu_s"], 1e-6) / max(before["cpu_s"], 1e-6)
            after["exponent"] = round(math.log(ratio) / math.log(after["chars"] / before["chars"]), 2)
        result[shape] = rows
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-ref", help="git ref of the code before (default: the merge base)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline-timeout", type=float, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    dos = dos_body()
    blanks = blanks_body(16_000)
    report: dict[str, Any] = {
        "dos_body_bytes": len(json.dumps(dos).encode()),
        "dos_turns": len(dos["history"]) + 1,
        "dos_chars": sum(len(t["content"]) for t in dos["history"]) + len(dos["userInput"]),
    }
    after = {"dos_cpu_s": round(engine_seconds(dos, args.repeats), 4),
             "blanks_16k_cpu_s": round(engine_seconds(blanks, args.repeats), 4)}
    report["after"] = after
    report["api_answer_to_dos_body"] = api_answer(dos)
    if not args.no_baseline:
        ref = args.baseline_ref or default_ref()
        src = baseline_src(ref)
        report["baseline_ref"] = ref
        timeout = args.baseline_timeout
        report["before"] = {
            "dos": run_python(MEASURE, src=src, timeout=timeout, stdin=json.dumps(dos)),
            "blanks_16k": run_python(MEASURE, src=src, timeout=timeout, stdin=json.dumps(blanks)),
        }
        before_dos = report["before"]["dos"].get("cpu_s")
        if before_dos:
            report["dos_speedup"] = round(before_dos / max(after["dos_cpu_s"], 1e-6), 1)
    report["growth"] = growth(args.repeats)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
