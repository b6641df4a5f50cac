from __future__ import annotations

import io

from rich.console import Console

from devussy.cli.workspace_views import render_status, render_waves, status_lines, wave_lines
from devussy.workspace import Snapshot, WorkspaceStatus, workspace_status
from devussy.workspace.checklist import set_blocked
from tests.workspace.plans import recipe_files, tick


def _status(*done: str, blocked: str | None = None) -> WorkspaceStatus:
    files = tick(recipe_files(), *done)
    if blocked:
        name = f"phase{blocked[0]}.md"
        files[name] = set_blocked(files[name], blocked, "waiting for keys")
    return workspace_status(Snapshot.from_files(files))


def test_status_lines_name_blocks_and_what_they_hold() -> None:
    lines = status_lines(_status("1.1", "1.2", "1.3", blocked="3.1"))
    assert "Phase  3  Payments     0/2   in progress, 1 blocked" in lines
    assert "  3.1 Stripe client — waiting for keys" in lines
    assert "Waiting on a blocked step: 3.2" in lines


def test_wave_lines_limit() -> None:
    lines = wave_lines(_status(), limit=1)
    assert lines == [
        "Wave 1 (can start now):",
        "  1.1 Create the repository (phase1.md)",
        "… 4 more wave(s); --all shows every wave",
    ]
    everything_done = _status("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2")
    assert wave_lines(everything_done, None) == ["Every step is done."]


def test_the_terminal_view_draws_a_bar_per_phase() -> None:
    out = io.StringIO()
    render_status(_status("1.1"), Console(file=out, force_terminal=True, width=100, color_system=None))
    text = out.getvalue()
    first = next(line for line in text.splitlines() if line.startswith("Phase 1"))
    assert "━" * 8 + " " * 16 in first and first.endswith("1/3  in progress")
    assert "Next task group:" in text
    out = io.StringIO()
    render_waves(_status(), Console(file=out, force_terminal=True, width=100, color_system=None), None)
    assert "Wave 5 (after wave 4, in parallel):" in out.getvalue()


def test_a_plan_without_steps_says_so() -> None:
    from devussy.artifacts import render_artifacts
    from devussy.models import DevPlan, Phase

    plan = DevPlan(project_name="X", summary="s", phases=[Phase(number=1, title="A", summary="a")])
    status = workspace_status(Snapshot.from_files(render_artifacts(None, plan, None)))
    assert wave_lines(status, None) == ["The plan has no steps yet."]
    assert "  (the phases have no steps yet)" in status_lines(status)
