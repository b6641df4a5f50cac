from __future__ import annotations

from datetime import datetime

import pytest

from devussy.artifacts import ANCHORS, read_section
from devussy.workspace import Action, Snapshot, WorkspaceError, apply_actions
from tests.workspace.plans import tick


def _apply(files: dict[str, str], now: datetime, *actions: Action):  # type: ignore[no-untyped-def]
    return apply_actions(files, actions, now)


def _fails(files: dict[str, str], now: datetime, *actions: Action) -> WorkspaceError:
    before = dict(files)
    with pytest.raises(WorkspaceError) as caught:
        _apply(files, now, *actions)
    assert files == before
    return caught.value


def test_done_ticks_logs_recomputes_and_regenerates_the_handoff(files: dict[str, str], now: datetime) -> None:
    result = _apply(files, now, Action("done", "1.1", "repo created"))
    assert result.changed == ["devplan.md", "handoff.md", "phase1.md"]
    assert result.logged == ["2026-05-04 10:12 — Done 1.1 Create the repository: repo created"]
    phase1 = result.files["phase1.md"]
    assert "- [x] **1.1 Create the repository**\n  - 2026-05-04 10:12: repo created\n" in phase1
    devplan = result.files["devplan.md"]
    assert read_section(devplan, "progress_log") == f"- {result.logged[0]}"
    first = read_section(devplan, "next_task_group").splitlines()[0]
    assert first == "- [ ] **1.2 Add CI** — [phase1.md](phase1.md)"
    assert "**Start at:** Phase 1, step 1.2" in result.files["handoff.md"]
    assert result.status is not None and result.status.done == 1


def test_only_the_changed_lines_change(files: dict[str, str], now: datetime) -> None:
    files["phase1.md"] = files["phase1.md"].replace("## Steps", "Our own note about phase 1.\n\n## Steps")
    files["devplan.md"] = files["devplan.md"].replace("## Phase overview", "A note.\n\n## Phase overview")
    result = _apply(files, now, Action("done", "1.1"))
    before, after = files["phase1.md"].splitlines(), result.files["phase1.md"].splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("- [ ] **1.1 Create the repository**", "- [x] **1.1 Create the repository**")
    ]
    outside = [ANCHORS["progress_log"][0], ANCHORS["next_task_group"][1]]
    start, end = (result.files["devplan.md"].index(a) for a in outside)
    assert result.files["devplan.md"][:start] == files["devplan.md"][: files["devplan.md"].index(outside[0])]
    assert result.files["devplan.md"][end:] == files["devplan.md"][files["devplan.md"].index(outside[1]) :]


def test_a_step_done_twice_is_refused_and_nothing_changes(files: dict[str, str], now: datetime) -> None:
    error = _fails(tick(files, "1.1"), now, Action("done", "1.1"))
    assert error.code == "already_done" and "devussy reopen 1.1" in error.message


def test_a_batch_is_all_or_nothing(files: dict[str, str], now: datetime) -> None:
    error = _fails(files, now, Action("done", "1.1"), Action("done", "7.7"))
    assert error.code == "unknown_step"
    result = _apply(files, now, Action("done", "1.1"), Action("done", "1.2", "ci green"))
    assert len(result.logged) == 2 and Snapshot.from_files(result.files).steps["1.2"].done


def test_block_and_reopen(files: dict[str, str], now: datetime) -> None:
    blocked = _apply(files, now, Action("block", "1.1", "no access to the org"))
    line = "- [ ] **1.1 Create the repository** — **Blocked:** no access to the org"
    assert line in blocked.files["phase1.md"]
    assert blocked.logged == ["2026-05-04 10:12 — Blocked 1.1 Create the repository: no access to the org"]
    assert "## Blocked" in blocked.files["handoff.md"]
    assert read_section(blocked.files["devplan.md"], "next_task_group").startswith("_Nothing can start")
    reopened = _apply(blocked.files, now, Action("reopen", "1.1"))
    assert reopened.files["phase1.md"] == files["phase1.md"]
    done = _apply(reopened.files, now, Action("done", "1.1"), Action("reopen", "1.1"))
    assert done.files["phase1.md"] == files["phase1.md"]
    assert [entry.split(" — ")[1] for entry in done.logged] == [
        "Done 1.1 Create the repository",
        "Reopened 1.1 Create the repository",
    ]


