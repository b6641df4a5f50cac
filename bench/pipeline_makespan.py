"""Pipelining payoff: how long a whole run takes versus its stages measured one at a time.

Runs the real ``PipelineRunner`` with ``OpenAIProvider`` against the loopback ``FakeOpenAIServer``
(answering every stage prompt with the offline planner's output, ``tests/fakes/stage_responder.py``;
in its own process, as a real server would be) at a fixed token rate per stream, for briefs that
yield 3, 6 and 12 phases. In the same run it measures each unit alone (design, plan, every phase
detail, handoff; one at a time, nothing else streaming) and reports

- ``ratio_vs_critical_path`` = makespan / (design + plan + max(phase detail) + handoff): the best a
  runner could do if it waited for the whole plan and then ran all details at once. Below 1.0 means
  details overlapping the plan stream pay off (pipelining);
- ``ratio_vs_sequential`` = makespan / (design + plan + Σ phase details + handoff): the speed-up over
  running everything one after the other.

The handoff starts once the plan is final and the start phase's first step is complete in its detail
stream, so with every phase at once (``concurrency`` = phases) the makespan can beat the sequential-
stage bound by more than pipelining the details alone. ``phases_differing_from_solo`` lists the phases
whose steps differ from the solo run, ``handoff_differs_from_solo`` whether the handoff does.

With ``--baseline-ref`` (default: the merge base with main; ``--no-baseline`` skips it) the same fake
server and briefs run, every phase at once, through the runner of that ref, in the same bench run.

    .venv/bin/python -m bench.pipeline_makespan [--tokens-per-second 400] [--phases 3,6,12] [--concurrency 3]

Prints one JSON object. ``--concurrency`` is the default runner limit; each brief is also run with
the limit equal to its phase count (no queuing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package

from bench._baseline import baseline_src, default_ref, run_python
from devussy.llm.openai import OpenAIProvider
from devussy.models import DevPlan, Handoff, ProjectBrief
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    ProjectDesignGenerator,
)
from devussy.pipeline.runner import PipelineRunner
from devussy.planner.complexity import assess_complexity
from devussy.streaming import NullStreamingHandler

T = TypeVar("T")

_WEB = "A web app where small teams track tasks, with user accounts, a REST API and a React front end."
BRIEFS: dict[int, ProjectBrief] = {
    3: ProjectBrief(
        name="photo-renamer",
        summary="A small command-line tool in Python that renames photos by the date they were taken.",
    ),
    6: ProjectBrief(
        name="TeamTasks",
        summary=_WEB,
        languages=["Python", "TypeScript"],
        frameworks=["FastAPI", "React"],
        data_stores=["PostgreSQL", "Redis"],
    ),
    12: ProjectBrief(
        name="MarketHub",
        summary=(
            "A multi-tenant SaaS marketplace with several microservices, user accounts and roles, payments "
            "with Stripe, search, real-time chat, email notifications, an admin dashboard, a mobile app, "
            "analytics and high availability at scale for millions of users."
        ),
        languages=["Go", "TypeScript", "Kotlin"],
        frameworks=["Next.js", "gRPC"],
        data_stores=["PostgreSQL", "Redis", "Elasticsearch"],
        integrations=["Stripe", "SendGrid", "Twilio", "Auth0"],
        constraints=["GDPR compliance", "99.9% uptime"],
    ),
}


async def timed(work: Awaitable[StageResult[T]]) -> tuple[float, StageResult[T]]:
    started = time.perf_counter()
    result = await work
    return time.perf_counter() - started, result


async def solo_stages(settings: StageSettings, brief: ProjectBrief) -> dict[str, Any]:
    """Every unit alone, one after the other."""
    sink = NullStreamingHandler()
    design_s, design = await timed(ProjectDesignGenerator(settings).generate(brief, sink))
    plan_s, plan = await timed(BasicDevPlanGenerator(settings).generate(design.value, sink))
    details: dict[int, float] = {}
    detailed: DevPlan = plan.value
    tokens = design.usage.completion_tokens + plan.usage.completion_tokens
    for phase in plan.value.phases:
        seconds, result = await timed(
            DetailedDevPlanGenerator(settings).generate(plan.value, phase.number, sink)
        )
        details[phase.number] = seconds
        detailed = detailed.with_phase(result.value)
        tokens += result.usage.completion_tokens
    handoff_s, handoff = await timed(HandoffPromptGenerator(settings).generate(design.value, detailed, sink))
    tokens += handoff.usage.completion_tokens
    return {
        "design": design_s,
        "plan": plan_s,
        "details": details,
        "handoff": handoff_s,
        "phases": len(plan.value.phases),
        "completion_tokens": tokens,
        "detailed": detailed,
        "handoff_value": handoff.value,
    }


async def makespan(
    settings: StageSettings, brief: ProjectBrief, concurrency: int
) -> tuple[float, DevPlan, Handoff]:
    runner = PipelineRunner(lambda stage: settings, concurrency=concurrency)
    started = time.perf_counter()
    result = await runner.run(brief)
    return time.perf_counter() - started, result.plan, result.handoff


async def bench_brief(
    settings: StageSettings, target: int, brief: ProjectBrief, concurrency: int
) -> dict[str, Any]:
    solo = await solo_stages(settings, brief)
    critical = solo["design"] + solo["plan"] + max(solo["details"].values()) + solo["handoff"]
    sequential = solo["design"] + solo["plan"] + sum(solo["details"].values()) + solo["handoff"]
    runs = {}
    for limit in sorted({concurrency, solo["phases"]}):
        seconds, plan, handoff = await makespan(settings, brief, limit)
        differing = [
            p.number for p, q in zip(plan.phases, solo["detailed"].phases, strict=True) if p.steps != q.steps
        ]
        runs[f"concurrency_{limit}"] = {
            # details started from the plan-so-far may differ from ones written from the whole plan
            "phases_differing_from_solo": differing,
            # the handoff written from the start phase's first steps may differ from one written last
            "handoff_differs_from_solo": handoff != solo["handoff_value"],
            "makespan_s": round(seconds, 3),
            "ratio_vs_critical_path": round(seconds / critical, 3),
            "ratio_vs_sequential": round(seconds / sequential, 3),
        }
    return {
        "brief": brief.name,
        "target_phases": target,
        "complexity_phase_count": assess_complexity(brief).phase_count,
        "phases": solo["phases"],
        "completion_tokens": solo["completion_tokens"],
        "solo_s": {
            "design": round(solo["design"], 3),
            "plan": round(solo["plan"], 3),
            "phase_detail_max": round(max(solo["details"].values()), 3),
            "phase_detail_mean": round(sum(solo["details"].values()) / len(solo["details"]), 3),
            "handoff": round(solo["handoff"], 3),
        },
        "critical_path_s": round(critical, 3),
        "sequential_s": round(sequential, 3),
        "runs": runs,
    }


@contextmanager
def fake_server(tokens_per_second: float) -> Iterator[str]:
    """Start the loopback server in a subprocess; yields its base URL and stops it afterwards."""
    root = Path(__file__).resolve().parents[1]
    command = [
        sys.executable, "-m", "tests.fakes.openai_server", "--port", "0",
        "--tokens-per-second", str(tokens_per_second), "--responder", "tests.fakes.stage_responder:respond",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"the fake server did not start: {line!r}")
        yield line.split()[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


BASELINE_SNIPPET = """
import asyncio, json, time
from bench.pipeline_makespan import BRIEFS
from devussy.llm.openai import OpenAIProvider
from devussy.pipeline.base import StageSettings
from devussy.pipeline.runner import PipelineRunner

