"""Plan artifacts: devplan.md, phaseN.md, design.md, handoff.md, plan.json and a zip of them."""

from devussy.artifacts.bundle import (
    SCHEMA_VERSION,
    build_zip,
    render_artifacts,
    render_plan_json,
    stale_phase_files,
    write_artifacts,
    write_zip,
)
from devussy.artifacts.progress import (
    ANCHORS,
    AnchorError,
    completed_steps,
    read_section,
    replace_section,
    update_progress_log,
)

__all__ = [
    "ANCHORS",
    "SCHEMA_VERSION",
    "AnchorError",
    "build_zip",
    "completed_steps",
    "read_section",
    "render_artifacts",
    "render_plan_json",
    "replace_section",
    "stale_phase_files",
    "update_progress_log",
    "write_artifacts",
    "write_zip",
]
