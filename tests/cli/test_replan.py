"""``devussy replan`` end to end with the builtin offline engine (no key, no network)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devussy.workspace import Workspace
from tests.cli.helpers import run_cli

IDEA = "a recipe box web app with ingredient search, user accounts, and Stripe payments"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plans") / "recipe"
    code, _, err = run_cli("plan", IDEA, "--out", str(folder), "--plain")
    assert code == 0, err
    return folder


@pytest.fixture
def folder(planned: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "recipe"
    shutil.copytree(planned, copy)
    assert run_cli("done", "1.1", str(copy), "--note", "skeleton is up")[0] == 0
    assert run_cli("done", "1.2", str(copy))[0] == 0
    return copy


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_without_yes_it_shows_the_diff_and_writes_nothing(folder: Path) -> None:
    before = _contents(folder)
    code, out, err = run_cli("replan", str(folder), "add a mobile app for iOS and Android")
    assert code == 0, err
    assert "[replan] design" in out and "--- a/phase1.md" in out and "+++ b/phase1.md" in out
    assert "done step(s) kept" in out
    assert out.rstrip().endswith(f"Nothing written. Run again with --yes to write these changes to {folder}.")
    assert _contents(folder) == before


def test_with_yes_done_steps_and_notes_survive_and_the_log_records_it(folder: Path) -> None:
    code, out, err = run_cli("replan", str(folder), "add a mobile app for iOS and Android", "--yes")
    assert code == 0, err
    assert f"Re-planned {folder}: wrote " in out
    status = Workspace(folder).status()
    assert status.done == 2
    latest = status.recent_progress[-1].split(" — ", 1)[1]
    assert latest.startswith("Re-planned: add a mobile app for iOS and Android")
    phase1 = (folder / "phase1.md").read_text()
    # The step ticked with a note is still ticked with its note (where the new plan puts it).
    assert re.search(r"- \[x\] \*\*1\.\d+ [^*\n]+\*\*\n  - [^\n]*skeleton is up", phase1)
    assert "Change to the plan: add a mobile app" in (folder / "design.md").read_text()


def test_a_change_made_while_re_planning_is_not_overwritten(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devussy.workspace import replan_engine

    original = replan_engine.PipelineEngine.handoff

    async def tick_meanwhile(self, design, plan):  # type: ignore[no-untyped-def]
        Workspace(folder).done("1.3", "ticked while the engine ran")
        return await original(self, design, plan)

    monkeypatch.setattr(replan_engine.PipelineEngine, "handoff", tick_meanwhile)
    code, _, err = run_cli("replan", str(folder), "add a mobile app", "--yes")
    assert code == 1 and "changed while it was being re-planned" in err and "[plan_changed]" in err
    assert Workspace(folder).status().done == 3 and "Re-planned" not in (folder / "devplan.md").read_text()


def test_bad_input(folder: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("replan", str(folder), "   ")
    assert code == 2 and "[invalid_input]" in err
    code, _, err = run_cli("replan", str(tmp_path / "nowhere"), "add x")
    assert code == 2 and "[not_a_plan]" in err
    code, _, err = run_cli("replan", str(folder), "add x", "--provider", "openai")
    assert code == 2 and "OPENAI_API_KEY" in err
