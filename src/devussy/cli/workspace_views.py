"""How ``status`` and ``next`` look: a rich table with a progress bar per phase on a terminal, plain
lines otherwise (pipes, CI, agents reading the output)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from rich.console import Console, Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from devussy.workspace.models import StepRef, StepView, WorkspaceStatus

STATE_WORDS = {
    "done": "done",
    "in_progress": "in progress",
    "ready": "ready",
    "waiting": "waiting",
    "held": "held by a block",
    "not_detailed": "not detailed",
}
_STATE_STYLES = {"done": "green", "in_progress": "yellow", "ready": "cyan", "held": "red"}


def _ref(ref: StepRef) -> str:
    return f"{ref.id} {ref.title} ({ref.file})"


def _held_line(view: StepView) -> str:
    waits = ", ".join(view.waits_on[:6]) + (" …" if len(view.waits_on) > 6 else "")
    return f"{view.id} {view.title} — waits on {waits}"


def status_lines(status: WorkspaceStatus) -> list[str]:
    lines = [f"{status.project_name}: {status.done}/{status.total} steps done", ""]
    width = max((len(p.title) for p in status.phases), default=0)
    for phase in status.phases:
        blocked = f", {phase.blocked} blocked" if phase.blocked else ""
        lines.append(
            f"Phase {phase.number:>2}  {phase.title:<{width}}  {phase.done:>2}/{phase.total:<2}  "
            f"{STATE_WORDS[phase.state]}{blocked}"
        )
    lines += ["", "Next task group:"]
    idle = "  (the phases have no steps yet)" if not status.total else "  (nothing can start)"
    lines += [f"  {_ref(ref)}" for ref in status.next_task_group] or [idle]
    if status.blocked:
        lines += ["", "Blocked:"]
        lines += [f"  {view.id} {view.title} — {view.blocked_reason}" for view in status.blocked]
    if status.held:
        lines += ["", f"Waiting on a blocked step: {', '.join(view.id for view in status.held)}"]
    if status.open_requirements:
        lines += ["", "Requirements not yet covered by a done step:"]
        for entry in status.open_requirements:
            where = f"planned in {', '.join(entry.open_steps)}" if entry.open_steps else "no step covers it"
            lines.append(f"  {entry.id} ({entry.kind}) {entry.text} — {where}")
    if status.recent_progress:
        lines += ["", "Recent progress:"]
        lines += [f"  {entry}" for entry in status.recent_progress]
    lines += [f"warning: {warning}" for warning in status.warnings]
    return lines


def wave_lines(status: WorkspaceStatus, limit: int | None) -> list[str]:
    waves = status.waves if limit is None else status.waves[:limit]
    lines: list[str] = []
    for number, wave in enumerate(waves, 1):
        heading = "can start now" if number == 1 else f"after wave {number - 1}"
        lines.append(f"Wave {number} ({heading}{', in parallel' if len(wave) > 1 else ''}):")
        lines += [f"  {_ref(ref)}" for ref in wave]
    hidden = len(status.waves) - len(waves)
    if hidden > 0:
        lines.append(f"… {hidden} more wave(s); --all shows every wave")
    if not status.waves:
        if not status.total:
            lines.append("The plan has no steps yet.")
        else:
            lines.append("Every step is done." if status.done == status.total else "Nothing can start.")
    if status.blocked:
        lines.append("Blocked: " + "; ".join(f"{v.id} ({v.blocked_reason})" for v in status.blocked))
    if status.held:
        lines.append("Held by a block: " + ", ".join(v.id for v in status.held))
    return lines


def print_lines(lines: Iterable[str], stdout: TextIO) -> None:
    for line in lines:
        print(line, file=stdout)


def render_status(status: WorkspaceStatus, console: Console) -> None:
    console.print(Text.assemble((status.project_name, "bold"), f"  {status.done}/{status.total} steps done"))
    table = Table(box=None, pad_edge=False, show_header=False)
    for _ in range(5):
        table.add_column()
    for phase in status.phases:
        bar = ProgressBar(total=max(phase.total, 1), completed=phase.done, width=24)
        state = STATE_WORDS[phase.state] + (f", {phase.blocked} blocked" if phase.blocked else "")
        table.add_row(
            f"Phase {phase.number}",
            phase.title,
            bar,
            f"{phase.done}/{phase.total}",
            Text(state, style=_STATE_STYLES.get(phase.state, "")),
        )
    console.print(table)
    rest = status_lines(status)
    start = rest.index("Next task group:") - 1
    console.print(Group(*(Text(line) for line in rest[start:])))


def render_waves(status: WorkspaceStatus, console: Console, limit: int | None) -> None:
    for line in wave_lines(status, limit):
        style = "bold" if line.startswith("Wave ") else ("red" if line.startswith("Blocked") else "")
        console.print(Text(line, style=style))
