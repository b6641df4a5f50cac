"""Task Master's ``.taskmaster/tasks/tasks.json`` from a plan folder, so its users can switch.

Task Master keeps tasks in tagged lists: ``{"master": {"tasks": [...], "metadata": {...}}}``. A phase
becomes a task (id = phase number, dependencies = the phases it depends on) and its steps become
subtasks (id = the step's number within the phase; a dependency on a step of the same phase is the
sibling's number, one on another phase's step is the ``"2.3"`` string Task Master uses for
subtasks). Status: ``done``, ``blocked`` or ``pending`` per step; a phase is ``done`` when every step
is, ``in-progress`` once one is done, ``blocked`` when a step is blocked and none is done yet.

Other tags in an existing file are kept. A tag whose tasks Devussy did not write is never replaced
unless asked (``force``), so Task Master work is not overwritten by accident.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from devussy.errors import WorkspaceError
from devussy.workspace.snapshot import Snapshot, StepInfo
from devussy.workspace.status import Analysis

DEFAULT_TAG = "master"
DEFAULT_PATH = ".taskmaster/tasks/tasks.json"
_MARKER = "Exported by Devussy from"


def _step_number(step_id: str) -> int:
    return int(step_id.split(".")[1])


def _test_strategy(info: StepInfo) -> str:
    parts = []
    if info.step.test_command:
        parts.append(f"Run: {info.step.test_command}")
    if info.step.acceptance_criteria:
        parts.append("Done when: " + "; ".join(info.step.acceptance_criteria))
    return "\n".join(parts) or "No test command or acceptance criteria given in the plan."


def _subtask(info: StepInfo, status: str) -> dict[str, Any]:
    dependencies: list[int | str] = [
        _step_number(dep) if dep.split(".")[0] == str(info.phase) else dep for dep in info.depends_on
    ]
    details = info.step.details
    notes = info.item.notes if info.item else []
    if notes:
        details += "\n\nNotes:\n" + "\n".join(f"- {note}" for note in notes)
    if info.blocked_reason:
        details += f"\n\nBlocked: {info.blocked_reason}"
    first_line = info.step.details.strip().split("\n", 1)[0]
    return {
        "id": _step_number(info.step.id),
        "title": info.step.title,
        "description": first_line[:300],
        "details": details,
        "testStrategy": _test_strategy(info),
        "status": {"done": "done", "blocked": "blocked"}.get(status, "pending"),
        "dependencies": dependencies,
    }


def _phase_status(statuses: Sequence[str]) -> str:
    if statuses and all(status == "done" for status in statuses):
        return "done"
    if "done" in statuses:
        return "in-progress"
    return "blocked" if "blocked" in statuses else "pending"


def build_tasks(snapshot: Snapshot) -> list[dict[str, Any]]:
    analysis = Analysis(snapshot)
    tasks = []
    for phase in sorted(snapshot.plan.phases, key=lambda p: p.number):
        members = [info for info in snapshot.steps.values() if info.phase == phase.number]
        statuses = [analysis.status[info.step.id] for info in members]
        requirements = {r.id: r.text for r in snapshot.plan.requirements}
        details = phase.summary
        if phase.requirements:
            details += "\n\nRequirements:\n" + "\n".join(
                f"- {rid}: {requirements.get(rid, '')}".rstrip(": ") for rid in phase.requirements
            )
        commands = list(dict.fromkeys(info.step.test_command for info in members if info.step.test_command))
        strategy = (
            f"Every subtask's test passes: {'; '.join(commands)}"
            if commands
            else "Every subtask's acceptance criteria hold."
        )
        tasks.append(
            {
                "id": phase.number,
                "title": phase.title,
                "description": phase.summary.strip().split("\n", 1)[0][:300],
                "details": details,
                "testStrategy": strategy,
                "priority": "medium",
                "dependencies": list(snapshot.phase_depends.get(phase.number, [])),
                "status": _phase_status(statuses),
                "subtasks": [_subtask(info, status) for info, status in zip(members, statuses, strict=True)],
            }
        )
    return tasks


def merge_tasks_file(
    existing: str | None,
    snapshot: Snapshot,
    *,
    tag: str = DEFAULT_TAG,
    force: bool = False,
    now: datetime | None = None,
) -> str:
    """The new text of tasks.json: ``existing`` (or nothing) with ``tag`` set to the plan's tasks."""
    stamp = (now or datetime.now(UTC)).isoformat()
    document: dict[str, Any] = {}
    if existing is not None and existing.strip():
        try:
            document = json.loads(existing)
        except ValueError as exc:
            message = f"the existing tasks.json is not valid JSON: {exc}"
            raise WorkspaceError(message, code="invalid_input") from None
        if not isinstance(document, dict):
            raise WorkspaceError("the existing tasks.json is not a JSON object", code="invalid_input")
        if isinstance(document.get("tasks"), list):  # Task Master's legacy, untagged layout
            document = {DEFAULT_TAG: {"tasks": document["tasks"], "metadata": document.get("metadata", {})}}
    previous = document.get(tag) if isinstance(document.get(tag), Mapping) else None
    metadata = dict(previous.get("metadata") or {}) if previous else {}
    ours = _MARKER in str(metadata.get("description", ""))
    if previous and previous.get("tasks") and not ours and not force:
        raise WorkspaceError(
            f"tasks.json already has {len(previous['tasks'])} task(s) under the tag {tag!r} that Devussy did "
            "not write; choose another --tag or pass --force to replace them",
            code="tag_in_use",
        )
    document[tag] = {
        "tasks": build_tasks(snapshot),
        "metadata": {
            "created": metadata.get("created", stamp),
            "updated": stamp,
            "description": f"{_MARKER} the plan for {snapshot.plan.project_name}",
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
