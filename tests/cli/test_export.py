from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.workspace.plans import recipe_files, write_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "plan", recipe_files())


def test_taskmaster_writes_under_the_current_folder(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    code, out, err = run_cli("export", "taskmaster", str(folder))
    assert code == 0, err
    assert out == "Wrote 3 tasks with 8 subtasks to .taskmaster/tasks/tasks.json (tag master)\n"
    tasks = json.loads((project / ".taskmaster" / "tasks" / "tasks.json").read_text())["master"]["tasks"]
    assert [task["id"] for task in tasks] == [1, 2, 3]


def test_taskmaster_refuses_to_overwrite_a_foreign_tag(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "tasks.json"
    target.write_text(json.dumps({"master": {"tasks": [{"id": 7}], "metadata": {}}}))
    code, _, err = run_cli("export", "taskmaster", str(folder), "--out", str(target))
    assert code == 2 and "[tag_in_use]" in err
    assert json.loads(target.read_text())["master"]["tasks"] == [{"id": 7}]
    assert run_cli("export", "taskmaster", str(folder), "--out", str(target), "--tag", "plan")[0] == 0
    assert set(json.loads(target.read_text())) == {"master", "plan"}


def test_export_needs_a_target(folder: Path) -> None:
    code, _, err = run_cli("export", str(folder))
    assert code == 2 and "invalid choice" in err


def test_github_bad_repo(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x_secret")
    code, _, err = run_cli("export", "github", str(folder), "--repo", "not-a-repo")
    assert code == 2 and "OWNER/NAME" in err
