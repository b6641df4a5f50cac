"""The --out folder: refused when empty, checked writable before any engine call, locked per run,
and a full disk ends a run with one clear error that says how to resume."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devussy.cli import output_folder
from devussy.cli.output_folder import check_writable
from devussy.pipeline import checkpoint as checkpoint_module
from devussy.workspace.lock import folder_lock
from tests.cli.helpers import StageAnswers, assert_complete_plan, run_cli
from tests.fakes.full_disk import FullDisk

REPO = Path(__file__).resolve().parents[2]


def test_an_empty_out_is_refused(engine: StageAnswers) -> None:
    code, out, err = run_cli("plan", "a todo app", "--out", "")
    assert code == 2 and out == "" and "--out" in err and "must name a folder" in err
    assert engine.stages == [] and os.listdir(".") == []


def test_an_out_that_cannot_be_written_fails_before_any_engine_call(engine: StageAnswers) -> None:
    Path("taken").write_text("a file, not a folder")
    code, _, err = run_cli("plan", "a todo app", "--out", "taken/plans")
    assert code == 2 and err.startswith("devussy: error: cannot write to the output folder taken/plans: ")
    assert engine.stages == []


def test_a_full_disk_is_found_before_any_engine_call(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output_folder.os, "fsync", FullDisk().fsync)
    code, _, err = run_cli("plan", "a todo app", "--out", "o")
    assert code == 2 and "No space left on device" in err and "choose another --out" in err
    assert engine.stages == [] and not Path("o").exists()


def test_check_writable_creates_the_folder_and_leaves_nothing_else(tmp_path: Path) -> None:
    check_writable(tmp_path / "a" / "b")
    assert list((tmp_path / "a" / "b").iterdir()) == []


# -- the lock ---------------------------------------------------------------------------------------


def test_a_second_run_into_a_locked_folder_is_refused_naming_the_first(engine: StageAnswers) -> None:
    Path("o").mkdir()
    with folder_lock(Path("o"), timeout=0):  # what a running `devussy plan --out o` holds
        code, out, err = run_cli("plan", "a todo app", "--out", "o")
    assert code == 2 and out == ""
    assert err == (
        f"devussy: error: another devussy run (process {os.getpid()}) is writing to o; "
        "wait for it to finish, or choose another --out\n"
    )
    assert engine.stages == []
    assert run_cli("plan", "a todo app", "--out", "o")[0] == 0  # released: the next run goes ahead


def test_the_lock_is_the_kernels_so_a_dead_runs_lock_is_taken_over(engine: StageAnswers) -> None:
    Path("o").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from devussy.workspace.lock import folder_lock\n"
            "with folder_lock(Path('o'), timeout=0):\n"
            "    print('locked', flush=True); sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        code, _, err = run_cli("plan", "a todo app", "--out", "o")
        assert code == 2 and f"(process {holder.pid})" in err
    finally:
        holder.kill()  # dies holding the lock: no cleanup runs
        holder.wait(timeout=10)
    assert Path("o/.devussy/lock").read_text() == str(holder.pid)  # the stale lock file is still there...
    code, _, err = run_cli("plan", "a todo app", "--out", "o")
    assert (code, err) == (0, "")  # ...and taken over


def test_a_lock_file_naming_a_dead_pid_does_not_block(engine: StageAnswers) -> None:
    Path("o/.devussy").mkdir(parents=True)
    Path("o/.devussy/lock").write_text(str(2**22 + 12345))
    assert run_cli("plan", "a todo app", "--out", "o")[:3:2] == (0, "")


def test_a_run_that_did_nothing_leaves_no_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    assert run_cli("plan", "a todo app", "-i", "--out", "a/b/o")[0] == 130
    assert not Path("a").exists()


# -- a full disk during the run -----------------------------------------------------------------------


def test_a_full_disk_mid_run_is_one_error_with_what_is_saved_and_how_to_resume(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(fail_from=3)
    monkeypatch.setattr(checkpoint_module, "os", disk)
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain", "--concurrency", "1")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("devussy: error: cannot save the checkpoint ")
    assert "No space left on device; the run stopped. The checkpoint still holds the design and " in err
    assert err.rstrip().endswith(
        "[checkpoint_write_failed] (rerun with --resume to continue from the checkpoints)"
    )
    assert "Traceback" not in err + out and "never retrieved" not in err + out
    assert "handoff" not in engine.stages
    assert sorted(p.name for p in Path("o/.devussy").iterdir()) == ["checkpoint.json", "lock"]  # no .tmp

    disk.free()
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain", "--resume")
    assert (code, err) == (0, "")
    assert_complete_plan(Path("o"))


def test_files_that_cannot_be_written_at_the_end_say_the_checkpoint_has_everything(
    engine: StageAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("devussy.artifacts.write_artifacts", full)
    code, _, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain")
    assert code == 1 and err.count("\n") == 1
    assert "cannot write the plan files in o: No space left on device; every stage is saved" in err
    assert "[write_failed]" in err


def test_a_checkpoint_that_is_not_utf8_is_exit_2(engine: StageAnswers) -> None:
    Path("o/.devussy").mkdir(parents=True)
    Path("o/.devussy/checkpoint.json").write_bytes(b"\xff\xfe not text")
    code, _, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--resume")
    assert code == 2 and "is not a valid Devussy checkpoint (not UTF-8 text)" in err
