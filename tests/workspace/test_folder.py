from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from devussy.workspace import Workspace, WorkspaceError
from tests.workspace.plans import NOW

ROOT = Path(__file__).resolve().parents[2]


def _workspace(folder: Path) -> Workspace:
    return Workspace(folder, clock=lambda: NOW)


def _snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _bytes_and_times(folder: Path) -> dict[str, tuple[bytes, int]]:
    files = [path for path in folder.iterdir() if path.is_file()]
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}


def test_status_and_step_read_the_folder(folder: Path) -> None:
    workspace = _workspace(folder)
    assert workspace.status().next_task_group[0].id == "1.1"
    assert workspace.step("3.2").covers == ["R2"]


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: tmp / "missing",
        lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt",
        lambda tmp: (tmp / "empty").mkdir() or tmp / "empty",
    ],
)
def test_what_is_not_a_plan_folder(tmp_path: Path, make: object) -> None:
    target = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(WorkspaceError) as caught:
        _workspace(target).done("1.1")
    assert caught.value.code == "not_a_plan"
    assert not (tmp_path / "empty" / ".devussy").exists()


def test_done_writes_only_what_changed_and_leaves_no_temporary_files(folder: Path) -> None:
    before = _snapshot_bytes(folder)
    result = _workspace(folder).done("1.1", "first")
    after = _snapshot_bytes(folder)
    assert sorted(name for name in after if after[name] != before.get(name)) == result.changed
    assert set(after) == set(before)  # nothing new next to the plan (the lock is .devussy/lock)
    assert (folder / ".devussy" / "lock").exists()


def test_refused_changes_touch_no_file(folder: Path) -> None:
    workspace = _workspace(folder)
    workspace.done("1.1")
    before = _bytes_and_times(folder)
    bad_calls = (
        lambda: workspace.done("1.1"),
        lambda: workspace.done("9.1"),
        lambda: workspace.block("1.2", ""),
    )
    for bad in bad_calls:
        with pytest.raises(WorkspaceError):
            bad()
    assert _bytes_and_times(folder) == before


def test_file_permissions_are_kept(folder: Path) -> None:
    os.chmod(folder / "phase1.md", 0o600)
    _workspace(folder).done("1.1")
    assert stat.S_IMODE((folder / "phase1.md").stat().st_mode) == 0o600


def test_a_file_that_is_not_utf8_is_named(folder: Path) -> None:
    (folder / "phase2.md").write_bytes(b"\xff\xfe broken")
    with pytest.raises(WorkspaceError) as caught:
        _workspace(folder).status()
    assert caught.value.code == "invalid_plan" and "phase2.md is not UTF-8" in caught.value.message


UPDATER = """
import sys, time
from pathlib import Path
from devussy.workspace import Workspace
folder, step, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
Workspace(folder).done(step, note="by process " + step)
"""


def test_concurrent_updates_from_several_processes_all_land(folder: Path, tmp_path: Path) -> None:
    steps = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2"]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", UPDATER, str(folder), step, str(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for step in steps
    ]
    time.sleep(1.0)  # let every interpreter start and wait at the gate
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    status = _workspace(folder).status()
    assert status.done == len(steps)
    log = (folder / "devplan.md").read_text()
    assert all(f"Done {step} " in log for step in steps)
    assert all(f"by process {step}" in (folder / f"phase{step[0]}.md").read_text() for step in steps)


def test_the_clock_dates_the_log(folder: Path) -> None:
    result = Workspace(folder, clock=lambda: datetime(2030, 1, 2, 3, 4)).done("1.1")
    assert result.logged[0].startswith("2030-01-02 03:04 — Done 1.1")