async def go():
    provider = OpenAIProvider(base_url=%(url)r, api_key="sk-bench", model="fake-model")
    settings = StageSettings(provider=provider, model="fake-model")
    seconds = {}
    for target, phases in %(runs)r:
        runner = PipelineRunner(lambda stage: settings, concurrency=phases)
        started = time.perf_counter()
        await runner.run(BRIEFS[target])
        seconds[str(target)] = time.perf_counter() - started
    print(json.dumps(seconds))

asyncio.run(go())
"""


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    targets = [int(n) for n in args.phases.split(",")]
    results = []
    with fake_server(args.tokens_per_second) as base_url:
        provider = OpenAIProvider(base_url=base_url, api_key="sk-bench", model="fake-model")
        settings = StageSettings(provider=provider, model="fake-model")
        # Warm-up (not measured): the server loads the planner's knowledge base, the client connects.
        await ProjectDesignGenerator(settings).generate(BRIEFS[3], NullStreamingHandler())
        for target in targets:
            results.append(await bench_brief(settings, target, BRIEFS[target], args.concurrency))
        baseline: dict[str, Any] | None = None
        if not args.no_baseline:
            ref = args.baseline_ref or default_ref()
            runs = [(r["target_phases"], r["phases"]) for r in results]
            snippet = BASELINE_SNIPPET % {"url": base_url, "runs": runs}
            measured = run_python(snippet, src=baseline_src(ref), timeout=600)
            baseline = {"ref": ref, "all_phases_at_once": {}}
            for result in results:
                seconds = measured.get(str(result["target_phases"]))
                if isinstance(seconds, float):
                    baseline["all_phases_at_once"][result["brief"]] = {
                        "makespan_s": round(seconds, 3),
                        "ratio_vs_critical_path": round(seconds / result["critical_path_s"], 3),
                    }
                else:
                    baseline["all_phases_at_once"][result["brief"]] = measured
    summary = {
        r["brief"]: {
            "phases": r["phases"],
            "ratio_vs_critical_path": r["runs"][f"concurrency_{r['phases']}"]["ratio_vs_critical_path"],
        }
        for r in results
    }
    return {
        "bench": "pipeline_makespan",
        "tokens_per_second_per_stream": args.tokens_per_second,
        "default_concurrency": args.concurrency,
        "all_phases_at_once": summary,
        "baseline": baseline,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens-per-second", type=float, default=400.0)
    parser.add_argument("--phases", default="3,6,12", help="which briefs to run (3, 6, 12)")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--baseline-ref", default=None, help="git ref to compare with (default: merge base)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