def test_done_clears_a_block(files: dict[str, str], now: datetime) -> None:
    blocked = _apply(files, now, Action("block", "1.1", "x")).files
    done = _apply(blocked, now, Action("done", "1.1"))
    assert "- [x] **1.1 Create the repository**\n" in done.files["phase1.md"]


@pytest.mark.parametrize(
    ("setup", "action", "code"),
    [
        ((), Action("reopen", "1.1"), "not_open"),
        (("1.1",), Action("block", "1.1", "late"), "step_done"),
        ((), Action("block", "1.1", "   "), "invalid_input"),
        ((), Action("note", "1.1", ""), "invalid_input"),
        ((), Action("note", "1.1", "x" * 2001), "invalid_input"),
        ((), Action("done", "12"), "unknown_step"),
    ],
)
def test_bad_actions_have_their_own_codes(
    files: dict[str, str], now: datetime, setup: tuple[str, ...], action: Action, code: str
) -> None:
    assert _fails(tick(files, *setup), now, action).code == code


def test_a_step_without_a_checkbox_cannot_be_changed(files: dict[str, str], now: datetime) -> None:
    files["phase1.md"] = files["phase1.md"].replace("- [ ] **1.2 Add CI**\n", "")
    error = _fails(files, now, Action("done", "1.2"))
    assert error.code == "step_not_in_file" and "- [ ] **1.2 Add CI**" in error.message


def test_notes_go_under_the_step_and_into_the_log(files: dict[str, str], now: datetime) -> None:
    result = _apply(
        files, now, Action("note", "2.1", "consider pg_trgm"), Action("note", "2.1", "or Meilisearch")
    )
    assert (
        "- [ ] **2.1 Index ingredients**\n  - 2026-05-04 10:12: consider pg_trgm\n"
        "  - 2026-05-04 10:12: or Meilisearch\n" in result.files["phase2.md"]
    )
    assert result.logged[0] == "2026-05-04 10:12 — Note on 2.1 Index ingredients: consider pg_trgm"


def test_done_before_a_dependency_says_so(files: dict[str, str], now: datetime) -> None:
    result = _apply(files, now, Action("done", "1.3"))
    assert result.messages == ["1.3 was marked done before 1.2, which it depends on"]


def test_deleted_anchors_are_restored_once_and_said(files: dict[str, str], now: datetime) -> None:
    start = ANCHORS["progress_log"][0]
    files["devplan.md"] = files["devplan.md"].replace(start + "\n", "")
    first = _apply(files, now, Action("done", "1.1"))
    assert first.messages == ["restored the progress log anchors in devplan.md"]
    second = _apply(first.files, now, Action("done", "1.2"))
    assert second.messages == []
    assert second.files["devplan.md"].count(start) == 1
    assert read_section(second.files["devplan.md"], "progress_log").count("\n") == 1  # two entries


def test_crlf_files_keep_crlf(files: dict[str, str], now: datetime) -> None:
    crlf = {name: text.replace("\n", "\r\n") for name, text in files.items()}
    result = _apply(crlf, now, Action("done", "1.1", "n"))
    for name in ("phase1.md", "devplan.md"):
        assert "\n" not in result.files[name].replace("\r\n", ""), name


def test_every_step_done(files: dict[str, str], now: datetime) -> None:
    everything = tick(files, *(f"{p}.{s}" for p, n in ((1, 3), (2, 3), (3, 2)) for s in range(1, n + 1)))
    last = dict(everything, **{"phase3.md": files["phase3.md"].replace("- [ ] **3.1", "- [x] **3.1")})
    result = _apply(last, now, Action("done", "3.2"))
    assert read_section(result.files["devplan.md"], "next_task_group") == "_Every step is done._"
    assert "**Every step is done** (8 of 8)." in result.files["handoff.md"]
