from __future__ import annotations

import base64
import io
import zipfile

import pytest
from pydantic import ValidationError

from devussy.web.errors import HTTPError
from devussy.web.workspace import WorkspaceFilesRequest, WorkspaceUpdateRequest, files_from_zip
from tests.workspace.plans import recipe_files


def _zip(entries: dict[str, bytes]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return base64.b64encode(buffer.getvalue()).decode()


def test_only_plan_files_at_the_root_or_in_one_folder_are_taken() -> None:
    files = files_from_zip(
        _zip(
            {
                "recipe/plan.json": b"{}",
                "recipe/phase2.md": b"x\r\n",
                "recipe/recipe-devplan.zip": b"zz",
                "recipe/.devussy/lock": b"1",
                "a/b/phase3.md": b"deep",
                "../phase4.md": b"up",
                "devplan.md": b"root",
            }
        )
    )
    assert files == {"plan.json": "{}", "phase2.md": "x\r\n", "devplan.md": "root", "phase4.md": "up"}


def test_a_file_that_is_not_utf8_is_named() -> None:
    with pytest.raises(HTTPError) as caught:
        files_from_zip(_zip({"plan/phase1.md": b"\xff\xfe"}))
    assert caught.value.code == "invalid_zip" and "plan/phase1.md" in caught.value.message


def test_files_keep_their_exact_text_and_other_names_are_dropped() -> None:
    request = WorkspaceFilesRequest.model_validate(
        {"files": {"phase1.md": "  - [ ] x\n", "../etc/passwd": "x", "notes.txt": "y"}}
    )
    assert request.plan_files() == {"phase1.md": "  - [ ] x\n"}


TOO_MANY = {f"phase{n}.md": "" for n in range(1, 102)}


@pytest.mark.parametrize("body", [{}, {"files": {}, "zip": ""}, {"files": TOO_MANY}])
def test_files_or_zip_not_both(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WorkspaceFilesRequest.model_validate(body)


def test_actions_map_note_and_reason() -> None:
    request = WorkspaceUpdateRequest.model_validate(
        {
            "files": recipe_files(),
            "actions": [
                {"action": "block", "step": "1.1", "reason": "r", "note": "ignored"},
                {"action": "done", "step": "1.2", "note": "n"},
            ],
        }
    )
    assert [(a.kind, a.step, a.text) for a in (item.to_action() for item in request.actions)] == [
        ("block", "1.1", "r"),
        ("done", "1.2", "n"),
    ]
