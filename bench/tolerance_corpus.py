"""Tolerance figures: how the answers of the corpus in ``tests/pipeline/tolerance/`` end.

Every case (recorded-style or written model answers: the original Devussy's layouts, bold / heading
/ numbered variants, tables, CRLF, fences, chatter, truncated and garbage answers) runs through the
real stage runner (``generation.generate``) with an engine that answers from the case. Prints, per
stage and in total, how many were parsed without repair, parsed after the repair round, recovered
through structured output (JSON with the stage's schema), or failed with a clear error; how many
ended differently from what the case expects; and how many phases or steps an accepted answer
announces but the result lacks (lost silently; must be 0). In the same run, the same corpus goes
through the code this branch started from (``--baseline-ref``, default the merge base with main).

    .venv/bin/python -m bench.tolerance_corpus [--baseline-ref REF | --no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package

from bench._baseline import baseline_src, default_ref, run_python
from tests.pipeline.tolerance import OUTCOMES, check_expectations, load_cases, run_case

# The same corpus and engine double, with the stage runner and parsers of the baseline's src.
BASELINE_SNIPPET = """
import asyncio, json
from collections import Counter
from tests.pipeline.tolerance import load_cases, run_case

async def go():
    outcomes, lost = Counter(), []
    for case in load_cases():
        outcome = await run_case(case)
        outcomes[outcome.outcome] += 1
        lost += [case.id + ": " + item for item in outcome.lost]
    print(json.dumps({"outcomes": dict(outcomes), "lost_silently": lost}))

asyncio.run(go())
"""


async def main_async() -> dict[str, Any]:
    cases = load_cases()
    by_stage: dict[str, Counter[str]] = {}
    unexpected: list[dict[str, Any]] = []
    lost: list[str] = []
    requests = 0
    started = time.perf_counter()
    for case in cases:
        outcome = await run_case(case)
        by_stage.setdefault(case.stage_dir, Counter())[outcome.outcome] += 1
        requests += outcome.requests
        problems = check_expectations(case, outcome)
        if problems:
            unexpected.append({"case": case.id, "problems": problems})
        lost += [f"{case.id}: {item}" for item in outcome.lost]
    total = sum(by_stage.values(), Counter())
    return {
        "bench": "tolerance_corpus",
        "cases": len(cases),
        "outcomes": {name: total[name] for name in OUTCOMES},
        "by_stage": {stage: {name: counts[name] for name in OUTCOMES} for stage, counts in by_stage.items()},
        "engine_requests": requests,
        "unexpected": unexpected,
        "lost_silently": lost,
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--baseline-ref", default=None, help="git ref to compare with (default: merge base)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async())
    if not args.no_baseline:
        ref = args.baseline_ref or default_ref()
        baseline = run_python(BASELINE_SNIPPET, src=baseline_src(ref), timeout=300)
        result["baseline"] = {"ref": ref, **baseline}
    print(json.dumps(result, indent=2))
    return 1 if result["unexpected"] or result["lost_silently"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
