"""How long do ``devussy status``, ``next`` and ``done`` take on a 12-phase, 100-step plan?

Each command runs as a fresh process (what a person or an agent pays), interleaved in rounds with
``devussy --version`` (the interpreter start and CLI import alone), measured in the same run; the
figures are distributions of wall time and the ratio of each median to ``--version``'s. ``done``
ticks a different step every round, so every call really writes (phase file, devplan.md,
handoff.md, under the folder lock). In-process times of the same three operations (library calls,
no interpreter start) are reported too.

    .venv/bin/python -m bench.workspace_cli [--rounds 20]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from devussy.artifacts import render_artifacts, write_artifacts
from devussy.models import DevPlan, Handoff, Phase, Requirement, Step
from devussy.workspace import Workspace

PHASES = 12
STEPS = 100


def big_plan() -> DevPlan:
    """12 phases, 100 steps: each step after the one before it, each phase after the previous one
    (every third also after the one before that), 20 requirements covered across the plan."""
    sizes = [9 if n <= 4 else 8 for n in range(1, PHASES + 1)]
    assert sum(sizes) == STEPS
    requirements = [Requirement(id=f"R{n}", text=f"Requirement {n}", kind="feature") for n in range(1, 21)]
    phases = []
    counter = 0
    for number, size in enumerate(sizes, 1):
        steps = []
        for index in range(1, size + 1):
            counter += 1
            steps.append(
                Step(
                    id=f"{number}.{index}",
                    title=f"Build part {index} of area {number}",
                    details=f"Implement part {index} of area {number}.\n\n- keep it small\n- document it",
                    acceptance_criteria=[f"part {index} works", "tests pass"],
                    test_command=f"pytest -q tests/test_area{number}.py -k part{index}",
                    depends_on=[f"{number}.{index - 1}"] if index > 1 else [],
                    covers=[f"R{counter % 20 + 1}"],
                )
            )
        depends = [number - 1] if number > 1 else []
        if number % 3 == 0 and number > 2:
            depends.append(number - 2)
        cited = sorted({step.covers[0] for step in steps}, key=lambda rid: int(rid[1:]))
        phases.append(
            Phase(
                number=number,
                title=f"Area {number}",
                summary=f"Everything about area {number}.",
                depends_on=depends,
                steps=steps,
                requirements=cited,
            )
        )
    return DevPlan(
        project_name="Benchmark Plan",
        summary="A 12-phase, 100-step plan.",
        phases=phases,
        requirements=requirements,
    )


def write_big_plan(directory: Path) -> Path:
    plan = big_plan()
    handoff = Handoff(
        project_name=plan.project_name,
        prompt="## How to work\n\nOne step at a time.",
        start_phase=1,
        start_step="1.1",
    )
    write_artifacts(directory, render_artifacts(None, plan, handoff))
    return directory


def _run(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "devussy", *argv], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"devussy {' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def summary(samples: list[float], baseline: float | None = None) -> dict[str, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    figures = {
        "p50_ms": round(p50 * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }
    if baseline:
        figures["p50_ratio_to_version"] = round(p50 / baseline, 2)
        figures["p50_over_version_ms"] = round((p50 - baseline) * 1000, 1)
    return figures


def _in_process(operation: Callable[[int], object], rounds: int) -> list[float]:
    samples = []
    for round_number in range(rounds):
        started = time.perf_counter()
        operation(round_number)
        samples.append(time.perf_counter() - started)
    return samples


def run(rounds: int) -> dict[str, object]:
    order = [f"{p}.{s}" for p in range(1, PHASES + 1) for s in range(1, (9 if p <= 4 else 8) + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_big_plan(Path(tmp) / "plan")
        _run(["--version"])  # warm the file cache once, for every command alike
        measured: dict[str, list[float]] = {"version": [], "status": [], "next": [], "done": []}
        for round_number in range(rounds):
            measured["version"].append(_run(["--version"]))
            measured["status"].append(_run(["status", str(folder)]))
            measured["next"].append(_run(["next", str(folder)]))
            measured["done"].append(_run(["done", order[round_number], str(folder), "--note", "bench"]))
        workspace = Workspace(folder)
        in_process = {
            "status": _in_process(lambda _: workspace.status(), rounds),
            "step": _in_process(lambda n: workspace.step(order[n]), rounds),
            "done": _in_process(lambda n: workspace.done(order[rounds + n]), rounds),
        }
    baseline = statistics.median(measured["version"])
    return {
        "plan": {"phases": PHASES, "steps": STEPS},
        "rounds": rounds,
        "process": {
            name: summary(samples, None if name == "version" else baseline)
            for name, samples in measured.items()
        },
        "in_process": {name: summary(samples) for name, samples in in_process.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if not 1 <= args.rounds <= 45:
        raise SystemExit("--rounds must be 1..45 (each round ticks two of the 100 steps)")
    print(json.dumps(run(args.rounds), indent=2))


if __name__ == "__main__":
    main()
