"""The living-plan endpoints (api/workspace/*.py), called in memory like the host calls them."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import pytest

from devussy.artifacts import build_zip
from tests.web.helpers import Response, call, load_api_handler
from tests.workspace.plans import recipe_files, tick


def post(name: str, body: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
    handler = load_api_handler(f"workspace/{name}.py")
    return call(handler, "POST", f"/api/workspace/{name}", body, headers, **kwargs)


def assert_error(response: Response, status: int, code: str) -> str:
    assert response.status == status, response.body
    body = response.json()
    assert set(body) == {"error", "code"} and body["code"] == code
    return str(body["error"])


def _zip(files: dict[str, str], root: str | None = "recipe-box") -> str:
    return base64.b64encode(build_zip(files, root=root)).decode()


def test_status_from_files() -> None:
    response = post("status", {"files": tick(recipe_files(), "1.1")})
    assert response.status == 200
    body = response.json()
    assert body["status"]["done"] == 1 and body["status"]["nextTaskGroup"][0]["id"] == "1.2"
    assert set(body["files"]) == set(recipe_files())


@pytest.mark.parametrize("root", ["recipe-box", None])
def test_status_from_the_zip_devussy_plan_writes(root: str | None) -> None:
    response = post("status", {"zip": _zip(recipe_files(), root)})
    assert response.status == 200 and response.json()["status"]["total"] == 8
    assert response.json()["files"]["phase2.md"] == recipe_files()["phase2.md"]


def test_update_ticks_logs_and_regenerates() -> None:
    body = {
        "files": recipe_files(),
        "now": "2026-05-04T10:12:00+02:00",
        "actions": [
            {"action": "done", "step": "1.1", "note": "from the browser"},
            {"action": "block", "step": "1.2", "reason": "CI is down"},
        ],
    }
    response = post("update", body)
    assert response.status == 200, response.body
    data = response.json()
    assert data["changed"] == ["devplan.md", "handoff.md", "phase1.md"]
    assert data["logged"] == [
        "2026-05-04 10:12 — Done 1.1 Create the repository: from the browser",
        "2026-05-04 10:12 — Blocked 1.2 Add CI: CI is down",
    ]
    ticked = "- [x] **1.1 Create the repository**\n  - 2026-05-04 10:12: from the browser"
    assert ticked in data["files"]["phase1.md"]
    assert data["status"]["blocked"][0]["id"] == "1.2"
    assert "## Blocked" in data["files"]["handoff.md"]
    assert data["files"]["phase2.md"] == recipe_files()["phase2.md"]


def test_every_step_comes_with_its_state_for_a_checklist() -> None:
    files = tick(recipe_files(), "1.1")
    body = post("status", {"files": files}).json()
    steps = body["steps"]
    assert [step["id"] for step in steps] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2"]
    assert [step["status"] for step in steps[:3]] == ["done", "ready", "waiting"]
    assert steps[4]["covers"] == ["R1"] and steps[4]["dependsOn"] == ["2.1"]
    assert steps[0]["details"] == "Details of 1.1." and steps[0]["testCommand"] == "pytest -k s1_1"
    assert steps[0]["acceptanceCriteria"] == ["1.1 works"] and "markdown" not in steps[0]

    update = {"files": files, "actions": [{"action": "block", "step": "1.2", "reason": "CI is down"},
                                          {"action": "note", "step": "1.1", "note": "seen"}]}
    after = {step["id"]: step for step in post("update", update).json()["steps"]}
    assert after["1.2"]["status"] == "blocked" and after["1.2"]["blockedReason"] == "CI is down"
    assert after["1.3"]["status"] == "held"
    assert after["1.1"]["notes"][-1].endswith(": seen")


def test_update_errors() -> None:
    files = tick(recipe_files(), "1.1")
    words = assert_error(
        post("update", {"files": files, "actions": [{"action": "done", "step": "9.9"}]}), 404, "unknown_step"
    )
    assert "no step '9.9'" in words
    assert_error(
        post("update", {"files": files, "actions": [{"action": "done", "step": "1.1"}]}), 422, "already_done"
    )
    assert_error(post("update", {"files": files, "actions": []}), 422, "invalid_request")
    assert_error(
        post("update", {"files": files, "actions": [{"action": "explode", "step": "1.1"}]}),
        422,
        "invalid_request",
    )


def test_what_is_not_a_plan() -> None:
    assert_error(post("status", {"files": {"notes.md": "hello"}}), 422, "not_a_plan")
    assert_error(post("status", {"files": {}, "zip": _zip(recipe_files())}), 422, "invalid_request")
    assert_error(post("status", {}), 422, "invalid_request")
    assert_error(post("status", {"zip": "not base64!"}), 422, "invalid_zip")
    assert_error(post("status", {"zip": base64.b64encode(b"PK but not a zip").decode()}), 422, "invalid_zip")
    broken = dict(recipe_files(), **{"plan.json": "{"})
    assert_error(post("status", {"files": broken}), 422, "invalid_plan")


def test_a_dependency_cycle_is_422() -> None:
    files = recipe_files()
    header, marker, details = files["phase1.md"].partition("## Step details")
    files["phase1.md"] = header + marker + details.replace("**Depends on:** none", "**Depends on:** 1.3")
    assert "1.1 → 1.3 → 1.2 → 1.1" in assert_error(post("status", {"files": files}), 422, "dependency_cycle")


def test_a_zip_that_unpacks_too_large_is_413() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan/phase1.md", "x" * 6_000_000)
    body = {"zip": base64.b64encode(buffer.getvalue()).decode()}
    assert_error(post("status", body), 413, "body_too_large")


def test_export_gives_the_zip_back() -> None:
    files = tick(recipe_files(), "1.1")
    response = post("export", {"files": files})
    assert response.status == 200
    assert response.header("Content-Type") == "application/zip"
    assert response.header("Content-Disposition") == 'attachment; filename="recipe-box-devplan.zip"'
    with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
        assert {name: archive.read(name).decode() for name in archive.namelist()} == {
            f"recipe-box/{name}": text for name, text in files.items()
        }


@pytest.mark.parametrize("name", ["status", "update", "export"])
def test_the_usual_http_checks(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = load_api_handler(f"workspace/{name}.py")
    assert call(handler, "GET", f"/api/workspace/{name}").status == 405
    assert call(handler, "OPTIONS", f"/api/workspace/{name}").status == 204
    assert_error(post(name, b'{"files": '), 400, "invalid_json")
    assert_error(post(name, {"files": {}}, content_type="text/plain"), 415, "unsupported_media_type")
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", "s3cret-token")
    assert_error(post(name, {"files": recipe_files()}), 401, "unauthorized")
    monkeypatch.setenv("DEVUSSY_MAX_BODY_BYTES", "1000")
    assert_error(
        post(name, {"files": recipe_files()}, {"Authorization": "Bearer s3cret-token"}), 413, "body_too_large"
    )
