"""Changing a plan's state: done, block, reopen and notes, as a pure function of its files.

:func:`apply_actions` takes ``{file name: text}`` and returns the new texts. Each action is checked
against the state the earlier actions left, and the first bad one raises ``WorkspaceError`` before
anything is returned, so a caller writes all of the changes or none. What changes:

- the step's checkbox line in ``phaseN.md`` (tick, untick, ``— **Blocked:** reason``) and, for a
  note, one bullet indented under it: every other line of the file stays as it was;
- in ``devplan.md``, only the text between the anchors: one dated line per action appended to the
  progress log, the next task group recomputed (anchors deleted by hand are put back first);
- ``handoff.md``, regenerated from the new state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from devussy.artifacts.escape import inline
from devussy.artifacts.markdown import next_task_group as planned_task_group
from devussy.artifacts.markdown import phase_filename
from devussy.artifacts.progress import replace_section, update_progress_log
from devussy.errors import WorkspaceError
from devussy.workspace import checklist
from devussy.workspace.anchors import HEADINGS, repair_anchors
from devussy.workspace.handoff import render_living_handoff
from devussy.workspace.models import WorkspaceStatus
from devussy.workspace.snapshot import DEVPLAN, HANDOFF, Snapshot, StepInfo
from devussy.workspace.status import RECENT_PROGRESS, Analysis, workspace_status

ActionKind = Literal["done", "block", "reopen", "note"]
MAX_TEXT = 2000


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    step: str
    text: str | None = None  # the note (done, note) or the reason (block)


@dataclass
class UpdateResult:
    files: dict[str, str]
    changed: list[str]  # names whose text differs from the input, sorted
    logged: list[str]  # the progress log entries added
    messages: list[str] = field(default_factory=list)  # things worth telling (anchors restored, …)
    status: WorkspaceStatus | None = None


def timestamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M")


def _text(value: str | None, what: str, *, required: bool) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise WorkspaceError(f"{what} cannot be empty", code="invalid_input")
        return None
    if len(text) > MAX_TEXT:
        raise WorkspaceError(f"{what} is longer than {MAX_TEXT} characters", code="invalid_input")
    return text


def _editable(snapshot: Snapshot, step_id: str) -> StepInfo:
    info = snapshot.step(step_id)
    if info.item is None:
        raise WorkspaceError(
            f"step {info.step.id} has no checkbox in {phase_filename(info.phase)}; add the line "
            f"`- [ ] **{info.step.id} {info.step.title}**` back to its Steps list",
            code="step_not_in_file",
        )
    return info


def _apply_one(files: dict[str, str], action: Action, stamp: str, messages: list[str]) -> str:
    """Edit the phase file for one action; returns the progress log entry."""
    snapshot = Snapshot.from_files(files)
    info = _editable(snapshot, action.step)
    step_id, name = info.step.id, phase_filename(info.phase)
    label = f"{step_id} {inline(info.step.title)}"
    text = files[name]
    if action.kind == "done":
        note = _text(action.text, "the note", required=False)
        if info.done:
            raise WorkspaceError(
                f"step {step_id} is already done (ticked in {name}); `devussy reopen {step_id}` reopens it",
                code="already_done",
            )
        open_before = [dep for dep in info.depends_on if not snapshot.steps[dep].done]
        if open_before:
            messages.append(f"{step_id} was marked done before {', '.join(open_before)}, which it depends on")
        text = checklist.set_done(text, step_id, True)
        if note:
            text = checklist.add_note(text, step_id, f"{stamp}: {note}")
        entry = f"{stamp} — Done {label}" + (f": {inline(note)}" if note else "")
    elif action.kind == "block":
        reason = _text(action.text, "the reason", required=True)
        assert reason is not None
        if info.done:
            raise WorkspaceError(
                f"step {step_id} is done; reopen it (`devussy reopen {step_id}`) before blocking it",
                code="step_done",
            )
        text = checklist.set_blocked(text, step_id, reason)
        entry = f"{stamp} — Blocked {label}: {inline(reason)}"
    elif action.kind == "reopen":
        if info.done:
            text = checklist.set_done(text, step_id, False)
        elif info.blocked_reason is not None:
            text = checklist.set_blocked(text, step_id, None)
        else:
            message = f"step {step_id} is neither done nor blocked; nothing to reopen"
            raise WorkspaceError(message, code="not_open")
        entry = f"{stamp} — Reopened {label}"
    elif action.kind == "note":
        note = _text(action.text, "the note", required=True)
        text = checklist.add_note(text, step_id, f"{stamp}: {note}")
        entry = f"{stamp} — Note on {label}: {inline(note or '')}"
    else:  # pragma: no cover - Literal guards it
        raise WorkspaceError(f"unknown action {action.kind!r}", code="invalid_input")
    files[name] = text
    return entry


def render_task_group(snapshot: Snapshot, status: WorkspaceStatus) -> str:
    if not snapshot.steps:
        return planned_task_group(snapshot.plan)
    if status.next_task_group:
        refs = status.next_task_group
        return "\n".join(f"- [ ] **{ref.id} {inline(ref.title)}** — [{ref.file}]({ref.file})" for ref in refs)
    if status.done == status.total:
        return "_Every step is done._"
    return "_Nothing can start: every open step is blocked or waits on a blocked step (`devussy status`)._"


def refresh(
    files: dict[str, str], entries: Iterable[str], messages: list[str]
) -> tuple[Snapshot, WorkspaceStatus]:
    """Log ``entries``, recompute the next task group and regenerate handoff.md, in ``files``."""
    snapshot = Snapshot.from_files(files)
    status = workspace_status(snapshot, Analysis(snapshot))
    devplan, repaired = repair_anchors(files[DEVPLAN])
    for section in repaired:
        messages.append(f"restored the {HEADINGS[section].lower()} anchors in {DEVPLAN}")
    for entry in entries:
        devplan = update_progress_log(devplan, entry)
    devplan = replace_section(devplan, "next_task_group", render_task_group(snapshot, status))
    files[DEVPLAN] = devplan
    snapshot.files[DEVPLAN] = devplan
    status = status.model_copy(update={"recent_progress": snapshot.progress_entries()[-RECENT_PROGRESS:]})
    files[HANDOFF] = render_living_handoff(snapshot, status)
    return snapshot, status


def apply_actions(files: Mapping[str, str], actions: Iterable[Action], now: datetime) -> UpdateResult:
    original = dict(files)
    working = dict(files)
    stamp = timestamp(now)
    messages: list[str] = []
    entries = [_apply_one(working, action, stamp, messages) for action in actions]
    _, status = refresh(working, entries, messages)
    changed = sorted(name for name, text in working.items() if original.get(name) != text)
    return UpdateResult(files=working, changed=changed, logged=entries, messages=messages, status=status)
