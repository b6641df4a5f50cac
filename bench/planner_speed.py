"""Offline planner speed: a full plan (design + basic plan + every phase detail + handoff).

Runs a large brief (multi-service SaaS) and a small brief (tiny CLI) as the same-run baseline, 100 runs
each, and prints p50/p99 in milliseconds as JSON. Each run starts with empty memo caches (analysis, phase
classification), so it measures a new brief, not a repeat. The knowledge base is loaded once per process;
its cold load (imports, YAML read + validation, regex compile) is timed separately in a fresh subprocess.

    .venv/bin/python -m bench.planner_speed [--runs 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from devussy.models import ProjectBrief
from devussy.planner import OfflinePlanner
from devussy.planner.engine import clear_caches

LARGE = ProjectBrief(
    name="Teamly",
    summary=(
        "A multi-tenant B2B SaaS for agencies: a client portal with real-time chat, payments and "
        "subscriptions via Stripe, an admin dashboard, email notifications through SendGrid, file uploads to "
        "S3, search, reports, audit log for GDPR, and offline sync for the mobile companion. Next.js front "
        "end, Django REST API, Postgres, Redis and Celery workers, deployed with Docker and Kubernetes on "
        "AWS, split into microservices for billing and messaging, with Sentry and Playwright."
    ),
    goals=["Launch to 50 agencies", "99.9% availability", "Self-serve onboarding", "SOC 2 readiness"],
    team_size=12,
)
SMALL = ProjectBrief(
    name="mdconv", summary="A tiny command-line tool in Rust that converts markdown to HTML."
)

COLD_LOAD = """
import json, time
t0 = time.perf_counter()
from devussy.planner.analysis import analyzer
from devussy.planner.knowledge import knowledge
t1 = time.perf_counter()
knowledge()
t2 = time.perf_counter()
analyzer()
t3 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "yaml_validate_ms": (t2 - t1) * 1000,
                  "compile_matchers_ms": (t3 - t2) * 1000}))
"""


def full_plan(planner: OfflinePlanner, brief: ProjectBrief) -> int:
    design = planner.design(brief)
    plan = planner.basic_plan(design)
    steps = 0
    for phase in plan.phases:
        detailed = planner.phase_detail(plan, phase.number)
        steps += len(detailed.steps)
        plan = plan.with_phase(detailed)
    planner.handoff(design, plan)
    return steps


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(brief: ProjectBrief, runs: int) -> dict[str, float | int]:
    planner = OfflinePlanner()
    steps = full_plan(planner, brief)  # warm-up (and the knowledge base is cached from here on)
    samples = []
    for _ in range(runs):
        clear_caches()  # each run pays for its own analysis, as a fresh brief would
        start = time.perf_counter()
        full_plan(planner, brief)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "runs": runs,
        "steps": steps,
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
        "max_ms": round(max(samples), 3),
    }


def cold_load() -> dict[str, float]:
    """Knowledge-base load in a fresh interpreter: module imports, YAML read + validation, regex compile."""
    out = subprocess.run(
        [sys.executable, "-c", COLD_LOAD], capture_output=True, text=True, check=True, timeout=60
    )
    figures = json.loads(out.stdout)
    figures["load_total_ms"] = figures["yaml_validate_ms"] + figures["compile_matchers_ms"]
    return {key: round(value, 3) for key, value in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    large = measure(LARGE, args.runs)
    small = measure(SMALL, args.runs)
    result = {
        "benchmark": "planner_speed",
        "knowledge_cold_load": cold_load(),
        "large": large,
        "small_baseline": small,
        "large_to_small_p50_ratio": round(float(large["p50_ms"]) / float(small["p50_ms"]), 2),
        "target_ms": 100,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
