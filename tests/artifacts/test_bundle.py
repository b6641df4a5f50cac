from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from devussy.artifacts import (
    SCHEMA_VERSION,
    build_zip,
    read_section,
    render_artifacts,
    stale_phase_files,
    update_progress_log,
    write_artifacts,
)
from devussy.models import DevPlan, Handoff, ProjectDesign


def test_render_artifacts_file_set(plan: DevPlan, design: ProjectDesign, handoff: Handoff) -> None:
    files = render_artifacts(design, plan, handoff)
    assert list(files) == sorted(
        ["devplan.md", "phase1.md", "phase2.md", "phase3.md", "design.md", "handoff.md", "plan.json"]
    )
    assert set(render_artifacts(None, plan, None)) == {
        "devplan.md",
        "phase1.md",
        "phase2.md",
        "phase3.md",
        "plan.json",
    }


def test_plan_json_round_trips_in_camel_case(plan: DevPlan, design: ProjectDesign, handoff: Handoff) -> None:
    document = json.loads(render_artifacts(design, plan, handoff)["plan.json"])
    assert document["schemaVersion"] == SCHEMA_VERSION
    assert document["plan"]["projectName"] == "Recipe Box"
    assert document["plan"]["phases"][1]["steps"][0]["acceptanceCriteria"]
    assert DevPlan.model_validate(document["plan"]) == plan
    assert ProjectDesign.model_validate(document["design"]) == design
    assert Handoff.model_validate(document["handoff"]) == handoff
    assert json.loads(render_artifacts(None, plan, None)["plan.json"])["design"] is None


def test_no_secret_reaches_artifacts(plan: DevPlan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET")
    assert not any("sk-test-SECRET" in content for content in render_artifacts(None, plan, None).values())


def test_write_artifacts_writes_every_file_atomically(tmp_path: Path, plan: DevPlan) -> None:
    files = render_artifacts(None, plan, None)
    out = tmp_path / "nested" / "out"
    paths = write_artifacts(out, files)
    assert [p.name for p in paths] == sorted(files)
    for path in paths:
        assert path.read_text(encoding="utf-8") == files[path.name]
        assert os.stat(path).st_mode & 0o777 == 0o644
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_phase_files_of_an_earlier_longer_plan_are_listed_not_deleted(tmp_path: Path, plan: DevPlan) -> None:
    assert stale_phase_files(tmp_path / "missing", {}) == []
    files = render_artifacts(None, plan, None)
    count = len(plan.phases)
    for extra in (count + 10, count + 1):
        (tmp_path / f"phase{extra}.md").write_text("- [x] done by an agent\n")
    (tmp_path / "phase-notes.md").write_text("not a phase file\n")
    write_artifacts(tmp_path, files)
    stale = stale_phase_files(tmp_path, files)
    assert [p.name for p in stale] == [f"phase{count + 1}.md", f"phase{count + 10}.md"]  # numeric order
    assert all(p.read_text() == "- [x] done by an agent\n" for p in stale)


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_artifacts(tmp_path, {"a.md": "old"})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_artifacts(tmp_path, {"a.md": "new"})
    assert (tmp_path / "a.md").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_rewriting_keeps_the_progress_log(tmp_path: Path, plan: DevPlan) -> None:
    files = render_artifacts(None, plan, None)
    write_artifacts(tmp_path, files)
    devplan = tmp_path / "devplan.md"
    devplan.write_text(update_progress_log(devplan.read_text(), "Finished 1.1"))
    write_artifacts(tmp_path, render_artifacts(None, plan, None))
    assert read_section(devplan.read_text(), "progress_log") == "- Finished 1.1"
    write_artifacts(tmp_path, files, keep_progress_log=False)
    assert devplan.read_text() == files["devplan.md"]


@pytest.mark.parametrize("name", ["../evil.md", "a/b.md", "", "..", "c:\\x.md"])
def test_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        write_artifacts(tmp_path, {name: "x"})
    with pytest.raises(ValueError):
        build_zip({name: "x"})
    assert list(tmp_path.iterdir()) == []


def test_zip_is_byte_identical_and_complete(plan: DevPlan, design: ProjectDesign, handoff: Handoff) -> None:
    first = build_zip(render_artifacts(design, plan, handoff))
    again = build_zip(
        render_artifacts(
            ProjectDesign.model_validate(design.to_json_dict()),
            DevPlan.model_validate(plan.to_json_dict()),
            Handoff.model_validate(handoff.to_json_dict()),
        )
    )
    assert first == again
    files = render_artifacts(design, plan, handoff)
    reversed_order = dict(reversed(list(files.items())))
    assert build_zip(reversed_order) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == sorted(files)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        assert archive.read("devplan.md").decode() == files["devplan.md"]


def test_zip_root_folder_and_changes_show(plan: DevPlan) -> None:
    files = render_artifacts(None, plan, None)
    with zipfile.ZipFile(io.BytesIO(build_zip(files, root="recipe-box"))) as archive:
        assert archive.namelist() == [f"recipe-box/{name}" for name in sorted(files)]
    changed = plan.with_phase(plan.phase(1).model_copy(update={"title": "Other"}))
    assert build_zip(render_artifacts(None, changed, None)) != build_zip(files)
