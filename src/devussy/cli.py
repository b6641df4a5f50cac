"""The ``devussy`` command line.

``devussy plan "idea"`` runs the whole pipeline (design → plan → phase details → handoff) and writes
the artifacts (``--interview`` first asks the questions that would change the plan, reading answers
from stdin); ``providers``, ``schema`` and ``serve`` are small helpers. Exit codes: 0 success,
1 run failure, 2 usage or configuration error, 130 interrupted (checkpoints are kept).

The run view is an *observer* the pipeline runner asks for one sink per unit of work (a stage, or
one phase's detail). On a terminal it is a rich live table; otherwise one plain line per event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner
from rich.text import Text

from devussy.config import PROVIDERS, Settings
from devussy.errors import ConfigError, DevussyError
from devussy.models import ChatTurn, ProjectBrief, Usage, export_json_schema, slugify

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_OUT_ROOT = Path("devussy-out")
STAGE_LABELS = {"interview": "interview", "design": "design", "basic_plan": "plan", "handoff": "handoff"}


class InterviewFailed(DevussyError):
    """The interview stage failed; nothing was checkpointed yet, so there is nothing to resume."""


class UsageError(Exception):
    """Bad command-line input; exit code 2."""

    def __init__(self, message: str, *, prog: str = "devussy") -> None:
        super().__init__(message)
        self.prog = prog


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
    plan.add_argument("--provider", choices=PROVIDERS, help="engine to use (default: from the environment)")
    plan.add_argument("--model", help="model name (default: DEVUSSY_MODEL)")
    plan.add_argument("--out", type=Path, help="output directory (default: ./devussy-out/<project-slug>)")
    plan.add_argument("--concurrency", type=_positive_int, help="phase details generated at once")
    plan.add_argument("--resume", action="store_true", help="reuse checkpoints of an interrupted run")
    plan.add_argument("--language", action="append", default=[], help="a language to use (repeatable)")
    plan.add_argument("--framework", action="append", default=[], help="a framework to use (repeatable)")
    plan.add_argument("--data-store", action="append", default=[], help="a database or store (repeatable)")
    plan.add_argument("--integration", action="append", default=[], help="an external API (repeatable)")
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
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("devussy")
    except PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- run views


@dataclass
class UnitState:
    """One unit of work the runner reported: a stage, or one phase's detail."""

    label: str
    status: str = "running"  # running | done | failed | skipped
    chunks: int = 0  # token deltas streamed so far
    usage: Usage | None = None
    note: str = ""

    @property
    def tokens(self) -> int:
        return self.usage.completion_tokens if self.usage and self.usage.completion_tokens else self.chunks


def unit_label(stage: str, phase: int | None) -> str:
    if phase is not None:
        return f"phase {phase}"
    return STAGE_LABELS.get(stage, stage)


def _usage_from(event: Mapping[str, Any]) -> Usage | None:
    raw = event.get("usage")
    if isinstance(raw, Usage):
        return raw
    if isinstance(raw, Mapping):
        try:
            return Usage.model_validate(dict(raw))
        except ValidationError:
            return None
    return None


def apply_event(unit: UnitState, event: Mapping[str, Any]) -> str | None:
    """Update ``unit`` from a runner event; returns the line the plain view prints (None: nothing)."""
    kind = event.get("event")
    if kind == "start":
        unit.status = "running"
        return "started"
    if kind == "finished":
        unit.status = "done"
        unit.usage = _usage_from(event) or unit.usage
        return f"finished ({unit.tokens} tokens)"
    if kind == "failed" and event.get("code") == "cancelled":
        unit.status, unit.note = "failed", "cancelled"
        return "cancelled"
    if kind == "failed":
        unit.status = "failed"
        unit.note = redact(f"{event.get('code', 'error')}: {event.get('message', '')}".strip())
        return f"failed: {unit.note}"
    if kind == "skipped":
        unit.status = "skipped"
        unit.note = f"reused ({event.get('reason', 'skipped')})"
        return f"skipped: {unit.note}"
    if kind == "phase":
        phase = event.get("phase") or {}
        return f"parsed phase {phase.get('number', '?')}: {phase.get('title', '')}".rstrip(": ")
    if kind == "repair":
        unit.note = "repairing output"
        return f"output did not parse ({len(event.get('errors') or [])} errors); asking for a repair"
    return None


