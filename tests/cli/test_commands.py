"""The small commands: ``providers``, ``schema`` and ``serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import SECRET, run_cli, run_subprocess


def test_schema_prints_the_models_json_schema() -> None:
    code, out, _ = run_cli("schema")
    assert code == 0 and {"DevPlan", "Phase", "Step", "Handoff"} <= set(json.loads(out))


@pytest.mark.parametrize("argv", [["providers"], ["providers", "--json"]])
def test_providers_never_shows_a_key(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DEVUSSY_MODEL", "gpt-test")
    code, out, err = run_cli(*argv)
    assert code == 0 and SECRET not in out + err and "openai" in out
    if argv[-1] == "--json":
        entries = {entry["name"]: entry for entry in json.loads(out)}
        assert entries["openai"]["usable"] and entries["openai"]["default"]
    else:
        assert "* openai     ready  models: gpt-test" in out


def test_subprocess_providers_never_shows_a_key(tmp_path: Path) -> None:
    done = run_subprocess("providers", env={"OPENAI_API_KEY": SECRET}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr and "openai" in done.stdout


def test_serve_runs_the_local_server_until_sigterm(tmp_path: Path) -> None:
    import re
    import selectors
    import signal

    import httpx

    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    process = subprocess.Popen(
        [sys.executable, "-m", "devussy", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=base,
        cwd=tmp_path,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        assert selector.select(timeout=20), "server did not announce itself"
        banner = process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", banner)
        assert match, banner
        response = httpx.get(f"http://127.0.0.1:{match.group(1)}/api/health", timeout=10)
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    assert process.returncode == 0
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]
