from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from devussy.exports.taskmaster import build_tasks, merge_tasks_file
from devussy.workspace import Snapshot, WorkspaceError
from devussy.workspace.checklist import add_note, set_blocked
from tests.workspace.plans import recipe_files, tick

NOW = datetime(2026, 5, 4, 10, 12, tzinfo=UTC)


def _snapshot(*done: str) -> Snapshot:
    files = tick(recipe_files(), *done)
    files["phase3.md"] = set_blocked(files["phase3.md"], "3.1", "no Stripe account")
    files["phase1.md"] = add_note(files["phase1.md"], "1.1", "used cookiecutter")
    return Snapshot.from_files(files)


def test_phases_become_tasks_and_steps_subtasks() -> None:
    tasks = build_tasks(_snapshot("1.1"))
    assert [(t["id"], t["title"], t["dependencies"], t["status"]) for t in tasks] == [
        (1, "Foundation", [], "in-progress"),
        (2, "Search", [1], "pending"),
        (3, "Payments", [1], "blocked"),
    ]
    first = tasks[0]["subtasks"][0]
    assert first == {
        "id": 1,
        "title": "Create the repository",
        "description": "Details of 1.1.",
        "details": "Details of 1.1.\n\nNotes:\n- used cookiecutter",
        "testStrategy": "Run: pytest -k s1_1\nDone when: 1.1 works",
        "status": "done",
        "dependencies": [],
    }
    assert tasks[1]["subtasks"][1]["dependencies"] == [1]  # 2.2 after its sibling 2.1
    assert tasks[2]["subtasks"][0]["status"] == "blocked"
    assert "Blocked: no Stripe account" in tasks[2]["subtasks"][0]["details"]
    assert tasks[1]["details"] == "Ingredient search.\n\nRequirements:\n- R1: Search recipes by ingredient"
    assert {
        "id",
        "title",
        "description",
        "details",
        "testStrategy",
        "status",
        "dependencies",
        "priority",
        "subtasks",
    } == set(tasks[0])


def test_a_dependency_on_another_phases_step_uses_the_dotted_id() -> None:
    files = recipe_files()
    files["phase2.md"] = files["phase2.md"].replace(
        "**Depends on:** 2.1\n\n### 2.3", "**Depends on:** 2.1, 1.3\n\n### 2.3"
    )
    subtask = build_tasks(Snapshot.from_files(files))[1]["subtasks"][1]
    assert subtask["dependencies"] == [1, "1.3"]


def test_the_file_is_tagged_and_other_tags_are_kept() -> None:
    existing = json.dumps({"feature-x": {"tasks": [{"id": 1, "title": "theirs"}], "metadata": {}}})
    text = merge_tasks_file(existing, _snapshot(), now=NOW)
    document = json.loads(text)
    assert set(document) == {"feature-x", "master"}
    assert document["master"]["metadata"] == {
        "created": "2026-05-04T10:12:00+00:00",
        "updated": "2026-05-04T10:12:00+00:00",
        "description": "Exported by Devussy from the plan for Recipe Box",
    }
    again = json.loads(merge_tasks_file(text, _snapshot("1.1"), now=datetime(2026, 6, 1, tzinfo=UTC)))
    assert again["master"]["metadata"]["created"] == "2026-05-04T10:12:00+00:00"
    assert again["master"]["tasks"][0]["subtasks"][0]["status"] == "done"


def test_task_master_work_is_never_replaced_silently() -> None:
    legacy = json.dumps({"tasks": [{"id": 1, "title": "mine"}]})  # Task Master's untagged layout
    with pytest.raises(WorkspaceError) as caught:
        merge_tasks_file(legacy, _snapshot())
    assert caught.value.code == "tag_in_use" and "--tag" in caught.value.message
    kept = json.loads(merge_tasks_file(legacy, _snapshot(), tag="devussy"))
    assert kept["master"]["tasks"][0]["title"] == "mine"
    assert kept["devussy"]["tasks"][0]["title"] == "Foundation"
    replaced = json.loads(merge_tasks_file(legacy, _snapshot(), force=True))
    assert replaced["master"]["tasks"][0]["title"] == "Foundation"


@pytest.mark.parametrize("broken", ["{not json", "[1, 2]"])
def test_a_broken_existing_file_is_named(broken: str) -> None:
    with pytest.raises(WorkspaceError) as caught:
        merge_tasks_file(broken, _snapshot())
    assert "the existing tasks.json" in caught.value.message
