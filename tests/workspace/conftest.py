"""Plan folders for the workspace tests: rendered by the real artifact code, then edited like people do."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.workspace.plans import NOW, recipe_files, write_folder


@pytest.fixture
def files() -> dict[str, str]:
    return recipe_files()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "recipe", recipe_files())


@pytest.fixture
def now() -> datetime:
    return NOW
