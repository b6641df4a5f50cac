"""The CLI with no engine configured and a local OpenAI-compatible server running (a loopback fake on a
random port stands in for Ollama): it is listed, used, and named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devussy.llm import local
from tests.cli.helpers import assert_complete_plan, run_cli
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.stage_responder import StageResponder

IDEA = "a recipe box web app where cooks save recipes, tag them and search them by ingredient"


@pytest.fixture
def ollama(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    local.forget()
    with FakeOpenAIServer(responder=StageResponder(), models=("llama3.2",), tokens_per_second=5000) as server:
        port = server.base_url.rsplit(":", 1)[1].split("/")[0]
        monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "auto")
        monkeypatch.setenv("DEVUSSY_LOCAL_PORTS", f"ollama={port}")
        yield server
    local.forget()


def test_providers_lists_the_local_server_and_its_models(ollama: FakeOpenAIServer) -> None:
    code, out, err = run_cli("providers")
    assert (code, err) == (0, "")
    line = next(line for line in out.splitlines() if line.startswith("* local"))
    assert f"Ollama at {ollama.base_url} (found by probing)" in line and "models: llama3.2" in line
    code, out, _ = run_cli("providers", "--json")
    entry = next(e for e in json.loads(out) if e["name"] == "local")
    assert entry["default"] is True and entry["models"] == ["llama3.2"]


def test_plan_uses_the_local_server_and_says_so(ollama: FakeOpenAIServer) -> None:
    code, out, err = run_cli("plan", IDEA, "--out", "o", "--plain")
    assert (code, err) == (0, "")
    assert out.startswith(f"Engine: local, Ollama at {ollama.base_url}, model llama3.2 (found by probing;")
    assert all(r.body is not None and r.body["model"] == "llama3.2" for r in ollama.chat_requests())
    assert_complete_plan(Path("o"))
    usage = json.loads(Path("o/plan.json").read_text())["usage"]
    assert [u["stage"] for u in usage["units"]][:2] == ["design", "basic_plan"]
    assert usage["total"]["completionTokens"] > 0
    assert "Usage:" in out and "  total " in out


def test_the_offline_planner_stays_the_default_when_nothing_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    local.forget()
    monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "auto")
    monkeypatch.setenv("DEVUSSY_LOCAL_PORTS", "ollama=1")  # nothing listens on port 1
    code, out, err = run_cli("plan", IDEA, "--out", "o", "--plain")
    assert (code, err) == (0, "")
    assert out.startswith("Engine: builtin, the offline planner")
