"""Offline plan quality over the brief corpus (``tests/planner/briefs``, held-out set included).

For every brief: the whole offline pipeline (design → plan → every phase detail → handoff), then,
per set (``tuned``: the briefs the planner was developed against; ``heldout``: briefs written
before the planner changes and not tuned against) and overall:

- extraction recall: requirement phrases a reviewer expects (``expect.requirements``) found among
  the extracted requirements, by kind family (feature/integration, constraint/non-goal, quality) and
  by exact kind;
- coverage: feature and integration requirements covered by at least one step;
- constraint violations (``check_coverage``), and steps the planner left out because a rule said
  they would contradict a constraint;
- made-up entities: records in the design's data model that no word of the brief supports, or only a
  word that names no thing ("What" from "who has booked what");
- made-up capabilities: steps that build checkout, payments, sign-up, passwords, offline states or
  Docker Compose when no word of the brief asks for them;
- unrelated covers: a step citing a feature requirement it shares no word with;
- boilerplate: share of step titles that appear in more than a quarter of the plans;
- test commands: share that parse (``shlex``) with a known tool and sub-command, and commands whose
  tool belongs to a language the plan does not use;
- must / must-not phrases (``expect.contains`` / ``expect.not_contains``) and project type;
- speed: p50/p99 of a full plan per brief, and the large/small briefs of ``bench.planner_speed`` as
  the same-run baseline; the requirement extraction at 1×, 4× and 16× input size (linear means the
  per-character cost stays flat).

    .venv/bin/python -m bench.plan_quality [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from bench.planner_speed import LARGE, SMALL, measure, percentile
from devussy.models import DevPlan, ProjectBrief
from devussy.planner import OfflinePlanner
from devussy.planner.commands import command_problems
from devussy.planner.engine import clear_caches, plan_analysis
from devussy.planner.quality import (
    boilerplate_titles,
    made_up_capabilities,
    made_up_entities,
    normalise_title,
    recalled,
    stack_mismatches,
    unrelated_covers,
)
from devussy.requirements import check_coverage
from devussy.requirements.extract import extract_requirements

BRIEFS = Path(__file__).resolve().parents[1] / "tests" / "planner" / "briefs"


def load_briefs() -> list[tuple[str, str, dict[str, Any]]]:
    """(set, name, case) for every brief file."""
    cases = []
    for path in sorted(BRIEFS.glob("*.yaml")):
        cases.append(("tuned", path.stem, yaml.safe_load(path.read_text())))
    for path in sorted((BRIEFS / "heldout").glob("*.yaml")):
        cases.append(("heldout", path.stem, yaml.safe_load(path.read_text())))
    return cases


def full_run(brief: ProjectBrief) -> tuple[Any, DevPlan, str]:
    planner = OfflinePlanner()
    design = planner.design(brief)
    plan = planner.basic_plan(design)
    for phase in plan.phases:
        plan = plan.with_phase(planner.phase_detail(plan, phase.number))
    handoff = planner.handoff(design, plan)
    return design, plan, handoff.prompt


def plan_text(design: Any, plan: DevPlan, handoff: str) -> str:
    parts = [design.summary, design.architecture, design.data_model, design.testing_strategy, handoff]
    return "\n".join([*parts, steps_text(plan)])


def steps_text(plan: DevPlan) -> str:
    """What the plan asks someone to build: phase titles and summaries, and every step."""
    parts = []
    for phase in plan.phases:
        parts += [phase.title, phase.summary]
        for step in phase.steps:
            parts += [step.title, step.details, *step.acceptance_criteria, step.test_command or ""]
    return "\n".join(parts)


def word(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.+#-])" + re.escape(phrase) + r"(?![\w+#])(?!\.\w)")


def evaluate(case: dict[str, Any]) -> dict[str, Any]:
    brief = ProjectBrief.model_validate(case["brief"])
    expect = case["expect"]
    design, plan, handoff = full_run(brief)
    report = check_coverage(plan)
    built = [r for r in report.requirements if r.kind in ("feature", "integration")]
    expected = expect.get("requirements", [])
    steps = [s for p in plan.phases for s in p.steps]
    commands = [s.test_command for s in steps if s.test_command]
    text = plan_text(design, plan, handoff)
    built_text = steps_text(plan)
    analysis = plan_analysis(brief, plan.requirements)
    return {
        "plan": plan,
        "expected": len(expected),
        "recalled": sum(recalled(e["text"], e["kind"], plan.requirements) for e in expected),
        "recalled_strict": sum(
            recalled(e["text"], e["kind"], plan.requirements, strict=True) for e in expected
        ),
        "missed": [e["text"] for e in expected if not recalled(e["text"], e["kind"], plan.requirements)],
        "built": len(built),
        "covered": sum(r.status == "covered" for r in built),
        "violations": len(report.violations),
        "gaps": len(report.gaps),
        "made_up_entities": made_up_entities(design, brief),
        "made_up_capabilities": made_up_capabilities(plan, brief),
        "unrelated_covers": unrelated_covers(plan),
        "commands": len(commands),
        "invalid_commands": [c for c in commands if command_problems(c)],
        "stack_mismatches": stack_mismatches(commands, analysis),
        "contains_missing": [p for p in expect.get("contains", []) if p not in text],
        "not_contains_present": [p for p in expect.get("not_contains", []) if word(p).search(built_text)],
        "type_ok": analysis.project_type == expect["project_type"],
        "project_type": analysis.project_type,
    }


def timing(cases: list[tuple[str, str, dict[str, Any]]], runs: int) -> dict[str, Any]:
    planner_samples: list[float] = []
    for _, _, case in cases:
        brief = ProjectBrief.model_validate(case["brief"])
        for _ in range(runs):
            clear_caches()
            start = time.perf_counter()
            full_run(brief)
            planner_samples.append((time.perf_counter() - start) * 1000)
    large = measure(LARGE, runs * 5)
    small = measure(SMALL, runs * 5)
    return {
        "corpus_plan_p50_ms": round(statistics.median(planner_samples), 3),
        "corpus_plan_p99_ms": round(percentile(planner_samples, 0.99), 3),
        "large_brief": large,
        "small_brief_baseline": small,
        "large_to_small_p50_ratio": round(float(large["p50_ms"]) / float(small["p50_ms"]), 2),
        "target_ms": 50,
    }


def extraction_scaling(runs: int) -> dict[str, float]:
    """Microseconds per character of requirement extraction at growing input sizes (flat = linear)."""
    unit = LARGE.summary + " "
    result = {}
    for factor in (1, 4, 16):
        brief = ProjectBrief(name="Scale", summary=(unit * factor)[:49_000])
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            extract_requirements(brief)
            samples.append(time.perf_counter() - start)
        result[f"x{factor}_us_per_char"] = round(statistics.median(samples) * 1e6 / len(brief.summary), 3)
    return result


def aggregate(results: list[dict[str, Any]], boilerplate: set[str]) -> dict[str, Any]:
    expected = sum(r["expected"] for r in results)
    built = sum(r["built"] for r in results)
    commands = sum(r["commands"] for r in results)
    titles = [
        normalise_title(s.title, r["plan"].project_name)
        for r in results
        for p in r["plan"].phases
        for s in p.steps
    ]
    return {
        "briefs": len(results),
        "extraction_recall": round(sum(r["recalled"] for r in results) / expected, 3) if expected else None,
        "extraction_recall_exact_kind": round(sum(r["recalled_strict"] for r in results) / expected, 3)
        if expected
        else None,
        "expected_requirements": expected,
        "feature_integration_requirements": built,
        "covered_by_a_step": round(sum(r["covered"] for r in results) / built, 3) if built else None,
        "constraint_violations": sum(r["violations"] for r in results),
        "steps_without_criteria_test_or_covers": sum(r["gaps"] for r in results),
        "made_up_entities": sum(len(r["made_up_entities"]) for r in results),
        "made_up_capabilities": sum(len(r["made_up_capabilities"]) for r in results),
        "unrelated_covers": sum(len(r["unrelated_covers"]) for r in results),
        "boilerplate_title_share": round(sum(t in boilerplate for t in titles) / len(titles), 3)
        if titles
        else 0,
        "steps": len(titles),
        "test_commands": commands,
        "test_commands_valid": round(1 - sum(len(r["invalid_commands"]) for r in results) / commands, 3)
        if commands
        else None,
        "test_commands_wrong_stack": sum(len(r["stack_mismatches"]) for r in results),
        "must_phrases_missing": sum(len(r["contains_missing"]) for r in results),
        "must_not_phrases_present": sum(len(r["not_contains_present"]) for r in results),
        "project_type_correct": round(sum(r["type_ok"] for r in results) / len(results), 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per brief")
    parser.add_argument("--set", choices=("all", "tuned", "heldout"), default="all", help="which briefs")
    args = parser.parse_args(argv)
    cases = [c for c in load_briefs() if args.set in ("all", c[0])]
    results = {name: (group, evaluate(case)) for group, name, case in cases}
    plans = [r["plan"] for _, r in results.values()]
    boilerplate = boilerplate_titles(plans, share=0.25)
    sets = {
        group: aggregate([r for g, r in results.values() if g == group], boilerplate)
        for group in ("tuned", "heldout")
        if any(g == group for g, _ in results.values())
    }
    sets["all"] = aggregate([r for _, r in results.values()], boilerplate)
    problems = {
        name: {
            key: r[key]
            for key in (
                "missed",
                "made_up_entities",
                "made_up_capabilities",
                "unrelated_covers",
                "invalid_commands",
                "stack_mismatches",
                "contains_missing",
                "not_contains_present",
            )
            if r[key]
        }
        | ({"project_type": r["project_type"]} if not r["type_ok"] else {})
        | ({"violations": r["violations"]} if r["violations"] else {})
        | ({"uncovered": r["built"] - r["covered"]} if r["covered"] < r["built"] else {})
        for name, (_, r) in results.items()
    }
    print(
        json.dumps(
            {
                "benchmark": "plan_quality",
                "sets": sets,
                "boilerplate_titles": sorted(boilerplate),
                "problems": {name: p for name, p in problems.items() if p},
                "speed": timing(cases, args.runs),
                "extraction_scaling": extraction_scaling(max(5, args.runs)),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
