"""Fixtures for every CLI test: a clean environment, and the mock engine under the real runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.cli.helpers")  # assert_complete_plan's failures show values

from tests.cli.helpers import StageAnswers, mock_engine  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("DEVUSSY_") or name in {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "off")  # tests that probe point it at loopback fakes
    monkeypatch.chdir(tmp_path)  # no stray devussy.toml, and the default --out lands in tmp


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> StageAnswers:
    """The stage answers behind ``builtin``: every command runs the real runner and stages."""
    from devussy.llm import registry

    answers = StageAnswers()
    provider = mock_engine(answers)
    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: provider)
    return answers
