"""The coverage check's repair round: how often one targeted repair recovers a model's mistakes.

Each run is the real pipeline (``PipelineRunner`` → ``OpenAIProvider`` → loopback
``FakeOpenAIServer``) for one brief with numbered requirements, against ``DefectiveModel``
(``tests/fakes/defective_model.py``): a model whose first plan or phase-detail answer leaves out the
``Covers:`` lines, leaves a requirement out (of the plan, or of a phase's steps) or adds a step that
contradicts a constraint, and that answers the repair request by doing what its problems name (only
the parts asked for, the whole corrected answer, or the parts wrapped in chatter and a fence). Per
defect it reports:

- ``detected``: runs where the check found the defect and asked for one repair;
- ``recovered``: of those, runs whose every repaired unit ended with nothing unresolved and whose
  final plan passes the coverage check (``report.ok``), i.e. the recovery rate;
- ``repair_share_of_completion_tokens``: what the targeted repairs cost, against all tokens.

Two control groups run the same defects against models that comply less: ``partial`` fixes only the
first problem it is told about, ``stubborn`` repeats its first answer. Whatever they leave is still
reported (``problems_reported_after_repair``), never hidden: an unrecovered run always lists its
problems in the stage's ``coverage`` progress event.

    .venv/bin/python -m bench.coverage_repair [--briefs 24]

Prints one JSON object. Not a timed test: the figures count outcomes, not seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` is not an installed package

from devussy.events import CoverageChecked, ProgressEvent, RepairRequested
from devussy.llm.openai import OpenAIProvider
from devussy.models import ProjectBrief, Requirement
from devussy.pipeline.base import StageSettings
from devussy.pipeline.runner import PipelineRunner
from devussy.requirements import check_coverage
from devussy.stages.names import StageName
from tests.fakes.defective_model import DEFECTS, STYLES, DefectiveModel, Style
from tests.fakes.openai_server import FakeOpenAIServer


def r(number: int, text: str, kind: str = "feature") -> Requirement:
    return Requirement(id=f"R{number}", text=text, kind=kind)  # type: ignore[arg-type]


def brief(name: str, idea: str, *requirements: tuple[str, str], **fields: Any) -> ProjectBrief:
    numbered = [r(i, text, kind) for i, (kind, text) in enumerate(requirements, start=1)]
    return ProjectBrief(name=name, summary=idea, requirements=numbered, **fields)


FEAT, INTG, CONS, NONG, QUAL = "feature", "integration", "constraint", "non_goal", "quality"
BRIEFS: list[ProjectBrief] = [
    brief(
        "ClimbBook",
        "A Django web app for booking climbing gym classes with Stripe payments.",
        (FEAT, "Members book climbing classes"),
        (FEAT, "Waitlist place when a class is full"),
        (INTG, "Stripe payments"),
        (CONS, "The Postgres database already exists"),
        languages=["Python"],
        frameworks=["Django"],
    ),
    brief(
        "ReportDesk",
        "Read-only reporting dashboards over the sales MySQL database.",
        (FEAT, "Monthly revenue dashboard per region"),
        (FEAT, "Export a report as CSV"),
        (CONS, "Access to the sales database is read-only"),
        (INTG, "MySQL"),
    ),
    brief(
        "Expenses",
        "An internal expenses app where employees submit receipts and managers approve them.",
        (FEAT, "Employees submit receipts with a photo"),
        (FEAT, "Managers approve or reject expenses"),
        (CONS, "Sign-in is only through the company Okta SSO"),
        (INTG, "Okta"),
    ),
    brief(
        "PollBox",
        "Anonymous polls for meetups: create a poll, share a link, see live results.",
        (FEAT, "Create a poll with several options"),
        (FEAT, "Live results while votes come in"),
        (NONG, "No user accounts"),
        (QUAL, "Results update within a second"),
    ),
    brief(
        "ClaimsMove",
        "Replace the legacy claims system piece by piece with a new service.",
        (FEAT, "Claims intake through the new service"),
        (FEAT, "Claim status lookups"),
        (CONS, "Migrate incrementally from the legacy mainframe system"),
        (CONS, "No downtime during the move"),
    ),
    brief(
        "FieldNotes",
        "An offline-first mobile app for bird surveys in remote areas.",
        (FEAT, "Record sightings with species and count"),
        (FEAT, "Sync surveys when back online"),
        (CONS, "Works offline for days in the field"),
        (INTG, "React Native"),
    ),
    brief(
        "WikiHouse",
        "A team wiki the company runs on its own servers.",
        (FEAT, "Edit pages in markdown with history"),
        (FEAT, "Full-text search over pages"),
        (CONS, "Self-hosted on premises, no public cloud"),
        (INTG, "Elasticsearch"),
    ),
    brief(
        "PhotoSort",
        "A command-line tool that sorts photos into folders by date.",
        (FEAT, "Sort photos into year and month folders"),
        (FEAT, "Dry-run mode that only prints moves"),
        (CONS, "No database: plain files only"),
        languages=["Python"],
    ),
    brief(
        "Standup",
        "A Slack bot that collects daily standup answers and posts a summary.",
        (FEAT, "Ask each member the standup questions"),
        (FEAT, "Post a daily summary to the channel"),
        (INTG, "Slack API"),
        (NONG, "No web dashboard"),
    ),
    brief(
        "CoffeeRun",
        "A coffee pre-order app for a small cafe chain with Adyen payments.",
        (FEAT, "Order ahead and pick a pickup time"),
        (INTG, "Adyen payments"),
        (FEAT, "Loyalty stamps per order"),
        (NONG, "No delivery"),
    ),
    brief(
        "TrailMap",
        "A web map of hiking trails with difficulty and elevation profiles.",
        (FEAT, "Show trails on a map with difficulty"),
        (FEAT, "Elevation profile per trail"),
        (INTG, "Mapbox"),
        (QUAL, "Map loads in under two seconds"),
    ),
    brief(
        "ShopBundles",
        "A Shopify app that lets merchants sell product bundles.",
        (FEAT, "Merchants define bundles of products"),
        (FEAT, "Bundle discounts at checkout"),
        (INTG, "Shopify Admin API"),
        (CONS, "Never modify orders: the shop data is read-only for us"),
    ),
    brief(
        "Helpdesk",
        "An IT helpdesk where staff open tickets and agents resolve them.",
        (FEAT, "Staff open tickets with a category"),
        (FEAT, "Agents assign and resolve tickets"),
        (CONS, "Sign in with Azure AD single sign-on"),
        (INTG, "Microsoft Graph email"),
    ),
    brief(
        "SoilSense",
        "ESP32 soil sensors that report moisture to a small web dashboard.",
        (FEAT, "Sensors report moisture every ten minutes"),
        (FEAT, "Dashboard chart per sensor"),
        (INTG, "MQTT broker"),
        (CONS, "Runs on the farm's own server, self-hosted"),
    ),
    brief(
        "QuizNight",
        "A multiplayer pub quiz with rooms, rounds and a live scoreboard.",
        (FEAT, "Hosts create rooms and rounds"),
        (FEAT, "Players answer from their phones"),
        (FEAT, "Live scoreboard"),
        (NONG, "No native mobile app"),
    ),
    brief(
        "BackupOp",
        "A Kubernetes operator that schedules database backups to object storage.",
        (FEAT, "Backup schedules as custom resources"),
        (FEAT, "Restore a backup on demand"),
        (INTG, "Kubernetes API"),
        (CONS, "Without downtime for the databases being backed up"),
    ),
    brief(
        "Recipes",
        "A recipe box web app with search and shopping lists.",
        (FEAT, "Save recipes with ingredients and steps"),
        (FEAT, "Search recipes by ingredient"),
        (FEAT, "Build a shopping list from recipes"),
        (CONS, "The existing recipes database must be reused"),
    ),
    brief(
        "Physio",
        "A Laravel booking site for a physiotherapy practice.",
        (FEAT, "Patients book appointments online"),
        (FEAT, "Reminder emails the day before"),
        (INTG, "Mailgun"),
        (CONS, "The practice's current MySQL schema is fixed"),
    ),
    brief(
        "Wedding",
        "An RSVP site for a wedding with meal choices.",
        (FEAT, "Guests RSVP with a meal choice"),
        (FEAT, "Couple sees the guest list"),
        (NONG, "No guest accounts or passwords"),
    ),
    brief(
        "Fleet",
        "Fleet telemetry: vans report GPS and the office sees them on a map.",
        (FEAT, "Vans report GPS positions"),
        (FEAT, "Office map with live positions"),
        (INTG, "Google Maps"),
        (QUAL, "Positions at most 30 seconds old"),
    ),
    brief(
        "UnitsLib",
        "A Python library for unit conversions with typed quantities.",
        (FEAT, "Convert between metric and imperial units"),
        (FEAT, "Typed quantities that refuse mixing units"),
        (NONG, "No command-line interface"),
        languages=["Python"],
    ),
    brief(
        "Billing",
        "A billing admin for a SaaS, used by the finance team.",
        (FEAT, "Finance sees invoices per customer"),
        (FEAT, "Issue credit notes"),
        (CONS, "Sign-in is only through Keycloak SSO"),
        (INTG, "Stripe Billing"),
    ),
    brief(
        "Courses",
        "A Rails site where teachers publish courses and students enrol.",
        (FEAT, "Teachers publish courses with lessons"),
        (FEAT, "Students enrol and track progress"),
        (INTG, "Vimeo video embeds"),
        (CONS, "The current Postgres tables are owned by another team and already exist"),
    ),
    brief(
        "AirGap",
        "A document viewer for an air-gapped lab network.",
        (FEAT, "View PDF and image documents"),
        (FEAT, "Tag documents"),
        (CONS, "Works without internet on an air-gapped network"),
    ),
]


@dataclass
class Observer:
    """Collects each unit's last requirements check and whether it asked for a repair."""

    checks: dict[str, CoverageChecked]
    repairs: dict[str, int]

    def sink(self, stage: StageName, phase: int | None) -> Any:
        label = f"phase {phase}" if phase is not None else stage
        observer = self

        class Sink:
            async def on_token_async(self, token: str) -> None:
                return None

            async def on_progress_async(self, event: ProgressEvent) -> None:
                if isinstance(event, CoverageChecked):
                    observer.checks[label] = event
                elif isinstance(event, RepairRequested):
                    observer.repairs[label] = observer.repairs.get(label, 0) + 1

            async def on_completion_async(self, text: str) -> None:
                return None

        return Sink()


