"""The living-plan commands, run in process on folders written by the real artifact code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli, run_subprocess
from tests.workspace.plans import edit_details, recipe_files, write_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "plans" / "recipe-box", recipe_files())


def _bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_status_plain(folder: Path) -> None:
    code, out, err = run_cli("status", str(folder))
    assert code == 0, err
    assert out.startswith("Recipe Box: 0/8 steps done\n\nPhase  1  Foundation   0/3   ready\n")
    assert "Next task group:\n  1.1 Create the repository (phase1.md)\n" in out
    assert "  R4 (quality) Pages load in under a second — no step covers it" in out


def test_status_json(folder: Path) -> None:
    code, out, _ = run_cli("status", str(folder), "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 8 and data["nextTaskGroup"][0]["id"] == "1.1"


def test_next_shows_waves_and_the_json_has_every_wave(folder: Path) -> None:
    code, out, _ = run_cli("next", str(folder))
    assert code == 0
    assert out.splitlines()[:2] == ["Wave 1 (can start now):", "  1.1 Create the repository (phase1.md)"]
    assert "… 2 more wave(s); --all shows every wave" in out
    assert "Wave 5 (after wave 4, in parallel):" in run_cli("next", str(folder), "--all")[1]
    waves = json.loads(run_cli("next", str(folder), "--json")[1])["waves"]
    assert [[ref["id"] for ref in wave] for wave in waves][3] == ["2.1", "3.1"]


def test_done_block_reopen_and_note(folder: Path) -> None:
    code, out, err = run_cli("done", "1.1", str(folder), "--note", "repo is up")
    assert code == 0, err
    assert out.splitlines()[0] == "Done 1.1 Create the repository: repo is up"
    assert "1/8 steps done. Next: 1.2 Add CI, 1.3 Configuration, 2.1 Index ingredients" in out
    assert f"Updated devplan.md, handoff.md, phase1.md in {folder}" in out
    assert "- [x] **1.1 Create the repository**" in (folder / "phase1.md").read_text()

    code, out, _ = run_cli("block", "1.2", str(folder), "--reason", "CI is down")
    assert code == 0 and "Blocked 1.2 Add CI: CI is down" in out and "Next: nothing can start" in out
    code, out, _ = run_cli("reopen", "1.2", str(folder))
    assert code == 0 and out.startswith("Reopened 1.2 Add CI")
    code, out, _ = run_cli("note", "1.2", str(folder), "--text", "use GitHub Actions")
    assert code == 0 and out.startswith("Note on 1.2 Add CI: use GitHub Actions")


def test_the_folder_defaults_to_the_current_one(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    assert run_cli("done", "1.1")[0] == 0
    assert "1/8 steps done" in run_cli("status")[1]


def test_outside_a_plan_folder_the_plans_below_are_suggested(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_folder(tmp_path / "devussy-out" / "recipe-box", recipe_files())
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("status")
    assert code == 2
    assert "not a plan folder (no plan.json); pass one, e.g. devussy-out/recipe-box [not_a_plan]" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["done", "9.9"], "there is no step '9.9' in this plan (steps run from 1.1 to 3.2) [unknown_step]"),
        (["reopen", "1.1"], "step 1.1 is neither done nor blocked; nothing to reopen [not_open]"),
        (["block", "1.1", "--reason", " "], "the reason cannot be empty [invalid_input]"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_touches_nothing(folder: Path, argv: list[str], words: str) -> None:
    before = _bytes(folder)
    code, out, err = run_cli(argv[0], argv[1], str(folder), *argv[2:])
    assert (code, out) == (2, "")
    assert err == f"devussy: error: {words}\n"
    assert _bytes(folder) == before


def test_a_step_done_twice(folder: Path) -> None:
    assert run_cli("done", "1.1", str(folder))[0] == 0
    before = _bytes(folder)
    code, _, err = run_cli("done", "1.1", str(folder))
    assert code == 2 and "[already_done]" in err and _bytes(folder) == before


def test_a_dependency_cycle(folder: Path) -> None:
    files = edit_details(recipe_files(), 1, "**Depends on:** none", "**Depends on:** 1.3")
    write_folder(folder, files)
    before = _bytes(folder)
    code, _, err = run_cli("done", "1.1", str(folder))
    assert code == 2
    assert "the dependencies form a cycle: 1.1 → 1.3 → 1.2 → 1.1" in err and "[dependency_cycle]" in err
    assert _bytes(folder) == before


def test_a_missing_folder_and_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert "does not exist [not_a_plan]" in run_cli("status", str(tmp_path / "nope"))[2]
    assert "is not a folder [not_a_plan]" in run_cli("next", str(tmp_path / "notes.txt"))[2]


def test_block_needs_a_reason(folder: Path) -> None:
    code, _, err = run_cli("block", "1.1", str(folder))
    assert code == 2 and "--reason" in err


def test_as_a_real_process(folder: Path) -> None:
    done = run_subprocess("done", "1.1", str(folder), "--note", "from a shell", env={}, cwd=folder)
    assert done.returncode == 0, done.stderr
    failed = run_subprocess("done", "1.1", str(folder), env={}, cwd=folder)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert os.path.exists(folder / ".devussy" / "lock")
