"""``handoff.md`` regenerated from the plan's state so it always points at the next slice of work.

It keeps what is still true of the original handoff prompt (``plan.json``'s ``handoff.prompt``: what
we are building, the stack, how to work, risks) and drops the sections about where to start, which
the state replaces: what is done, the next slice in full, what is blocked, the requirements still
open. A pure function of the snapshot: the same state always gives the same file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from devussy.artifacts.escape import block, code_block, inline
from devussy.artifacts.markdown import coverage_warnings, phase_filename
from devussy.requirements import check_coverage
from devussy.workspace.models import StepRef, WorkspaceStatus
from devussy.workspace.snapshot import Snapshot

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Sections of the original prompt about where to begin: stale once work has started.
_START_SECTION = re.compile(r"\b(start|begin|first step|next steps?|next task|where to)\b", re.IGNORECASE)
_STATE_WORDS = {
    "done": "done",
    "in_progress": "in progress",
    "ready": "ready to start",
    "waiting": "waiting on earlier phases",
    "held": "held up by a blocked step",
    "not_detailed": "not detailed yet",
}


def _some(ids: Iterable[str], limit: int = 12) -> str:
    shown = list(ids)
    more = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")


def _link(phase: int) -> str:
    return f"[{phase_filename(phase)}]({phase_filename(phase)})"


def still_true(prompt: str) -> tuple[str | None, str, str]:
    """The prompt's own ``# `` title (if any), its lead (the text before its first heading) and the
    rest, without the sections about where to start."""
    lines = block(prompt).split("\n")
    title = None
    if lines and lines[0].startswith("# "):
        title, lines = lines[0], lines[1:]
    kept: list[str] = []
    lead: list[str] | None = None
    dropping_level = 0
    fence: str | None = None
    for line in lines:
        fence_match = _FENCE.match(line)
        heading = None
        if fence is not None:
            closing = fence_match.group(1) if fence_match else ""
            if closing.startswith(fence) and line.strip() == closing:
                fence = None
        elif fence_match:
            fence = fence_match.group(1)
        else:
            heading = _HEADING.match(line)
        if heading:
            if lead is None:
                lead, kept = kept, []
            level = len(heading.group(1))
            if dropping_level and level <= dropping_level:
                dropping_level = 0
            if not dropping_level and _START_SECTION.search(heading.group(2)):
                dropping_level = level
        if not dropping_level:
            kept.append(line)
    if lead is None:
        lead, kept = kept, []
    return title, "\n".join(lead).strip("\n"), "\n".join(kept).strip("\n")


def _progress_lines(status: WorkspaceStatus) -> list[str]:
    lines = [f"{status.done} of {status.total} steps done.", ""]
    for phase in status.phases:
        count = f"{phase.done}/{phase.total}" if phase.total else "no steps"
        lines.append(
            f"- Phase {phase.number}: {inline(phase.title)} — {count}, {_STATE_WORDS[phase.state]}"
            f" ({_link(phase.number)})"
        )
    if status.recent_progress:
        lines += ["", "Latest from the progress log (devplan.md):", ""]
        lines += [f"- {entry}" for entry in status.recent_progress]
    return lines


def _next_slice(snapshot: Snapshot, group: list[StepRef]) -> list[str]:
    first = snapshot.steps[group[0].id]
    step = first.step
    lines = [f"### {step.id} {inline(step.title)}", "", block(step.details), ""]
    if first.covers:
        lines += [f"**Covers:** {', '.join(first.covers)}", ""]
    lines += ["**Done when:**", ""]
    criteria = [f"- {inline(c)}" for c in step.acceptance_criteria]
    lines += criteria or ["- _No criteria given: agree on them first._"]
    lines += [""]
    if step.test_command:
        lines += ["**Verify with:**", "", code_block(step.test_command, "bash"), ""]
    if first.item and first.item.notes:
        lines += ["**Notes so far:**", "", *[f"- {note}" for note in first.item.notes], ""]
    if len(group) > 1:
        lines += ["Then (steps of one wave can be done in parallel; `devussy next` shows the waves):", ""]
        lines += [f"- [ ] **{ref.id} {inline(ref.title)}** — {_link(ref.phase)}" for ref in group[1:]]
        lines.append("")
    return lines


def render_living_handoff(snapshot: Snapshot, status: WorkspaceStatus) -> str:
    original_title, lead, kept = still_true(snapshot.handoff.prompt) if snapshot.handoff else (None, "", "")
    lines = [original_title or f"# Handoff — {inline(snapshot.plan.project_name)}", ""]
    group = status.next_task_group
    if group:
        lines += [f"**Start at:** Phase {group[0].phase}, step {group[0].id} ({_link(group[0].phase)})", ""]
    elif status.done == status.total and status.total:
        lines += [f"**Every step is done** ({status.total} of {status.total}).", ""]
    elif status.total:
        lines += [
            "**Nothing can start:** every open step is blocked or waits on a blocked step. "
            "Settle the blocked steps below first.",
            "",
        ]
    if lead:
        lines += [lead, ""]
    lines += ["## Where things stand", "", *_progress_lines(status), ""]
    if group:
        lines += ["## Next slice", "", *_next_slice(snapshot, group)]
    if status.blocked or status.held:
        lines += ["## Blocked", ""]
        lines += [
            f"- **{v.id} {inline(v.title)}** ({_link(v.phase)}): {inline(v.blocked_reason or '')}"
            for v in status.blocked
        ]
        if status.held:
            lines += ["", f"Waiting on a blocked step: {_some(v.id for v in status.held)}."]
        lines.append("")
    if status.open_requirements:
        lines += ["## Requirements still open", "", "No done step covers these yet:", ""]
        for entry in status.open_requirements:
            where = (
                f" (planned in {', '.join(entry.open_steps)})" if entry.open_steps else " (no step covers it)"
            )
            lines.append(f"- **{entry.id}** ({entry.kind.replace('_', '-')}): {inline(entry.text)}{where}")
        lines.append("")
    if kept:
        lines += [kept, ""]
    lines += [
        "## Keeping the plan current",
        "",
        'After each step run `devussy done STEP --note "what you did"` (or the MCP tool `complete_step`): '
        "it ticks the box in the phase file, logs a dated line in devplan.md's progress log, recomputes the "
        "next task group and rewrites this file. `devussy block STEP --reason TEXT` marks a step you "
        "cannot finish; `devussy status` shows where things stand.",
        "",
    ]
    warnings = coverage_warnings(check_coverage(snapshot.plan), snapshot.plan.requirements)
    warnings = [line for line in warnings if "is not covered by any step" not in line]  # shown above
    if warnings:
        lines += ["## Coverage warnings", "", "The plan's coverage check found these; settle them first:", ""]
        lines += [*warnings, ""]
    return "\n".join(lines).rstrip() + "\n"