async def one_run(brief: ProjectBrief, model: DefectiveModel) -> dict[str, Any]:
    with FakeOpenAIServer(responder=model) as server:
        settings = StageSettings(
            provider=OpenAIProvider(base_url=server.base_url, api_key="sk-fake", model="m")
        )
        observer = Observer({}, {})
        result = await PipelineRunner(lambda stage: settings, concurrency=4, observer=observer).run(brief)
    tokens = result.usage.completion_tokens
    repaired = [label for label, check in observer.checks.items() if check.repaired]
    unresolved = [p for label in repaired for p in observer.checks[label].unresolved]
    report = check_coverage(result.plan)
    return {
        "injected": list(model.injected),
        "detected": bool(model.injected) and bool(observer.repairs),
        "repair_requests": sum(observer.repairs.values()),
        "unresolved_after_repair": unresolved,
        "final_ok": report.ok,
        "recovered": bool(repaired) and not unresolved and report.ok,
        "reported": all(p in observer.checks[label].unresolved for label in repaired for p in unresolved),
        "completion_tokens": tokens,
        "repair_tokens": model.repair_tokens,
    }


async def main_async(count: int) -> dict[str, Any]:
    briefs = BRIEFS[:count]
    groups: dict[str, dict[str, Any]] = {}
    for defect in DEFECTS:
        runs = []
        for index, item in enumerate(briefs):
            style: Style = STYLES[index % len(STYLES)]
            outcome = await one_run(item, DefectiveModel(defect, style))
            if outcome["injected"]:  # a defect only counts where the brief allows it (e.g. a constraint)
                runs.append({"brief": item.name, "style": style, **outcome})
        detected = [run for run in runs if run["detected"]]
        recovered = [run for run in detected if run["recovered"]]
        groups[defect] = {
            "runs": len(runs),
            "detected": len(detected),
            "recovered": len(recovered),
            "recovery_rate": round(len(recovered) / len(detected), 3) if detected else None,
            "repair_share_of_completion_tokens": round(
                sum(run["repair_tokens"] for run in runs)
                / max(1, sum(run["completion_tokens"] for run in runs)),
                3,
            ),
            "by_style": {
                style: f"{sum(r['recovered'] for r in detected if r['style'] == style)}"
                f"/{sum(r['style'] == style for r in detected)}"
                for style in STYLES
            },
            "not_recovered": [
                {"brief": run["brief"], "style": run["style"], "unresolved": run["unresolved_after_repair"]}
                for run in detected
                if not run["recovered"]
            ],
        }
    controls: dict[str, list[dict[str, Any]]] = {"partial": [], "stubborn": []}
    for style, runs in controls.items():
        for defect in DEFECTS:
            for item in briefs[:6]:
                outcome = await one_run(item, DefectiveModel(defect, style))  # type: ignore[arg-type]
                if outcome["injected"]:
                    runs.append(outcome)
    total_detected = sum(g["detected"] for g in groups.values())
    total_recovered = sum(g["recovered"] for g in groups.values())
    return {
        "briefs": len(briefs),
        "recovery_rate": round(total_recovered / total_detected, 3) if total_detected else None,
        "detected": total_detected,
        "recovered": total_recovered,
        "defects": groups,
        "controls": {
            style: {
                "runs": len(runs),
                "recovered": sum(run["recovered"] for run in runs),
                "problems_reported_after_repair": sum(len(run["unresolved_after_repair"]) for run in runs),
                "unrecovered_runs_with_nothing_reported": sum(
                    not run["recovered"] and not run["unresolved_after_repair"] and run["final_ok"]
                    for run in runs
                ),
            }
            for style, runs in controls.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--briefs", type=int, default=len(BRIEFS), help=f"how many briefs (max {len(BRIEFS)})"
    )
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args.briefs)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
