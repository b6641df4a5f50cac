"""``devussy replan DIR "what changed"``: re-plan with any engine, show the diff, write on consent.

Writes only with ``--yes``, or after a "y" at the prompt when both stdin and stdout are terminals;
otherwise the diff is the whole answer (a dry run, exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any, TextIO

from devussy.cli.errors import EXIT_OK
from devussy.config import Settings
from devussy.llm.registry import provider_names


def add_replan_command(commands: Any) -> None:
    replan = commands.add_parser("replan", help="re-plan for a change, keep done steps; shows the diff first")
    replan.add_argument("dir", type=Path, help="the plan folder `devussy plan` wrote")
    replan.add_argument("change", help='what changed, in plain words, e.g. "add Stripe payments"')
    replan.add_argument("--yes", "-y", action="store_true", help="write the changes without asking")
    replan.add_argument(
        "--provider", choices=provider_names(), help="engine to use (default: from the environment)"
    )
    replan.add_argument("--model", help="model name (default: DEVUSSY_MODEL)")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    overrides = {key: value for key, value in (("provider", args.provider), ("model", args.model)) if value}
    return dataclasses.replace(settings, **overrides) if overrides else settings


def _print_diff(diff: str, stdout: TextIO) -> None:
    from rich.console import Console
    from rich.syntax import Syntax

    console = Console(file=stdout, highlight=False)
    if console.is_terminal:
        console.print(Syntax(diff, "diff", theme="ansi_dark", background_color="default"))
    else:
        stdout.write(diff)


def _confirmed(stdout: TextIO) -> bool:
    if not (sys.stdin.isatty() and stdout.isatty()):
        return False
    print("Write these changes? [y/N] ", end="", file=stdout, flush=True)
    try:
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    except (EOFError, KeyboardInterrupt):
        return False


def run_replan(args: argparse.Namespace, stdout: TextIO) -> int:
    from datetime import datetime

    from devussy.workspace import Workspace
    from devussy.workspace.replan import replan
    from devussy.workspace.replan_engine import PipelineEngine

    workspace = Workspace(args.dir)
    base = workspace.files()
    snapshot = workspace.snapshot()
    engine = PipelineEngine(_settings(args), report=lambda line: print(f"[replan] {line}", file=stdout))
    outcome = asyncio.run(replan(snapshot, args.change, engine, datetime.now()))
    if not outcome.changed:
        print("The new plan is the same as the current one; nothing to write.", file=stdout)
        return EXIT_OK
    _print_diff(outcome.diff, stdout)
    print("", file=stdout)
    for line in outcome.summary:
        print(f"  {line}", file=stdout)
    if outcome.deleted:
        deleted = ", ".join(outcome.deleted)
        print(f"  phase files the new plan no longer has (deleted): {deleted}", file=stdout)
    if not (args.yes or _confirmed(stdout)):
        print(f"Nothing written. Run again with --yes to write these changes to {args.dir}.", file=stdout)
        return EXIT_OK
    workspace.write_replan(outcome, base)
    print(
        f"Re-planned {args.dir}: wrote {', '.join(n for n in outcome.changed if n not in outcome.deleted)}",
        file=stdout,
    )
    return EXIT_OK
