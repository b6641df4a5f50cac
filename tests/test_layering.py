"""The import layering (docs/architecture.md): the engines (``llm``, ``planner``), the stage specs
(``stages``) and the domain packages (``requirements``, ``artifacts``) sit below the orchestration,
so they import nothing from ``pipeline``, ``web`` or ``cli``; ``pipeline`` imports nothing from
``web`` or ``cli``. Checked on every import statement of every module, including those inside
functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "devussy"
FORBIDDEN = {
    "artifacts": ("pipeline", "web", "cli"),
    "requirements": ("pipeline", "web", "cli"),
    "review": ("pipeline", "web", "cli"),
    "llm": ("pipeline", "web", "cli"),
    "planner": ("pipeline", "web", "cli"),
    "stages": ("pipeline", "web", "cli"),
    "pipeline": ("web", "cli"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute ``devussy.…`` module a file imports (``from devussy import x`` counts as
    ``devussy.x``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module == "devussy":
                found += [(node.lineno, f"devussy.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}:{node.lineno}: relative import; use devussy.… imports")
    return [(line, name) for line, name in found if name == "devussy" or name.startswith("devussy.")]


def violations(layer: str) -> list[str]:
    banned = tuple(f"devussy.{name}" for name in FORBIDDEN[layer])
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for line, module in imported_modules(path)
        if module in banned or module.startswith(tuple(f"{name}." for name in banned))
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(layer: str) -> None:
    assert violations(layer) == []


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "engine.py"
    module.write_text("def f():\n    from devussy.pipeline.runner import Runner\n    import devussy.web\n")
    assert imported_modules(module) == [(2, "devussy.pipeline.runner"), (3, "devussy.web")]
    module.write_text("from devussy import cli, models\n")
    assert imported_modules(module) == [(1, "devussy"), (1, "devussy.cli"), (1, "devussy.models")]
