"""Re-planning against a scripted engine: what is kept, regenerated, removed and carried over."""

from __future__ import annotations

import json

import pytest

from devussy.errors import WorkspaceError
from devussy.models import DevPlan, Phase
from devussy.workspace import Snapshot
from devussy.workspace.checklist import add_note, set_blocked
from devussy.workspace.replan import ReplanOutcome, replan
from tests.workspace.engines import ScriptedEngine, design_system_engine
from tests.workspace.plans import NOW, recipe_files, tick


def _state_files() -> dict[str, str]:
    """1.1 done with a note, 1.2 blocked, 2.1 and 2.3 done, both payment steps done."""
    files = tick(recipe_files(), "1.1", "2.1", "2.3", "3.1", "3.2")
    files["phase1.md"] = add_note(files["phase1.md"], "1.1", "used cookiecutter")
    files["phase1.md"] = set_blocked(files["phase1.md"], "1.2", "no CI runners")
    return files


async def _replan(
    files: dict[str, str], engine: ScriptedEngine, change: str = "add a design system"
) -> ReplanOutcome:
    return await replan(Snapshot.from_files(files), change, engine, NOW)


async def test_kept_regenerated_and_carried() -> None:
    engine = design_system_engine()
    outcome = await _replan(_state_files(), engine)
    assert (outcome.kept, outcome.regenerated, outcome.removed) == ([2], [1, 3], [])
    assert outcome.carried == ["2.3 → 3.3", "3.1 → 4.1", "3.2 → 4.2"]
    assert [n for n, _ in engine.detail_calls] == [1, 3]
    snapshot = Snapshot.from_files(outcome.files)
    done = sorted(s for s, info in snapshot.steps.items() if info.done)
    assert done == ["2.1", "3.1", "3.3", "4.1", "4.2"]  # five done before, five done after
    assert snapshot.steps["2.1"].item.notes == ["used cookiecutter"]  # type: ignore[union-attr]
    assert snapshot.steps["2.2"].blocked_reason == "no CI runners"
    assert snapshot.steps["2.2"].depends_on == ["2.1"]  # renumbered with its phase
    assert snapshot.phase_title(4) == "Payments"
    plan = json.loads(outcome.files["plan.json"])["plan"]
    assert plan["phases"][3]["steps"][1]["covers"] == ["R3"]  # R2 (Stripe) is R3 in the new plan


async def test_the_change_is_a_requirement_and_in_the_summary() -> None:
    engine = design_system_engine()
    await _replan(_state_files(), engine, "add  a design\nsystem")
    brief = engine.briefs[0]
    added = {"id": "R5", "text": "add a design system", "kind": "feature", "source": "brief"}
    assert brief.requirements[-1].model_dump() == added
    assert brief.summary.endswith("Change to the plan: add a design system")


async def test_the_engine_sees_the_kept_phases_steps() -> None:
    engine = design_system_engine()
    await _replan(_state_files(), engine)
    context = engine.detail_calls[0][1]
    assert [s.title for s in context.phase(2).steps] == ["Create the repository", "Add CI", "Configuration"]


async def test_the_kept_steps_the_engine_sees_are_renumbered_into_their_new_phase() -> None:
    engine = design_system_engine()
    await _replan(_state_files(), engine)
    context = engine.detail_calls[0][1]
    assert [s.id for s in context.phase(2).steps] == ["2.1", "2.2", "2.3"]
    assert context.phase(2).steps[1].depends_on == ["2.1"]
    DevPlan.model_validate(context.to_json_dict())  # what an engine that validates its input receives


async def test_the_log_is_carried_and_records_the_change() -> None:
    files = _state_files()
    files["devplan.md"] = files["devplan.md"].replace(
        "_No progress logged yet._", "- 2026-05-01 09:00 — Done 1.1"
    )
    outcome = await _replan(files, design_system_engine())
    entries = Snapshot.from_files(outcome.files).progress_entries()
    assert entries[0] == "2026-05-01 09:00 — Done 1.1"
    assert entries[1].startswith(
        "2026-05-04 10:12 — Re-planned: add a design system (kept phases 2; regenerated 1, 3;"
    )
    assert "--- a/phase1.md\n+++ b/phase1.md\n" in outcome.diff and "plan.json: rewritten" in outcome.diff


async def test_a_removed_phase_without_done_steps_goes_and_its_file_is_deleted() -> None:
    engine = design_system_engine()
    outcome = await _replan(tick(recipe_files(), "1.1"), engine)
    assert outcome.removed == ["Payments"] and outcome.carried == []
    assert "phase3.md" in outcome.files  # now the Search phase
    engine = ScriptedEngine([Phase(number=1, title="Foundation", summary="Repository and CI.")], {})
    outcome = await _replan(tick(recipe_files(), "1.1"), engine)
    assert (outcome.kept, outcome.regenerated) == ([1], [])
    assert outcome.deleted == ["phase2.md", "phase3.md"] and outcome.removed == ["Search", "Payments"]
    assert "--- a/phase3.md\n+++ /dev/null" in outcome.diff


async def test_nothing_changes_when_the_outline_is_the_same() -> None:
    files = recipe_files()
    old = Snapshot.from_files(files).plan
    engine = ScriptedEngine([p.model_copy(update={"steps": []}) for p in old.phases], {})
    outcome = await _replan(files, engine)
    assert outcome.kept == [1, 2, 3] and outcome.regenerated == []
    snapshot = Snapshot.from_files(outcome.files)
    assert [info.step.title for info in snapshot.steps.values()] == [
        info.step.title for info in Snapshot.from_files(files).steps.values()
    ]


@pytest.mark.parametrize(("change", "words"), [("   ", "say what changed"), ("x" * 501, "longer than 500")])
async def test_a_bad_change_is_refused_before_any_engine_call(change: str, words: str) -> None:
    engine = design_system_engine()
    with pytest.raises(WorkspaceError) as caught:
        await _replan(recipe_files(), engine, change)
    assert caught.value.code == "invalid_input" and words in caught.value.message and engine.briefs == []
