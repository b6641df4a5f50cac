"""The living-plan commands: ``status``, ``next``, ``done``, ``block``, ``reopen`` and ``note``.

Each takes the plan folder (default: the current folder) and goes through ``devussy.workspace``;
bad input (not a plan, unknown step, a step done twice, a dependency cycle) is a
``WorkspaceError``, which the entry point turns into one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from devussy.cli.errors import EXIT_OK
from devussy.cli.export import add_export_command, run_export
from devussy.cli.replan import add_replan_command, run_replan
from devussy.errors import ConfigError

if TYPE_CHECKING:  # imported when a command runs, so `devussy --version` and `plan` do not pay for them
    from rich.console import Console

    from devussy.workspace import UpdateResult, Workspace

DEFAULT_WAVES = 3


def add_folder_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the plan folder `devussy plan` wrote (default: the current folder)",
    )


def add_workspace_commands(commands: Any) -> None:
    """Register the subcommands on ``build_parser``'s subparsers."""
    status = commands.add_parser("status", help="progress per phase, blocked steps, the next task group")
    add_folder_argument(status)
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument("--plain", action="store_true", help="plain text, even on a terminal")

    upcoming = commands.add_parser("next", help="the next unblocked steps, by dependency waves")
    add_folder_argument(upcoming)
    upcoming.add_argument(
        "--all", action="store_true", help=f"every wave (default: the first {DEFAULT_WAVES})"
    )
    upcoming.add_argument("--json", action="store_true", help="print the waves as JSON")
    upcoming.add_argument("--plain", action="store_true", help="plain text, even on a terminal")

    done = commands.add_parser("done", help="tick a step, log it, point the next task group and handoff on")
    done.add_argument("step", help="the step id, e.g. 2.3")
    add_folder_argument(done)
    done.add_argument("--note", help="what was done (logged and kept under the step)")

    block = commands.add_parser("block", help="mark a step blocked, with the reason")
    block.add_argument("step", help="the step id, e.g. 2.3")
    add_folder_argument(block)
    block.add_argument("--reason", required=True, help="why it cannot go on")

    reopen = commands.add_parser("reopen", help="untick a done step or lift a block")
    reopen.add_argument("step", help="the step id, e.g. 2.3")
    add_folder_argument(reopen)

    note = commands.add_parser("note", help="add a dated note under a step (and to the progress log)")
    note.add_argument("step", help="the step id, e.g. 2.3")
    add_folder_argument(note)
    note.add_argument("--text", required=True, help="the note")

    mcp = commands.add_parser("mcp", help="serve the plan to coding agents over MCP (stdio)")
    add_folder_argument(mcp)

    add_export_command(commands, add_folder_argument)
    add_replan_command(commands)


def _workspace(args: argparse.Namespace) -> Workspace:
    from devussy.workspace import Workspace, WorkspaceError

    directory: Path = args.dir
    if not (directory / "plan.json").is_file() and directory == Path("."):
        found = sorted(path.parent for path in Path("devussy-out").glob("*/plan.json"))
        if found:
            names = ", ".join(str(path) for path in found[:5])
            raise WorkspaceError(
                f"the current folder is not a plan folder (no plan.json); pass one, e.g. {names}",
                code="not_a_plan",
            )
    return Workspace(directory)


def _console(args: argparse.Namespace, stdout: TextIO) -> Console | None:
    from rich.console import Console

    console = Console(file=stdout, highlight=False)
    return None if args.plain or not console.is_terminal else console


def run_status(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.cli.workspace_views import print_lines, render_status, status_lines

    status = _workspace(args).status()
    if args.json:
        print(json.dumps(status.to_json_dict(), indent=2, ensure_ascii=False), file=stdout)
    elif console := _console(args, stdout):
        render_status(status, console)
    else:
        print_lines(status_lines(status), stdout)
    return EXIT_OK


def run_next(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.cli.workspace_views import print_lines, render_waves, wave_lines

    status = _workspace(args).status()
    limit = None if args.all else DEFAULT_WAVES
    if args.json:
        body = {
            "waves": [[ref.to_json_dict() for ref in wave] for wave in status.waves],
            "blocked": [view.to_json_dict() for view in status.blocked],
            "held": [view.to_json_dict() for view in status.held],
        }
        print(json.dumps(body, indent=2, ensure_ascii=False), file=stdout)
    elif console := _console(args, stdout):
        render_waves(status, console, limit)
    else:
        print_lines(wave_lines(status, limit), stdout)
    return EXIT_OK


def report_update(result: UpdateResult, directory: Path, stdout: TextIO) -> None:
    for entry in result.logged:
        print(entry.split(" — ", 1)[-1], file=stdout)
    for message in result.messages:
        print(f"note: {message}", file=stdout)
    status = result.status
    if status is not None:
        upcoming = ", ".join(f"{ref.id} {ref.title}" for ref in status.next_task_group[:3])
        upcoming = upcoming or "nothing can start"
        print(f"{status.done}/{status.total} steps done. Next: {upcoming}", file=stdout)
    print(f"Updated {', '.join(result.changed)} in {directory}", file=stdout)


def run_done(args: argparse.Namespace, stdout: TextIO) -> int:
    report_update(_workspace(args).done(args.step, args.note), args.dir, stdout)
    return EXIT_OK


def run_block(args: argparse.Namespace, stdout: TextIO) -> int:
    report_update(_workspace(args).block(args.step, args.reason), args.dir, stdout)
    return EXIT_OK


def run_reopen(args: argparse.Namespace, stdout: TextIO) -> int:
    report_update(_workspace(args).reopen(args.step), args.dir, stdout)
    return EXIT_OK


def run_note(args: argparse.Namespace, stdout: TextIO) -> int:
    report_update(_workspace(args).note(args.step, args.text), args.dir, stdout)
    return EXIT_OK


def run_mcp(args: argparse.Namespace, stdout: TextIO) -> int:
    """Serve the folder over stdio; stdout belongs to the protocol, so nothing else is printed."""
    workspace = _workspace(args)
    workspace.snapshot()  # not a plan, a cycle, …: exit 2 before a client connects
    try:
        from devussy.mcp_server import serve_stdio
    except ImportError:
        raise ConfigError(
            "devussy mcp needs the MCP SDK, an optional extra: pip install 'devussy[mcp]'"
        ) from None
    serve_stdio(workspace.directory)
    return EXIT_OK


def run_export_command(args: argparse.Namespace, stdout: TextIO) -> int:
    return run_export(args, stdout, _workspace(args))


WORKSPACE_COMMANDS = {
    "status": run_status,
    "next": run_next,
    "done": run_done,
    "block": run_block,
    "reopen": run_reopen,
    "note": run_note,
    "mcp": run_mcp,
    "export": run_export_command,
    "replan": run_replan,
}
