"""Run a measurement against the code before this branch's changes, in the same bench run.

``baseline_src()`` unpacks ``src/`` and ``api/`` of a git ref (default: where this branch left
``main``) into a temporary folder and returns its ``src``; ``run_python(code, src=...)`` runs a snippet
in a fresh interpreter that imports ``devussy`` from there and returns what it printed as JSON (or a
timeout marker). ``src.parent / "api"`` holds that ref's handlers.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_SETTINGS_PREFIXES = ("DEVUSSY_", "OPENAI_", "ANTHROPIC_")


def default_ref() -> str:
    merge_base = subprocess.run(
        ["git", "merge-base", "HEAD", "main"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return merge_base.stdout.strip() or "main"


def baseline_src(ref: str) -> Path:
    archive = subprocess.run(
        ["git", "archive", ref, "src", "api"], capture_output=True, cwd=ROOT, check=True
    ).stdout
    target = Path(tempfile.mkdtemp(prefix="devussy-baseline-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


def run_python(code: str, *, src: Path, timeout: float, stdin: str = "") -> dict[str, Any]:
    """Run ``code`` with ``devussy`` imported from ``src``; its last stdout line is JSON."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(_SETTINGS_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(ROOT)])
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=timeout,
            env=env, cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        return {"timed_out_after_s": timeout}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
