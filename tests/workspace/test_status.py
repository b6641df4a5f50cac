from __future__ import annotations

from devussy.workspace import Snapshot, step_detail, workspace_status
from devussy.workspace.checklist import set_blocked
from tests.workspace.plans import tick


def _ids(refs: list) -> list[str]:  # type: ignore[type-arg]
    return [ref.id for ref in refs]


def test_a_fresh_plan_starts_with_the_steps_nothing_waits_for(files: dict[str, str]) -> None:
    status = workspace_status(Snapshot.from_files(files))
    assert (status.done, status.total) == (0, 8)
    assert [_ids(wave) for wave in status.waves] == [
        ["1.1"],
        ["1.2"],
        ["1.3"],
        ["2.1", "3.1"],
        ["2.2", "2.3", "3.2"],
    ]
    assert _ids(status.next_task_group) == ["1.1", "1.2", "1.3", "2.1", "3.1"]
    assert [p.state for p in status.phases] == ["ready", "waiting", "waiting"]


def test_waves_follow_done_steps_and_phase_dependencies(files: dict[str, str]) -> None:
    status = workspace_status(Snapshot.from_files(tick(files, "1.1", "1.2")))
    assert [_ids(wave) for wave in status.waves] == [["1.3"], ["2.1", "3.1"], ["2.2", "2.3", "3.2"]]
    status = workspace_status(Snapshot.from_files(tick(files, "1.1", "1.2", "1.3", "2.1")))
    assert [_ids(wave) for wave in status.waves] == [["2.2", "2.3", "3.1"], ["3.2"]]
    assert [(p.done, p.total, p.state) for p in status.phases] == [
        (3, 3, "done"),
        (1, 3, "in_progress"),
        (0, 2, "ready"),
    ]


def test_a_step_done_out_of_order_counts_as_done(files: dict[str, str]) -> None:
    status = workspace_status(Snapshot.from_files(tick(files, "1.2")))
    assert [_ids(wave) for wave in status.waves][:2] == [["1.1", "1.3"], ["2.1", "3.1"]]


def test_blocked_steps_hold_what_waits_on_them(files: dict[str, str]) -> None:
    files = tick(files, "1.1", "1.2", "1.3")
    files["phase2.md"] = set_blocked(files["phase2.md"], "2.1", "no index server")
    status = workspace_status(Snapshot.from_files(files))
    assert [(v.id, v.blocked_reason) for v in status.blocked] == [("2.1", "no index server")]
    assert _ids(status.held) == ["2.2", "2.3"]
    assert status.held[0].waits_on == ["2.1"]
    assert [_ids(wave) for wave in status.waves] == [["3.1"], ["3.2"]]
    assert [p.state for p in status.phases] == ["done", "in_progress", "ready"]


def test_a_blocked_phase_one_holds_every_later_phase(files: dict[str, str]) -> None:
    files["phase1.md"] = set_blocked(files["phase1.md"], "1.1", "waiting for access")
    status = workspace_status(Snapshot.from_files(files))
    assert status.waves == [] and status.next_task_group == []
    assert [p.state for p in status.phases] == ["in_progress", "held", "held"]
    assert status.held[-1].waits_on == ["3.1", "1.1", "1.2", "1.3"]


def test_requirements_count_as_covered_only_by_done_steps(files: dict[str, str]) -> None:
    status = workspace_status(Snapshot.from_files(files))
    assert [(r.id, r.open_steps) for r in status.open_requirements] == [
        ("R1", ["2.2"]),
        ("R2", ["3.2"]),
        ("R4", []),
    ]
    status = workspace_status(Snapshot.from_files(tick(files, "2.2")))
    assert [r.id for r in status.open_requirements] == ["R2", "R4"]


def test_covers_edited_in_the_phase_file_count(files: dict[str, str]) -> None:
    files["phase3.md"] = files["phase3.md"].replace("**Covers:** R2", "**Covers:** R2, R4, R77")
    status = workspace_status(Snapshot.from_files(tick(files, "3.2")))
    assert [r.id for r in status.open_requirements] == ["R1"]


def test_step_detail_has_the_plan_details_and_the_file_state(files: dict[str, str]) -> None:
    files = tick(files, "1.1")
    files["phase1.md"] = files["phase1.md"].replace(
        "- [x] **1.1 Create the repository**", "- [x] **1.1 Create the repository**\n  - used cookiecutter"
    )
    detail = step_detail(Snapshot.from_files(files), "1.2")
    assert (detail.status, detail.details) == ("ready", "Details of 1.2.")
    assert detail.test_command == "pytest -k s1_2"
    assert detail.markdown.startswith("### 1.2 Add CI")
    assert step_detail(Snapshot.from_files(files), "1.1").notes == ["used cookiecutter"]


def test_recent_progress_is_the_end_of_the_log(files: dict[str, str]) -> None:
    entries = "\n".join(f"- entry {n}" for n in range(8))
    files["devplan.md"] = files["devplan.md"].replace("_No progress logged yet._", entries)
    assert workspace_status(Snapshot.from_files(files)).recent_progress == [f"entry {n}" for n in range(3, 8)]


def test_status_json_is_camel_case(files: dict[str, str]) -> None:
    data = workspace_status(Snapshot.from_files(files)).to_json_dict()
    assert {"projectName", "nextTaskGroup", "openRequirements", "recentProgress"} <= set(data)
