"""Fixtures for every CLI test: a clean environment, the runner double, the scripted engine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.cli.helpers")  # assert_complete_plan's failures show values

from tests.cli.helpers import FakeRunner, ScriptedEngine  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("DEVUSSY_") or name in {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray devussy.toml, and the default --out lands in tmp


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> type[FakeRunner]:
    FakeRunner.created = []
    monkeypatch.setattr("devussy.cli.plan.make_runner", lambda settings, observer, checkpoint_dir: FakeRunner(
        settings, observer, checkpoint_dir))
    return FakeRunner


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> ScriptedEngine:
    from devussy.llm import registry

    scripted = ScriptedEngine()
    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: scripted)
    return scripted