class _UnitSink:
    """The StreamingHandler a view hands to the runner for one unit of work."""

    def __init__(self, view: _BaseView, unit: UnitState) -> None:
        self._view, self._unit = view, unit

    async def on_token_async(self, token: str) -> None:
        self._unit.chunks += 1
        self._view.refresh(self._unit)

    async def on_progress_async(self, event: Mapping[str, Any]) -> None:
        line = apply_event(self._unit, event)
        self._view.refresh(self._unit, line)

    async def on_completion_async(self, text: str) -> None:
        return None


class _BaseView:
    def __init__(self) -> None:
        self.units: list[UnitState] = []

    def sink(self, stage: str, phase: int | None = None) -> _UnitSink:
        label = unit_label(stage, phase)
        # A unit that starts again (the runner restarts a cancelled phase detail) keeps its row.
        unit = next((u for u in self.units if u.label == label and u.status == "failed"), None)
        if unit is None:
            unit = UnitState(label)
            self.units.append(unit)
            self.added(unit)
        else:
            unit.status, unit.chunks, unit.usage, unit.note = "running", 0, None, ""
            self.restarted(unit)
        return _UnitSink(self, unit)

    def added(self, unit: UnitState) -> None:
        return None

    def restarted(self, unit: UnitState) -> None:
        return None

    def refresh(self, unit: UnitState, line: str | None = None) -> None:
        return None

    def __enter__(self) -> _BaseView:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class PlainView(_BaseView):
    """One line per event: for logs, CI and pipes."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._started = time.monotonic()

    def __enter__(self) -> PlainView:
        self._started = time.monotonic()  # not counting an interview that came first
        return self

    def refresh(self, unit: UnitState, line: str | None = None) -> None:
        if line:
            elapsed = time.monotonic() - self._started
            print(f"[{elapsed:7.1f}s] {unit.label:<9} {line}", file=self._stream, flush=True)


class _StatusColumn(ProgressColumn):
    """A spinner while a unit runs, then ✓ done, ↷ reused, ✗ failed."""

    def __init__(self) -> None:
        super().__init__()
        self._icons = {
            "done": Text("✓", style="green"),
            "skipped": Text("↷", style="cyan"),
            "failed": Text("✗", style="red"),
        }
        self._spinner = Spinner("dots", style="yellow")

    def render(self, task: Task) -> Text:
        status = task.fields.get("status", "running")
        if status in self._icons:
            return self._icons[status]
        rendered = self._spinner.render(task.get_time())
        return rendered if isinstance(rendered, Text) else Text("…")


class LiveView(_BaseView):
    """A live rich table: one row per running stage/phase with status, tokens and elapsed time."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.progress = Progress(
            _StatusColumn(),
            TextColumn("{task.description:<9}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[tokens]:>6} tok", style="magenta"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}", style="dim"),
            console=console,
            refresh_per_second=8,
        )
        self._tasks: dict[int, TaskID] = {}

    def added(self, unit: UnitState) -> None:
        task = self.progress.add_task(unit.label, total=None, status="running", tokens=0, note="")
        self._tasks[id(unit)] = task

    def restarted(self, unit: UnitState) -> None:
        self.progress.reset(self._tasks[id(unit)], total=None, status="running", tokens=0, note="")

    def refresh(self, unit: UnitState, line: str | None = None) -> None:
        task = self._tasks[id(unit)]
        ended = unit.status != "running"
        self.progress.update(
            task,
            status=unit.status,
            tokens=unit.tokens,
            note=unit.note[:60],
            total=1 if ended else None,
            completed=1 if ended else 0,
        )

    def __enter__(self) -> LiveView:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


# --------------------------------------------------------------------------- plan command


def derive_name(idea: str) -> str:
    """A short project name from the idea ("called X", else its leading noun phrase)."""
    from devussy.planner.analysis import analyze_text
    from devussy.planner.interview import derive_name as planner_derive_name

    return planner_derive_name(idea, analyze_text(idea, ()))


