"""The entry point: usage errors, exit codes, one-line errors without secrets or tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from devussy.errors import ConfigError, ProviderError
from tests.cli.helpers import SECRET, StageAnswers, run_cli, run_subprocess


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan"], "the following arguments are required: idea"),
        (["plan", "x", "--concurrency", "0"], "--concurrency: must be at least 1"),
        (["plan", "x", "--concurrency", "many"], "expected a whole number"),
        (["plan", "x", "--provider", "gpt"], "invalid choice: 'gpt'"),
        (["plan", "x", "--bogus"], "unrecognized arguments: --bogus"),
        (["plan", "   "], "the idea cannot be empty"),
        (["plan", "x", "--name", "y" * 600], "invalid name"),
        (["serve", "--port", "70000"], "must be a port number"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], message: str, engine: StageAnswers) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not engine.stages


def test_bad_environment_is_a_config_error(monkeypatch: pytest.MonkeyPatch, engine: StageAnswers) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "bogus")
    code, _, err = run_cli("plan", "x")
    assert code == 2 and err.startswith("devussy: error: DEVUSSY_PROVIDER='bogus' is not a known provider")


def test_run_failure_exits_1_with_code_and_resume_hint(
    monkeypatch: pytest.MonkeyPatch, engine: StageAnswers
) -> None:
    error = ProviderError(f"timed out talking to upstream with key {SECRET}", code="provider_timeout")
    engine.fail_at("phase_detail", error, phase=2)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)  # a secret the messages must not show
    code, out, err = run_cli("plan", "x", "--out", "o", "--plain", "--provider", "builtin")
    assert code == 1
    assert err.startswith("devussy: error: phase details failed for phase(s) 2: phase 2: timed out talking")
    assert "with key *** [provider_timeout]" in err
    assert "--resume" in err and "Traceback" not in err and SECRET not in out + err
    assert "phase 2   failed: provider_timeout: timed out talking to upstream with key ***" in out
    checkpoint = json.loads(Path("o/.devussy/checkpoint.json").read_text())
    assert not Path("o/devplan.md").exists() and sorted(checkpoint["phases"]) == ["1", "3"]


def test_config_error_during_run_exits_2(engine: StageAnswers) -> None:
    engine.fail_at("design", ConfigError("the openai provider needs OPENAI_API_KEY"))
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 2 and err == "devussy: error: the openai provider needs OPENAI_API_KEY\n"


def test_ctrl_c_exits_130_with_resume_hint(engine: StageAnswers) -> None:
    engine.fail_at("design", KeyboardInterrupt())
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 130 and "--resume" in err and "Traceback" not in err


def test_unexpected_exception_is_one_line(engine: StageAnswers) -> None:
    engine.fail_at("design", RuntimeError("boom"))
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 1 and err == "devussy: error: internal error (RuntimeError): boom\n"


def test_subprocess_usage_error(tmp_path: Path) -> None:
    done = run_subprocess("plan", "--concurrency", "x", "idea", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("devussy plan: error: argument --concurrency")


def test_help_and_version_exit_0() -> None:
    code, out, _ = run_cli("plan", "--help")
    assert code == 0 and "--data-store" in out and "--resume" in out
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("devussy ")


def test_a_closed_pipe_is_not_an_error_message(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devussy", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    process.stdout.close()  # type: ignore[union-attr]  # the reader leaves before Python has started
    _, err = process.communicate(timeout=30)
    assert err == b"" and process.returncode == 1


def test_a_registered_provider_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry
    from tests.cli.helpers import mock_engine

    answers = StageAnswers()
    monkeypatch.setitem(registry._FACTORIES, "local", lambda settings, transport: mock_engine(answers))
    code, _, err = run_cli("plan", "x", "--provider", "local", "--out", "o")
    assert (code, err) == (0, "") and "handoff" in answers.stages
