"""The ``devussy`` entry point: argument parsing, dispatch, and errors as one line and an exit code.

Exit codes: 0 success, 1 run failure, 2 usage or configuration error, 130 interrupted (checkpoints
are kept). Errors never show a traceback, and never a configured secret.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from devussy.cli.commands import run_providers, run_schema, run_serve
from devussy.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, InterviewFailed, UsageError
from devussy.cli.plan import run_plan
from devussy.cli.workspace import WORKSPACE_COMMANDS, add_workspace_commands
from devussy.errors import CheckpointError, ConfigError, DevussyError, WorkspaceError
from devussy.llm.registry import provider_names
from devussy.redaction import redact, secrets_in_env

# --------------------------------------------------------------------------- argument parsing


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error becomes one line on stderr and exit code 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)", prog=self.prog)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _out_dir(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder (empty would mean the current one)")
    return Path(text)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number (0-65535; 0 picks a free one), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="devussy", description="Turn a project idea into a phased, testable devplan.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    plan = commands.add_parser("plan", help="generate a devplan for an idea and write the artifacts")
    plan.add_argument("idea", help="the project idea, in plain words")
    plan.add_argument("--name", help="project name (default: taken from the idea)")
    plan.add_argument(
        "--provider", choices=provider_names(), help="engine to use (default: from the environment)"
    )
    plan.add_argument("--model", help="model name (default: DEVUSSY_MODEL)")
    plan.add_argument("--out", type=_out_dir, help="output directory (default: ./devussy-out/<project-slug>)")
    plan.add_argument("--concurrency", type=_positive_int, help="phase details generated at once")
    plan.add_argument("--resume", action="store_true", help="reuse checkpoints of an interrupted run")
    plan.add_argument(
        "--review",
        action="store_true",
        help="have an LLM reviewer read the design too, and correct it once with every finding (review.md)",
    )
    plan.add_argument("--language", action="append", default=[], help="a language to use (repeatable)")
    plan.add_argument("--framework", action="append", default=[], help="a framework to use (repeatable)")
    plan.add_argument("--data-store", action="append", default=[], help="a database or store (repeatable)")
    plan.add_argument("--integration", action="append", default=[], help="an external API (repeatable)")
    plan.add_argument(
        "--requirements",
        type=Path,
        metavar="FILE",
        help="your numbered requirements (markdown '- R1 (feature): …' lines, or JSON); they replace the "
        "ones extracted from the idea",
    )
    plan.add_argument("--plain", action="store_true", help="one line per event, even on a terminal")
    plan.add_argument(
        "-i",
        "--interview",
        action="store_true",
        help="first answer a few questions about the idea (one answer per line on stdin; "
        '"done" or end of input stops)',
    )

    providers = commands.add_parser("providers", help="show the engines and models configured (never keys)")
    providers.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser("schema", help="print the JSON schema of the domain models")

    serve = commands.add_parser("serve", help="run the local web server")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    serve.add_argument("--port", type=_port, default=8000, help="port (0 picks a free one)")

    add_workspace_commands(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("devussy")
    except PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- entry point


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _error(message: str, stderr: TextIO) -> None:
    print(f"devussy: error: {redact(message, secrets_in_env())}", file=stderr)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(stdout):
            args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{exc.prog}: error: {exc}", file=stderr)
        return EXIT_USAGE
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK

    commands = {
        "plan": run_plan,
        "providers": run_providers,
        "schema": run_schema,
        "serve": run_serve,
        **WORKSPACE_COMMANDS,
    }
    try:
        return commands[args.command](args, stdout)
    except KeyboardInterrupt:
        print(
            "devussy: interrupted; checkpoints are kept — rerun the same command with --resume to continue",
            file=stderr,
        )
        return EXIT_INTERRUPTED
    except (UsageError, ConfigError, CheckpointError) as exc:
        _error(str(exc), stderr)
        return EXIT_USAGE
    except WorkspaceError as exc:
        _error(f"{exc.message} [{exc.code}]", stderr)
        return EXIT_USAGE
    except DevussyError as exc:
        resumable = args.command == "plan" and not isinstance(exc, InterviewFailed)
        hint = " (rerun with --resume to continue from the checkpoints)" if resumable else ""
        _error(f"{exc.message} [{exc.code}]{hint}", stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. `devussy schema | head`: the reader left, nothing more to say
        _silence_stdout()
        return EXIT_FAILED
    except OSError as exc:
        _error(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), stderr)
        return EXIT_FAILED
    except Exception as exc:  # never a traceback for the user
        _error(f"internal error ({type(exc).__name__}): {exc}", stderr)
        return EXIT_FAILED
