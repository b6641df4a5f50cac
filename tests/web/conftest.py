from __future__ import annotations

import os

import pytest

from tests.web.helpers import ENV_PREFIXES
from tests.web.mock_engine import engine  # noqa: F401 -- fixture for the tests here


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]) -> None:
    """Settings come only from what a test sets (no developer keys, no devussy.toml from the cwd)."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "off")  # tests that probe point it at loopback fakes
    monkeypatch.chdir(tmp_path)
