"""The run views: the live rich table and what each runner event does to a unit."""

from __future__ import annotations

import io

from rich.console import Console

from devussy.cli.views import LiveView, PlainView, apply_event, repair_summary
from devussy.events import (
    CoverageChecked,
    PhaseAnnounced,
    PhaseOutline,
    RepairRequested,
    UnitFailed,
    UnitFinished,
    UnitSkipped,
    UnitStarted,
)
from devussy.models import CoverageReport, Phase, Usage


async def test_live_view_shows_each_unit_with_status_tokens_and_time() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    view = LiveView(console)
    with view:
        design = view.sink("design")
        await design.on_progress_async(UnitStarted())
        await design.on_token_async("x")
        await design.on_progress_async(UnitFinished(usage=Usage(completion_tokens=42)))
        phase = view.sink("phase_detail", 3)
        await phase.on_progress_async(UnitStarted())
        for _ in range(4):
            await phase.on_token_async("t")
        failed = view.sink("phase_detail", 4)
        await failed.on_progress_async(UnitFailed(code="provider_timeout", message="no answer"))
        skipped = view.sink("handoff")
        await skipped.on_progress_async(UnitSkipped())
        restarted = view.sink("phase_detail", 5)
        await restarted.on_progress_async(UnitFailed(code="cancelled", message="cancelled"))
        restarted = view.sink("phase_detail", 5)  # the runner restarts it: same row
        await restarted.on_progress_async(UnitStarted())
        await restarted.on_progress_async(UnitFinished(usage=Usage(completion_tokens=9)))
    assert len(view.units) == 5
    assert "\x1b[" in buffer.getvalue()  # it drew live frames
    final = Console(file=io.StringIO(), width=120, color_system=None)
    final.print(view.progress.get_renderable())
    text = final.file.getvalue()  # type: ignore[attr-defined]
    assert "✓ design" in text and "42 tok" in text
    assert "phase 3" in text and "4 tok" in text
    assert "✗ phase 4" in text and "provider_timeout: no answer" in text
    assert "↷ handoff" in text and "reused (checkpoint)" in text
    assert "0:00:00" in text
    assert text.count("phase 5") == 1 and "✓ phase 5" in text and "9 tok" in text


async def test_phase_rows_carry_the_titles_the_plan_stream_named() -> None:
    view = LiveView(Console(file=io.StringIO(), width=120, color_system=None))
    with view:
        early = view.sink("phase_detail", 2)  # started before its phase event reached the view
        plan = view.sink("basic_plan")
        await plan.on_progress_async(PhaseAnnounced(phase=Phase(number=1, title="Foundation", summary="s")))
        await plan.on_progress_async(PhaseAnnounced(phase=Phase(number=2, title="Data " * 12, summary="s")))
        first = view.sink("phase_detail", 1)
        await first.on_progress_async(UnitStarted())
        await early.on_progress_async(UnitStarted())
    assert view.phase_titles == {1: "Foundation", 2: ("Data " * 12).strip()}
    final = Console(file=io.StringIO(), width=140, color_system=None)
    final.print(view.progress.get_renderable())
    text = final.file.getvalue()  # type: ignore[attr-defined]
    assert "phase 1   Foundation" in text
    assert "Data Data" in text and "…" in text and "Data " * 12 not in text  # shortened to fit


def test_plain_view_names_the_phase_when_it_starts() -> None:
    out = io.StringIO()
    view = PlainView(out)
    view.name_phase(PhaseOutline(number=4, title="Payments"))
    unit = view.sink("phase_detail", 4)
    view.refresh(unit._unit, apply_event(unit._unit, UnitStarted()))
    assert out.getvalue().rstrip().endswith("phase 4   started: Payments")


async def test_requirements_checks_are_shown_and_kept_for_the_end_of_the_run() -> None:
    out = io.StringIO()
    view = PlainView(out)
    sink = view.sink("phase_detail", 2)
    await sink.on_progress_async(RepairRequested(errors=["no step of phase 2 covers R4"]))
    await sink.on_progress_async(
        CoverageChecked(coverage=CoverageReport(), repaired=True, unresolved=["no step of phase 2 covers R4"])
    )
    plan = view.sink("basic_plan", None)
    await plan.on_progress_async(CoverageChecked(coverage=CoverageReport(), repaired=True, unresolved=[]))
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("phase 2   1 problem(s) in the output; asking for one repair")
    assert lines[1].endswith("phase 2   requirements check: 1 problem(s) left after the repair")
    assert sink._unit.note == "1 requirement problem(s) left after the repair"
    assert repair_summary(view.checks) == [
        "Requirements checks:",
        "  phase 2: one repair round, 1 still open",
        "    - no step of phase 2 covers R4",
        "  plan: one repair round, all fixed",
    ]
    assert repair_summary({}) == []
