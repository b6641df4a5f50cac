from __future__ import annotations

import json

import pytest

from devussy.workspace import Snapshot, WorkspaceError
from tests.workspace.plans import edit_details, tick


def _error(files: dict[str, str]) -> WorkspaceError:
    with pytest.raises(WorkspaceError) as caught:
        Snapshot.from_files(files)
    return caught.value


def test_structure_from_plan_json_and_state_from_the_checklists(files: dict[str, str]) -> None:
    snapshot = Snapshot.from_files(tick(files, "1.1"))
    assert list(snapshot.steps) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2"]
    assert snapshot.steps["1.1"].done and not snapshot.steps["1.2"].done
    assert snapshot.phase_depends == {1: [], 2: [1], 3: [1]}
    assert snapshot.steps["2.2"].covers == ["R1"]
    assert snapshot.handoff is not None and snapshot.design is None
    assert snapshot.warnings == []


def test_a_folder_without_plan_json_is_not_a_plan(files: dict[str, str]) -> None:
    del files["plan.json"]
    error = _error(files)
    assert error.code == "not_a_plan" and "plan.json is missing" in error.message


@pytest.mark.parametrize(
    ("plan_json", "code", "words"),
    [
        ("{not json", "invalid_plan", "not valid JSON"),
        ("[]", "invalid_plan", 'no "plan" object'),
        ('{"schemaVersion": 7, "plan": {}}', "invalid_plan", "schemaVersion 7"),
        ('{"plan": {"projectName": "x"}}', "invalid_plan", "invalid plan: summary"),
    ],
)
def test_a_broken_plan_json_is_named(files: dict[str, str], plan_json: str, code: str, words: str) -> None:
    files["plan.json"] = plan_json
    error = _error(files)
    assert error.code == code and words in error.message


def test_missing_devplan_or_phase_file(files: dict[str, str]) -> None:
    assert _error({k: v for k, v in files.items() if k != "devplan.md"}).code == "not_a_plan"
    error = _error({k: v for k, v in files.items() if k != "phase2.md"})
    assert error.code == "missing_phase_file" and "phase2.md is missing" in error.message


def test_dependencies_edited_in_the_phase_file_win(files: dict[str, str]) -> None:
    files["phase2.md"] = files["phase2.md"].replace(
        "**Depends on:** 2.1\n\n### 2.3", "**Depends on:** 2.1, 1.3\n\n### 2.3"
    )
    files["phase3.md"] = files["phase3.md"].replace(
        "**Depends on:** Phase 1: Foundation", "**Depends on:** none"
    )
    snapshot = Snapshot.from_files(files)
    assert snapshot.steps["2.2"].depends_on == ["2.1", "1.3"]
    assert snapshot.phase_depends[3] == []


def test_a_step_cycle_edited_by_hand_is_refused(files: dict[str, str]) -> None:
    error = _error(edit_details(files, 1, "**Depends on:** none", "**Depends on:** 1.3"))
    assert error.code == "dependency_cycle"
    assert "1.1 → 1.3 → 1.2 → 1.1" in error.message or "1.3 → 1.2 → 1.1 → 1.3" in error.message


def test_a_cycle_through_phase_dependencies_is_refused(files: dict[str, str]) -> None:
    # 1.1 now needs 2.3, but phase 2 needs all of phase 1
    error = _error(edit_details(files, 1, "**Depends on:** none", "**Depends on:** 2.3"))
    assert error.code == "dependency_cycle" and "phase 1" in error.message


def test_phases_that_depend_on_each_other_are_refused(files: dict[str, str]) -> None:
    files["phase1.md"] = files["phase1.md"].replace("**Depends on:** none", "**Depends on:** Phase 3", 1)
    assert _error(files).code == "dependency_cycle"


def test_unknown_dependencies_are_named(files: dict[str, str]) -> None:
    error = _error(edit_details(files, 1, "**Depends on:** 1.1", "**Depends on:** 1.9"))
    assert error.code == "unknown_dependency" and "1.9" in error.message and "phase1.md" in error.message
    broken = dict(files, **{"phase2.md": files["phase2.md"].replace("Phase 1: Foundation", "Phase 8: Gone")})
    assert _error(broken).code == "unknown_dependency"


def test_a_step_added_by_hand_counts(files: dict[str, str]) -> None:
    files["phase3.md"] = files["phase3.md"].replace(
        "- [ ] **3.2 Checkout**", "- [ ] **3.2 Checkout**\n- [x] **3.3 Refunds**\n- [ ] **2.9 Wrong phase**"
    )
    snapshot = Snapshot.from_files(files)
    assert snapshot.steps["3.3"].done and snapshot.steps["3.3"].step.title == "Refunds"
    assert "2.9" not in snapshot.steps
    assert any("2.9" in warning for warning in snapshot.warnings)


def test_a_step_whose_checkbox_was_deleted_is_open_and_warned_about(files: dict[str, str]) -> None:
    files["phase1.md"] = files["phase1.md"].replace("- [ ] **1.2 Add CI**\n", "")
    snapshot = Snapshot.from_files(files)
    assert snapshot.steps["1.2"].item is None and not snapshot.steps["1.2"].done
    assert snapshot.warnings == [
        "step 1.2 has no checkbox in phase1.md; add `- [ ] **1.2 Add CI**` to its Steps list"
    ]


def test_step_lookup(files: dict[str, str]) -> None:
    snapshot = Snapshot.from_files(files)
    assert snapshot.step("2.3").step.title == "Search page"
    assert snapshot.step(" step 2.3 ").phase == 2
    with pytest.raises(WorkspaceError) as caught:
        snapshot.step("4.1")
    assert caught.value.code == "unknown_step"
    assert "no step '4.1'" in caught.value.message and "1.1 to 3.2" in caught.value.message


def test_progress_entries_join_continuation_lines(files: dict[str, str]) -> None:
    files["devplan.md"] = files["devplan.md"].replace(
        "_No progress logged yet._", "- first\n  more of the first\n- second"
    )
    assert Snapshot.from_files(files).progress_entries() == ["first more of the first", "second"]


def test_plan_json_with_the_plan_only(files: dict[str, str]) -> None:
    document = json.loads(files["plan.json"])
    files["plan.json"] = json.dumps({"plan": document["plan"]})
    snapshot = Snapshot.from_files(files)
    assert snapshot.handoff is None and snapshot.design is None