def build_brief(args: argparse.Namespace) -> ProjectBrief:
    idea = args.idea.strip()
    if not idea:
        raise UsageError("the idea cannot be empty")
    try:
        return ProjectBrief(
            name=(args.name or derive_name(idea)).strip(),
            summary=idea,
            languages=args.language,
            frameworks=args.framework,
            data_stores=args.data_store,
            integrations=args.integration,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "brief"
        raise UsageError(f"invalid {where}: {first['msg']}") from None


def resolve_settings(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Settings:
    settings = Settings.from_env(env)
    overrides: dict[str, Any] = {}
    if args.provider:
        overrides["provider"] = args.provider
    if args.model:
        overrides["model"] = args.model
    if args.concurrency:
        overrides["max_concurrency"] = args.concurrency
    return dataclasses.replace(settings, **overrides) if overrides else settings


def make_runner(settings: Settings, observer: _BaseView, out_dir: Path) -> Any:
    """Build the pipeline runner (imported lazily so ``devussy schema`` stays fast).

    The runner keeps its checkpoint in ``<out_dir>/.devussy/checkpoint.json``.
    """
    from devussy.pipeline.runner import PipelineRunner
    from devussy.pipeline.settings import stage_settings

    for stage in ("design", "basic_plan", "phase_detail", "handoff"):
        stage_settings(settings, stage)  # a missing key or unknown engine fails here, before the view starts
    return PipelineRunner(
        lambda stage: stage_settings(settings, stage),
        concurrency=settings.max_concurrency,
        checkpoint_dir=str(out_dir),
        observer=observer,
    )


def _view_for(args: argparse.Namespace, stdout: TextIO) -> _BaseView:
    console = Console(file=stdout)
    if args.plain or not console.is_terminal:
        return PlainView(stdout)
    return LiveView(console)


def run_plan(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.artifacts import render_artifacts, write_artifacts, write_zip

    brief = build_brief(args)
    settings = resolve_settings(args)
    # Chosen before any interview (from --out, --name or the idea) so `--resume` finds the same place.
    out_dir: Path = args.out or DEFAULT_OUT_ROOT / slugify(brief.name)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} exists and is not a directory")
    view = _view_for(args, stdout)
    runner = make_runner(settings, view, out_dir)
    resume = args.resume
    if args.interview:
        saved = saved_brief(out_dir) if args.resume else None
        if saved is not None:
            print(f"Resuming {saved.name} from {out_dir}: the interview is already done.", file=stdout)
            brief = merge_flags(saved, args)
        else:
            if args.resume:
                print(f"No interview to resume in {out_dir}; starting with the interview.", file=stdout)
                resume = False  # nothing before the design is checkpointed: there is nothing to reuse
            try:
                brief = merge_flags(run_interview(settings, first_input(args), stdout), args)
            except KeyboardInterrupt:
                print(file=stdout)  # end the prompt line; nothing was started, so nothing to resume
                return EXIT_INTERRUPTED
            except ConfigError:
                raise
            except DevussyError as exc:
                raise InterviewFailed(f"interview: {exc.message}", code=exc.code) from exc
    with view:
        result = asyncio.run(runner.run(brief, resume=resume))

    files = render_artifacts(result.design, result.plan, result.handoff)
    paths = write_artifacts(out_dir, files)
    slug = slugify(result.plan.project_name)
    paths.append(write_zip(out_dir / f"{slug}-devplan.zip", files, root=slug))
    usage = result.usage if isinstance(result.usage, Usage) else None
    tokens = f", {usage.total_tokens} tokens" if usage and usage.total_tokens else ""
    print(f"Wrote {len(paths)} files to {out_dir}{tokens}:", file=stdout)
    for path in paths:
        print(f"  {path}", file=stdout)
    print(f"Start with {out_dir / 'devplan.md'}", file=stdout)
    return EXIT_OK


# --------------------------------------------------------------------------- interview (plan --interview)

MAX_ANSWER_CHARS = 20_000  # a chat turn's limit
MAX_QUESTIONS = 20  # then the CLI answers "done" itself: a chatty engine cannot keep a script waiting
FINISH_ANSWER = "done"
# What the CLI answers once there are no more answers; an engine that still asks gets the second one.
CLOSING_ANSWERS = (
    FINISH_ANSWER,
    "That is all I can tell you. Please write the brief now, stating assumptions for the rest.",
)
# (brief field, argparse attribute) of the flags that add to the brief's lists
LIST_FLAGS = (
    ("languages", "language"),
    ("frameworks", "framework"),
    ("data_stores", "data_store"),
    ("integrations", "integration"),
)


def first_input(args: argparse.Namespace) -> str:
    """The idea, plus what the flags already decide, so the engine does not ask about it."""
    decided = [f"name: {args.name.strip()}"] if args.name else []
    for field, attr in LIST_FLAGS:
        if values := getattr(args, attr):
            decided.append(f"{field.replace('_', ' ')}: {', '.join(values)}")
    idea = args.idea.strip()
    text = f"{idea}\n\nAlready decided — {'; '.join(decided)}." if decided else idea
    if len(text) > MAX_ANSWER_CHARS:
        raise UsageError(f"with --interview the idea must be at most {MAX_ANSWER_CHARS} characters")
    return text


def merge_flags(brief: ProjectBrief, args: argparse.Namespace) -> ProjectBrief:
    """The interview's brief, with --name replacing its name and the list flags added to its lists."""
    data = brief.model_dump(by_alias=False)
    if args.name:
        data["name"] = args.name.strip()
    for field, attr in LIST_FLAGS:
        values: list[str] = data[field]
        for value in getattr(args, attr):
            if value.strip().casefold() not in {v.casefold() for v in values}:
                values.append(value.strip())
    try:
        return ProjectBrief.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "brief"
        raise UsageError(f"invalid {where}: {first['msg']}") from None


def saved_brief(out_dir: Path) -> ProjectBrief | None:
    """The brief of an earlier run in ``out_dir``, kept with its design in the checkpoint."""
    from devussy.pipeline.checkpoint import CheckpointStore

    checkpoint = CheckpointStore(out_dir).load()
    return checkpoint.design.brief if checkpoint and checkpoint.design else None


def run_interview(settings: Settings, idea: str, stdout: TextIO) -> ProjectBrief:
    """Ask the engine's questions in the terminal until its reply carries a brief.

    Answers are lines read with ``input()``, from a terminal or a pipe; the engine understands
    "done"/"skip"; an empty line means "no preference"; end of input means "done". Each turn runs in
    its own event loop, so Ctrl-C while waiting for an answer is a plain KeyboardInterrupt.
    """
    from devussy.pipeline.interview import InterviewGenerator
    from devussy.pipeline.settings import stage_settings

    generator = InterviewGenerator(stage_settings(settings, "interview"))
    echo_answers = not _is_terminal(sys.stdin)  # a terminal shows typed answers; a pipe does not
    print('Interview: answer each question on one line ("done" plans with what is known).', file=stdout)
    history: list[ChatTurn] = []
    answer, closings = idea, 0  # closings: "done"s the CLI sent itself (end of input, too many questions)
    while True:
        print(file=stdout)
        echo = InterviewEcho(stdout)
        reply = asyncio.run(generator.generate(history, answer, echo)).value
        echo.finish(reply.reply)
        if reply.brief is not None:
            print(file=stdout)
            return reply.brief
        history += [ChatTurn(role="user", content=answer), ChatTurn(role="assistant", content=reply.reply)]
        if closings >= len(CLOSING_ANSWERS):
            raise DevussyError(
                "the interview engine kept asking questions after being told to finish; "
                "answer them in a terminal, or run without --interview",
                code="provider_bad_response",
            )
        typed = None
        if closings:
            pass  # input has ended: insist, once
        elif len(history) // 2 > MAX_QUESTIONS:
            print(f"> {FINISH_ANSWER} ({MAX_QUESTIONS} questions are enough)", file=stdout)
        else:
            typed = read_answer(stdout, echo_answers)
            if typed is None:
                print(FINISH_ANSWER, file=stdout)  # after the "> " prompt: the transcript reads "> done"
        if typed is None:
            answer, closings = CLOSING_ANSWERS[closings], closings + 1
        else:
            answer = typed or "no preference"


def read_answer(stdout: TextIO, echo: bool) -> str | None:
    """One answer line; None at end of input."""
    print("> ", end="", file=stdout, flush=True)
    try:
        line = input()
    except (EOFError, RuntimeError):  # RuntimeError: "input(): lost sys.stdin"
        return None
    if echo:
        print(line, file=stdout)
    return line.strip()[:MAX_ANSWER_CHARS]


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


_HELD_TAIL = ("```", "~~~", "<think>", "<thinking>", "<reasoning>")
_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def visible_reply(raw: str) -> str:
    """What of a partly streamed interview answer to show: no reasoning, no ```json brief block.

    A last line that may still become a fence or a reasoning tag is held back until it cannot.
    """
    from devussy.pipeline.parsing import strip_think

    text = strip_think(raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    fence = _FENCE_LINE.search(text)
    if fence:
        text = text[: fence.start()]
    else:
        start = text.rfind("\n") + 1
        tail = text[start:].lstrip(" \t").lower()
        if tail and any(marker.startswith(tail) for marker in _HELD_TAIL):
            text = text[:start]
    return text.strip()


class InterviewEcho:
    """The interview stage's sink: prints the question as it streams, then whatever parsing kept."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._raw = ""
        self.printed = ""

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()

    async def on_token_async(self, token: str) -> None:
        self._raw += token
        visible = visible_reply(self._raw)
        if len(visible) > len(self.printed) and visible.startswith(self.printed):
            self._write(visible[len(self.printed) :])
            self.printed = visible

    async def on_progress_async(self, event: Mapping[str, Any]) -> None:
        if event.get("event") == "repair":
            note = "(the answer did not parse; asking the engine again)\n"
            self._write(("\n" if self.printed else "") + note)
            self._raw, self.printed = "", ""

    async def on_completion_async(self, text: str) -> None:
        return None

    def finish(self, reply: str) -> None:
        """Print the rest of the parsed reply (all of it if the stream showed something else)."""
        if reply.startswith(self.printed):
            self._write(reply[len(self.printed) :] + "\n")
        else:
            self._write("\n" + reply + "\n")
        self.printed = ""


# --------------------------------------------------------------------------- other commands


def run_providers(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.llm.registry import available_providers

    settings = Settings.from_env()
    providers = available_providers(settings)
    if args.json:
        text = json.dumps(providers, indent=2, sort_keys=True)
    elif providers:
        text = "\n".join([*map(format_provider, providers), "(* = default; set DEVUSSY_PROVIDER to change)"])
    else:
        text = "no providers registered"
    print(redact(text), file=stdout)
    return EXIT_OK


def format_provider(entry: Mapping[str, Any]) -> str:
    """One line for a provider description from ``available_providers``."""
    mark = "*" if entry.get("default") else " "
    reason = entry.get("reason") or "unknown reason"
    if entry.get("usable"):
        status = "ready"
    elif entry.get("configured"):
        status = f"configured, not usable: {reason}"
    else:
        status = f"not configured: {reason}"
    parts = [f"{mark} {entry.get('name', '?'):<10} {status}"]
    if entry.get("models"):
        parts.append("models: " + ", ".join(map(str, entry["models"])))
    flags = [name for name, value in (entry.get("capabilities") or {}).items() if value is True]
    if flags:
        parts.append("capabilities: " + ", ".join(flags))
    return "  ".join(parts)


def run_schema(args: argparse.Namespace, stdout: TextIO) -> int:
    print(export_json_schema(), file=stdout)
    return EXIT_OK


def run_serve(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.web.devserver import serve

    try:
        serve(args.host, args.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


SECRET_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEVUSSY_ACCESS_TOKEN")


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """Belt and braces: no configured secret is ever printed, whatever a message contains.

    Settings read keys and the access token from these environment variables only.
    """
    env = os.environ if env is None else env
    for name in SECRET_ENV_VARS:
        value = (env.get(name) or "").strip()
        if value:
            text = text.replace(value, "***")
    return text


# --------------------------------------------------------------------------- entry point


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _error(message: str, stderr: TextIO) -> None:
    print(f"devussy: error: {redact(message)}", file=stderr)


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

    commands = {"plan": run_plan, "providers": run_providers, "schema": run_schema, "serve": run_serve}
    try:
        return commands[args.command](args, stdout)
    except KeyboardInterrupt:
        print(
            "devussy: interrupted; checkpoints are kept — rerun the same command with --resume to continue",
            file=stderr,
        )
        return EXIT_INTERRUPTED
    except (UsageError, ConfigError) as exc:
        _error(str(exc), stderr)
        return EXIT_USAGE
    except DevussyError as exc:
        if exc.code == "config_error":  # e.g. a checkpoint that belongs to another brief
            _error(exc.message, stderr)
            return EXIT_USAGE
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


if __name__ == "__main__":
    sys.exit(main())
