"""``devussy export github DIR --repo OWNER/NAME`` and ``devussy export taskmaster DIR``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO

from devussy.cli.errors import EXIT_OK
from devussy.errors import ConfigError

# Problems with what the user gave (token, repository, rights): exit 2 like any configuration error.
_USAGE_CODES = {
    "github_no_token",
    "github_invalid_repo",
    "github_auth",
    "github_not_found",
    "github_forbidden",
}


def add_export_command(commands: Any, add_folder_argument: Any) -> None:
    export = commands.add_parser("export", help="export the plan: GitHub issues, or Task Master's tasks.json")
    targets = export.add_subparsers(dest="target", required=True, metavar="TARGET")

    github = targets.add_parser("github", help="one issue per phase, steps as a checklist (idempotent)")
    add_folder_argument(github)
    github.add_argument("--repo", required=True, help="OWNER/NAME of the repository")
    github.add_argument(
        "--base-url",
        default=None,
        help="REST API root for GitHub Enterprise, e.g. https://github.example.com/api/v3",
    )

    taskmaster = targets.add_parser("taskmaster", help="write Task Master's tasks.json")
    add_folder_argument(taskmaster)
    taskmaster.add_argument(
        "--out", type=Path, default=None, help="where to write (default: ./.taskmaster/tasks/tasks.json)"
    )
    taskmaster.add_argument("--tag", default="master", help="Task Master tag to write (default: master)")
    taskmaster.add_argument(
        "--force", action="store_true", help="replace the tag even if its tasks were not written by Devussy"
    )


def run_export(args: argparse.Namespace, stdout: TextIO, workspace: Any) -> int:
    snapshot = workspace.snapshot()
    if args.target == "github":
        return _github(args, snapshot, stdout)
    return _taskmaster(args, snapshot, stdout)


def _github(args: argparse.Namespace, snapshot: Any, stdout: TextIO) -> int:
    from devussy.exports.github import (
        DEFAULT_BASE_URL,
        GitHubClient,
        GitHubError,
        export_to_github,
        token_from,
    )

    try:
        token = token_from(os.environ)
        with GitHubClient(args.repo, token, base_url=args.base_url or DEFAULT_BASE_URL) as client:
            report = export_to_github(snapshot, client)
    except GitHubError as exc:
        if exc.code in _USAGE_CODES:
            raise ConfigError(f"{exc.message} [{exc.code}]", code=exc.code) from None
        raise
    created, updated = set(report.created), set(report.updated)
    print(f"GitHub issues for {snapshot.plan.project_name} in {args.repo}:", file=stdout)
    for phase, number in sorted(report.issues.items()):
        what = "created" if number in created else "updated" if number in updated else "unchanged"
        print(f"  phase {phase}: #{number} {what}", file=stdout)
    if report.labels_created:
        print(f"Labels created: {', '.join(report.labels_created)}", file=stdout)
    return EXIT_OK


def _taskmaster(args: argparse.Namespace, snapshot: Any, stdout: TextIO) -> int:
    from devussy.exports.taskmaster import DEFAULT_PATH, merge_tasks_file
    from devussy.workspace.folder import write_text_atomically

    target: Path = args.out or Path(DEFAULT_PATH)
    if target.is_dir():
        target = target / "tasks.json"
    existing = target.read_text(encoding="utf-8") if target.is_file() else None
    text = merge_tasks_file(existing, snapshot, tag=args.tag, force=args.force)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, text)
    subtasks = len(snapshot.steps)
    print(
        f"Wrote {len(snapshot.plan.phases)} tasks with {subtasks} subtasks to {target} (tag {args.tag})",
        file=stdout,
    )
    return EXIT_OK
