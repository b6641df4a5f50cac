"""The MCP server, driven by the official SDK's client: in process over memory streams, and once as a
real ``devussy mcp`` subprocess over stdio."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from devussy.mcp_server import build_server
from tests.cli.helpers import run_cli
from tests.workspace.plans import NOW, recipe_files, write_folder

ROOT = Path(__file__).resolve().parents[1]
TOOLS = {"get_status", "next_steps", "get_step", "complete_step", "block_step", "add_note", "reopen_step"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "recipe", recipe_files())


def _client(folder: Path) -> Client:
    # "legacy" is the initialize handshake that Claude Code, Cursor and VS Code speak, over memory streams
    return Client(build_server(folder, clock=lambda: NOW), mode="legacy", cache=None)


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


async def _call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def _error(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text  # type: ignore[union-attr]


async def test_the_tools_are_listed_with_their_schemas(folder: Path) -> None:
    async with _client(folder) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) >= TOOLS
    assert tools["complete_step"].input_schema["required"] == ["step_id"]
    assert "nextTaskGroup" in tools["get_status"].output_schema["properties"]  # type: ignore[index]


async def test_status_next_and_step(folder: Path) -> None:
    async with _client(folder) as client:
        status = await _call(client, "get_status")
        waves = (await _call(client, "next_steps"))["waves"]
        step = await _call(client, "get_step", step_id="3.2")
    assert (status["done"], status["total"]) == (0, 8)
    assert [ref["id"] for ref in status["nextTaskGroup"]] == ["1.1", "1.2", "1.3", "2.1", "3.1"]
    assert [[ref["id"] for ref in wave] for wave in waves][3] == ["2.1", "3.1"]
    assert (step["testCommand"], step["covers"], step["status"]) == ("pytest -k s3_2", ["R2"], "waiting")


async def test_complete_block_note_and_reopen_change_the_files(folder: Path) -> None:
    async with _client(folder) as client:
        done = await _call(client, "complete_step", step_id="1.1", note="scaffolded")
        blocked = await _call(client, "block_step", step_id="1.2", reason="CI has no runners")
        noted = await _call(client, "add_note", step_id="1.2", note="asked ops for a runner")
        reopened = await _call(client, "reopen_step", step_id="1.2")
    assert done["step"]["status"] == "done"
    assert done["changedFiles"] == ["devplan.md", "handoff.md", "phase1.md"]
    assert done["logged"] == ["2026-05-04 10:12 — Done 1.1 Create the repository: scaffolded"]
    assert blocked["step"]["blockedReason"] == "CI has no runners" and blocked["nextTaskGroup"] == []
    assert noted["step"]["notes"] == ["2026-05-04 10:12: asked ops for a runner"]
    assert reopened["step"]["status"] == "ready"
    phase1 = (folder / "phase1.md").read_text()
    assert "- [x] **1.1 Create the repository**\n  - 2026-05-04 10:12: scaffolded\n" in phase1
    assert "- [ ] **1.2 Add CI**\n  - 2026-05-04 10:12: asked ops for a runner\n" in phase1
    assert (folder / "devplan.md").read_text().count("2026-05-04 10:12 — ") == 4


async def test_bad_input_is_a_tool_error_with_its_code_and_touches_nothing(folder: Path) -> None:
    async with _client(folder) as client:
        await _call(client, "complete_step", step_id="1.1")
        before = _contents(folder)
        assert (await _error(client, "complete_step", step_id="1.1")).endswith("[already_done]")
        assert "there is no step '8.8'" in await _error(client, "get_step", step_id="8.8")
        assert (await _error(client, "block_step", step_id="1.2", reason="")).endswith("[invalid_input]")
        assert "step_id" in await _error(client, "complete_step")
    assert _contents(folder) == before


async def test_the_plan_files_are_resources(folder: Path) -> None:
    original = (folder / "devplan.md").read_text()
    async with _client(folder) as client:
        uris = {str(resource.uri) for resource in (await client.list_resources()).resources}
        devplan = (await client.read_resource("devussy://plan/devplan.md")).contents[0]
        await _call(client, "complete_step", step_id="1.1")
        handoff = (await client.read_resource("devussy://plan/handoff.md")).contents[0]
        with pytest.raises(MCPError):
            await client.read_resource("devussy://plan/secrets.txt")
        with pytest.raises(MCPError):
            await client.read_resource("devussy://plan/phase9.md")
    assert {"devussy://plan/devplan.md", "devussy://plan/phase3.md", "devussy://plan/plan.json"} <= uris
    assert devplan.text == original  # type: ignore[union-attr]
    assert "**Start at:** Phase 1, step 1.2" in handoff.text  # type: ignore[union-attr]


async def test_over_real_stdio_as_a_subprocess(folder: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = ["-m", "devussy", "mcp", str(folder)]
    params = StdioServerParameters(command=sys.executable, args=command, env=env)
    async with Client(params, mode="legacy", cache=None) as client:
        assert {tool.name for tool in (await client.list_tools()).tools} >= TOOLS
        result = await _call(client, "complete_step", step_id="1.1", note="over stdio")
    assert result["step"]["status"] == "done"
    assert "over stdio" in (folder / "phase1.md").read_text()


def test_mcp_refuses_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    code, out, err = run_cli("mcp", str(tmp_path))
    assert (code, out) == (2, "") and "[not_a_plan]" in err


def test_mcp_without_the_sdk_says_how_to_install_it(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "devussy.mcp_server", None)  # import fails as if mcp were missing
    code, _, err = run_cli("mcp", str(folder))
    assert code == 2 and "pip install 'devussy[mcp]'" in err


async def test_replan_shows_the_diff_and_writes_only_when_asked(folder: Path) -> None:
    from tests.workspace.engines import design_system_engine

    server = build_server(folder, clock=lambda: NOW, engine=design_system_engine)
    before = _contents(folder)
    async with Client(server, mode="legacy", cache=None) as client:
        preview = await _call(client, "replan", change="add a design system")
        assert _contents(folder) == before
        assert preview["applied"] is False and "+++ b/phase1.md" in preview["diff"]
        assert preview["summary"][:2] == ["kept phases 2", "regenerated 1, 3"]
        applied = await _call(client, "replan", change="add a design system", apply=True)
        status = await _call(client, "get_status")
    assert applied["applied"] is True and "phase1.md" in applied["changedFiles"]
    assert [phase["title"] for phase in status["phases"]] == ["Design system", "Foundation", "Search"]
    assert "Re-planned: add a design system" in (folder / "devplan.md").read_text()


async def test_replan_errors_are_tool_errors(folder: Path) -> None:
    from tests.workspace.engines import design_system_engine

    server = build_server(folder, clock=lambda: NOW, engine=design_system_engine)
    async with Client(server, mode="legacy", cache=None) as client:
        assert (await _error(client, "replan", change=" ")).endswith("[invalid_input]")
