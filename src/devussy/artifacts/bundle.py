"""The whole artifact set: render it, write it to disk atomically, or pack it into a zip.

``render_artifacts`` is pure (filename → content), so the CLI, the API's download and tests all see
the same bytes for the same plan. ``build_zip`` is deterministic too: sorted names and a fixed
timestamp give byte-identical archives.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from devussy.artifacts.markdown import (
    phase_filename,
    render_design,
    render_devplan,
    render_handoff,
    render_phase,
)
from devussy.artifacts.progress import AnchorError, read_section, replace_section
from devussy.artifacts.review import render_review
from devussy.models import CoverageReport, DesignReview, DevPlan, Handoff, ProjectDesign, UsageReport
from devussy.requirements import check_coverage

SCHEMA_VERSION = 1
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_PHASE_FILE = re.compile(r"phase([0-9]+)\.md")


def render_plan_json(
    design: ProjectDesign | None,
    plan: DevPlan,
    handoff: Handoff | None,
    coverage: CoverageReport | None = None,
    usage: UsageReport | None = None,
    review: DesignReview | None = None,
) -> str:
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "design": design.to_json_dict() if design else None,
        "plan": plan.to_json_dict(),
        "handoff": handoff.to_json_dict() if handoff else None,
        "coverage": (coverage or check_coverage(plan)).to_json_dict(),
        "usage": usage.to_json_dict() if usage else None,
        "review": review.to_json_dict() if review else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_artifacts(
    design: ProjectDesign | None,
    plan: DevPlan,
    handoff: Handoff | None,
    *,
    usage: UsageReport | None = None,
    review: DesignReview | None = None,
) -> dict[str, str]:
    """Every artifact file for a plan, as ``{filename: content}`` (flat names, no directories);
    ``usage`` (tokens and cost per unit of the run that made it) goes into ``plan.json``, the design
    ``review`` into ``review.md`` (and ``plan.json``)."""
    coverage = check_coverage(plan)
    files = {"devplan.md": render_devplan(plan, design, handoff, coverage)}
    for phase in plan.phases:
        files[phase_filename(phase.number)] = render_phase(phase, plan)
    if design is not None:
        files["design.md"] = render_design(design)
    if handoff is not None:
        files["handoff.md"] = render_handoff(handoff, coverage, plan.requirements)
    if review is not None:
        files["review.md"] = render_review(review, design.project_name if design else plan.project_name)
    files["plan.json"] = render_plan_json(design, plan, handoff, coverage, usage, review)
    return dict(sorted(files.items()))


def _check_name(name: str) -> None:
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"artifact name {name!r} must be a plain file name")


def _carry_progress_log(new_devplan: str, old_path: Path) -> str:
    """Keep the progress log an earlier run (or an agent) wrote when devplan.md is regenerated."""
    try:
        old_log = read_section(old_path.read_text(encoding="utf-8"), "progress_log")
        return replace_section(new_devplan, "progress_log", old_log)
    except (OSError, UnicodeDecodeError, AnchorError):
        return new_devplan


def write_artifacts(
    out_dir: str | Path, files: Mapping[str, str], *, keep_progress_log: bool = True
) -> list[Path]:
    """Write ``files`` into ``out_dir`` (created if needed); returns the paths, sorted.

    Each file is written to a temporary file in the same directory and moved into place with
    ``os.replace``, so a reader never sees a half-written file and an interrupted write leaves the
    previous version intact. With ``keep_progress_log`` an existing ``devplan.md``'s progress log
    is carried into the new one.
    """
    for name in files:
        _check_name(name)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in sorted(files):
        target = directory / name
        content = files[name]
        if keep_progress_log and name == "devplan.md" and target.is_file():
            content = _carry_progress_log(content, target)
        _write_atomically(target, content.encode("utf-8"))
        written.append(target)
    return written


def stale_phase_files(out_dir: str | Path, files: Mapping[str, str]) -> list[Path]:
    """``phaseN.md`` files in ``out_dir`` that ``files`` does not have: left by an earlier, longer plan.

    They are reported, not deleted: an agent may have ticked boxes in them.
    """
    directory = Path(out_dir)
    if not directory.is_dir():
        return []
    found = [
        (int(match[1]), path)
        for path in directory.iterdir()
        if (match := _PHASE_FILE.fullmatch(path.name)) and path.name not in files
    ]
    return [path for _, path in sorted(found)]


def write_zip(path: str | Path, files: Mapping[str, str], *, root: str | None = None) -> Path:
    """Write :func:`build_zip` of ``files`` to ``path`` atomically; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, build_zip(files, root=root))
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; artifacts are ordinary shareable files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def build_zip(files: Mapping[str, str], *, root: str | None = None) -> bytes:
    """A zip of ``files`` (optionally under a ``root/`` folder); same files → same bytes."""
    if root is not None:
        _check_name(root)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            _check_name(name)
            info = zipfile.ZipInfo(f"{root}/{name}" if root else name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permission bits below mean the same everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"), compresslevel=9)
    return buffer.getvalue()
