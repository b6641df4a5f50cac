"""``devussy export github`` end to end against the REST fake served on loopback (a real socket)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.fakes.github_api import FakeGitHub, FakeGitHubServer
from tests.workspace.plans import recipe_files, write_folder

TOKEN = "ghp_LOOPBACK_secret_token"


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub(token=TOKEN, repo="octo/plans")


@pytest.fixture
def server(fake: FakeGitHub) -> Iterator[FakeGitHubServer]:
    with FakeGitHubServer(fake) as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return write_folder(tmp_path / "recipe", recipe_files())


def _export(folder: Path, server: FakeGitHubServer, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "export", "github", str(folder), "--repo", "octo/plans", "--base-url", server.base_url, *extra
    )


def test_export_then_rerun(folder: Path, server: FakeGitHubServer, fake: FakeGitHub) -> None:
    code, out, err = _export(folder, server)
    assert code == 0, err
    assert out == (
        "GitHub issues for Recipe Box in octo/plans:\n  phase 1: #1 created\n"
        "  phase 2: #2 created\n  phase 3: #3 created\n"
        "Labels created: devussy, phase-1, phase-2, phase-3\n"
    )
    assert run_cli("done", "2.1", str(folder))[0] == 0
    code, out, _ = _export(folder, server)
    assert code == 0 and "phase 2: #2 updated" in out and "phase 1: #1 unchanged" in out
    assert "- [x] **2.1** Index ingredients" in fake.issues[1]["body"] and len(fake.issues) == 3


@pytest.mark.parametrize(
    ("fail", "exit_code", "words"),
    [
        ((401, {"message": "Bad credentials"}, {}), 2, "rejected the token: Bad credentials [github_auth]"),
        (
            (
                403,
                {"message": "API rate limit exceeded"},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99"},
            ),
            1,
            "the limit resets at 99 (epoch seconds)",
        ),
        (
            (422, {"message": "Validation Failed", "errors": [{"message": "name is too long"}]}, {}),
            1,
            "Validation Failed (name is too long) [github_invalid]",
        ),
    ],
)
def test_failures_are_one_line_with_an_exit_code(
    folder: Path,
    server: FakeGitHubServer,
    fake: FakeGitHub,
    fail: tuple,
    exit_code: int,
    words: str,  # type: ignore[type-arg]
) -> None:
    fake.fail_next(*fail)
    code, out, err = _export(folder, server)
    assert (code, out) == (exit_code, "")
    assert words in err and err.count("\n") == 1 and TOKEN not in err


def test_a_dropped_connection(folder: Path, server: FakeGitHubServer, fake: FakeGitHub) -> None:
    fake.drop_next()  # the server reads the request and closes the socket without an answer
    code, _, err = _export(folder, server)
    assert code == 1 and "the connection to GitHub failed (RemoteProtocolError) [github_unreachable]" in err


def test_no_token(folder: Path, server: FakeGitHubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    code, _, err = _export(folder, server)
    assert code == 2 and "set GITHUB_TOKEN (or GH_TOKEN)" in err


def test_nothing_is_sent_for_a_folder_that_is_not_a_plan(
    tmp_path: Path, server: FakeGitHubServer, fake: FakeGitHub, folder: Path
) -> None:
    code, _, err = _export(tmp_path / "nothing", server)
    assert code == 2 and "[not_a_plan]" in err and fake.calls == []
