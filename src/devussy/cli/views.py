"""The run views: the observer the pipeline runner asks for one sink per unit of work.

A unit is a stage, or one phase's detail. On a terminal the view is a rich live table
(``LiveView``); otherwise one plain line per event (``PlainView``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.spinner import Spinner
from rich.text import Text

from devussy.events import (
    CoverageChecked,
    PhaseAnnounced,
    PhaseOutline,
    ProgressEvent,
    RepairRequested,
    UnitFailed,
    UnitFinished,
    UnitSkipped,
    UnitStarted,
)
from devussy.models import Usage
from devussy.redaction import redact, secrets_in_env
from devussy.stages.names import STAGE_LABELS, StageName


@dataclass
class UnitState:
    """One unit of work the runner reported: a stage, or one phase's detail."""

    label: str
    title: str = ""  # a phase's title, once the plan has named it
    status: str = "running"  # running | done | failed | skipped
    chunks: int = 0  # token deltas streamed so far
    usage: Usage | None = None
    note: str = ""

    @property
    def tokens(self) -> int:
        return self.usage.completion_tokens if self.usage and self.usage.completion_tokens else self.chunks


def shorten(title: str, width: int = 32) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def unit_label(stage: StageName, phase: int | None) -> str:
    if phase is not None:
        return f"phase {phase}"
    return STAGE_LABELS[stage]


def apply_event(unit: UnitState, event: ProgressEvent) -> str | None:
    """Update ``unit`` from a runner or stage event; returns the line the plain view prints."""
    match event:
        case UnitStarted():
            unit.status = "running"
            return f"started: {unit.title}" if unit.title else "started"
        case UnitFinished():
            unit.status = "done"
            unit.usage = event.usage
            return f"finished ({unit.tokens} tokens)"
        case UnitFailed(code="cancelled"):
            unit.status, unit.note = "failed", "cancelled"
            return "cancelled"
        case UnitFailed():
            unit.status = "failed"
            unit.note = redact(f"{event.code}: {event.message}".strip(), secrets_in_env())
            return f"failed: {unit.note}"
        case UnitSkipped():
            unit.status = "skipped"
            unit.note = f"reused ({event.reason})"
            return f"skipped: {unit.note}"
        case PhaseAnnounced():
            return f"parsed phase {event.phase.number}: {event.phase.title}"
        case RepairRequested():
            unit.note = "repairing output"
            return f"{len(event.errors)} problem(s) in the output; asking for one repair"
        case CoverageChecked():
            left = len(event.unresolved)
            after = " after the repair" if event.repaired else ""
            unit.note = f"{left} requirement problem(s) left{after}" if left else ""
            return f"requirements check: {left} problem(s) left{after}" if left else "requirements check: ok"
    return None


class UnitSink:
    """The StreamingHandler a view hands to the runner for one unit of work."""

    def __init__(self, view: RunView, unit: UnitState) -> None:
        self._view, self._unit = view, unit

    async def on_token_async(self, token: str) -> None:
        self._unit.chunks += 1
        self._view.refresh(self._unit)

    async def on_progress_async(self, event: ProgressEvent) -> None:
        line = apply_event(self._unit, event)
        self._view.refresh(self._unit, line)
        if isinstance(event, PhaseAnnounced):
            self._view.name_phase(PhaseOutline(number=event.phase.number, title=event.phase.title))
        elif isinstance(event, CoverageChecked):
            self._view.checks[self._unit.label] = event
        elif isinstance(event, UnitSkipped):  # a plan reused from a checkpoint lists its outline
            for phase in event.phases:
                self._view.name_phase(phase)

    async def on_completion_async(self, text: str) -> None:
        return None


class RunView:
    """What both views share: one row (``UnitState``) per unit, and the sink that updates it."""

    def __init__(self) -> None:
        self.units: list[UnitState] = []
        self.phase_titles: dict[int, str] = {}  # from the plan stream's phase events
        self.checks: dict[str, CoverageChecked] = {}  # the last requirements check of each unit

    def name_phase(self, phase: PhaseOutline) -> None:
        number, title = phase.number, phase.title
        self.phase_titles[number] = title
        for unit in self.units:  # a detail that started before the event reached the view
            if unit.label == unit_label("phase_detail", number) and unit.title != title:
                unit.title = title
                self.refresh(unit)

    def sink(self, stage: StageName, phase: int | None = None) -> UnitSink:
        label = unit_label(stage, phase)
        # A unit that starts again (the runner restarts a cancelled phase detail) keeps its row.
        unit = next((u for u in self.units if u.label == label and u.status == "failed"), None)
        if unit is None:
            unit = UnitState(label, title=self.phase_titles.get(phase, "") if phase is not None else "")
            self.units.append(unit)
            self.added(unit)
        else:
            unit.status, unit.chunks, unit.usage, unit.note = "running", 0, None, ""
            self.restarted(unit)
        return UnitSink(self, unit)

    def added(self, unit: UnitState) -> None:
        return None

    def restarted(self, unit: UnitState) -> None:
        return None

    def refresh(self, unit: UnitState, line: str | None = None) -> None:
        return None

    def __enter__(self) -> RunView:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def repair_summary(checks: dict[str, CoverageChecked]) -> list[str]:
    """Lines for the end of ``devussy plan``: each unit whose requirements check asked for a repair,
    and what stayed unresolved after it (never hidden)."""
    lines = []
    for label, check in checks.items():
        left = len(check.unresolved)
        if check.repaired:
            lines.append(f"  {label}: one repair round, " + (f"{left} still open" if left else "all fixed"))
        elif left:
            lines.append(f"  {label}: {left} open")
        lines += [f"    - {problem}" for problem in check.unresolved]
    return ["Requirements checks:", *lines] if lines else []


class PlainView(RunView):
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


class LiveView(RunView):
    """A live rich table: one row per running stage/phase with status, tokens and elapsed time."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.progress = Progress(
            _StatusColumn(),
            TextColumn("{task.description:<9}"),
            TextColumn("{task.fields[title]}", style="bold"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[tokens]:>6} tok", style="magenta"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}", style="dim"),
            console=console,
            refresh_per_second=8,
        )
        self._tasks: dict[int, TaskID] = {}

    def added(self, unit: UnitState) -> None:
        task = self.progress.add_task(
            unit.label, total=None, status="running", tokens=0, note="", title=shorten(unit.title)
        )
        self._tasks[id(unit)] = task

    def restarted(self, unit: UnitState) -> None:
        self.progress.reset(  # reset replaces every field
            self._tasks[id(unit)], total=None, status="running", tokens=0, note="", title=shorten(unit.title)
        )

    def refresh(self, unit: UnitState, line: str | None = None) -> None:
        task = self._tasks[id(unit)]
        ended = unit.status != "running"
        self.progress.update(
            task,
            status=unit.status,
            title=shorten(unit.title),
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
