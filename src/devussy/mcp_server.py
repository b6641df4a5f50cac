"""``devussy mcp``: the living plan as an MCP server over stdio, for coding agents.

Built on the official MCP Python SDK (``mcp``, an optional extra: ``pip install 'devussy[mcp]'``).
Tools read and change the plan folder through ``devussy.workspace``, so an agent gets exactly what
``devussy status`` / ``done`` give a person: the same lock, the same files, the same errors (as tool
errors ending in ``[code]``). The plan files are resources ``devussy://plan/<file name>``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError

from devussy import __version__
from devussy.errors import DevussyError
from devussy.workspace import UpdateResult, Workspace, WorkspaceError, step_detail
from devussy.workspace.folder import PLAN_FILE_NAME, read_plan_files
from devussy.workspace.models import NextSteps, ReplanResult, StepDetail, StepUpdate, WorkspaceStatus
from devussy.workspace.snapshot import Snapshot
from devussy.workspace.status import Analysis, workspace_status

if TYPE_CHECKING:
    from devussy.workspace.replan import ReplanEngine

RESOURCE_PREFIX = "devussy://plan/"
T = TypeVar("T")

INSTRUCTIONS = """\
This server is a development plan written by Devussy: devplan.md (overview, progress log, next task
group), one phaseN.md per phase (a checklist of steps with details, acceptance criteria and a test
command) and handoff.md (where to start). Work in slices: call next_steps (or read handoff.md), do a
step, check its acceptance criteria and run its test command, then call complete_step with a short
note. Use block_step when you cannot finish a step, add_note for anything the next person should
know, and replan when the plan no longer fits. Never edit the checkboxes or the progress log by hand
while using these tools."""


def _tool_error(exc: DevussyError) -> ToolError:
    return ToolError(f"{exc.message} [{exc.code}]")


def _update(result: UpdateResult, step_id: str) -> StepUpdate:
    snapshot = Snapshot.from_files(result.files)
    status = result.status
    return StepUpdate(
        step=step_detail(snapshot, step_id),
        logged=result.logged,
        changed_files=result.changed,
        messages=result.messages,
        next_task_group=status.next_task_group if status else [],
    )


def _default_engine() -> ReplanEngine:
    from devussy.config import Settings
    from devussy.workspace.replan_engine import PipelineEngine

    return PipelineEngine(Settings.from_env())


def build_server(
    directory: Path,
    *,
    clock: Callable[[], datetime] = datetime.now,
    engine: Callable[[], ReplanEngine] = _default_engine,
) -> MCPServer[Any]:
    """The MCP server for the plan folder ``directory`` (not started); ``engine`` makes the re-plan
    engine (default: the configured one, the builtin offline planner without a key)."""
    workspace = Workspace(directory, clock=clock)
    server: MCPServer[Any] = MCPServer(
        "devussy", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    def guarded(call: Callable[[], T]) -> T:
        try:
            return call()
        except DevussyError as exc:
            raise _tool_error(exc) from None

    @server.tool()
    def get_status() -> WorkspaceStatus:
        """Progress per phase, blocked steps, the next task group and requirements no done step covers."""
        return guarded(workspace.status)

    @server.tool()
    def next_steps() -> NextSteps:
        """The open, unblocked steps in dependency waves: wave 1 can start now, and the steps of one
        wave can be done in parallel. Also lists blocked steps and the steps held up by them."""

        def build() -> NextSteps:
            snapshot = workspace.snapshot()
            status = workspace_status(snapshot, Analysis(snapshot))
            return NextSteps(waves=status.waves, blocked=status.blocked, held=status.held)

        return guarded(build)

    @server.tool()
    def get_step(step_id: str) -> StepDetail:
        """One step in full: details, acceptance criteria, test command, dependencies, status and notes.
        step_id is like "2.3"."""
        return guarded(lambda: workspace.step(step_id))

    @server.tool()
    def complete_step(step_id: str, note: str | None = None) -> StepUpdate:
        """Mark a step done: ticks its box in phaseN.md, logs a dated line in devplan.md's progress log
        (with the note), recomputes the next task group and rewrites handoff.md."""
        return guarded(lambda: _update(workspace.done(step_id, note), step_id))

    @server.tool()
    def block_step(step_id: str, reason: str) -> StepUpdate:
        """Mark an open step blocked, with the reason; steps that depend on it are held until it is
        reopened or done."""
        return guarded(lambda: _update(workspace.block(step_id, reason), step_id))

    @server.tool()
    def reopen_step(step_id: str) -> StepUpdate:
        """Untick a done step, or lift a step's block."""
        return guarded(lambda: _update(workspace.reopen(step_id), step_id))

    @server.tool()
    def add_note(step_id: str, note: str) -> StepUpdate:
        """Add a dated note under a step in its phase file (and a line in the progress log)."""
        return guarded(lambda: _update(workspace.note(step_id, note), step_id))

    @server.tool()
    async def replan(change: str, apply: bool = False) -> ReplanResult:
        """Re-plan for a change ("add Stripe payments", "drop the admin UI"): design and phase outline
        are made again with the change as a requirement; unchanged phases keep their steps, changed or
        new ones get new steps; done steps, notes and blocks are kept. Returns the diff; writes the
        files only with apply=true (show the diff to the user first)."""
        from devussy.workspace.replan import replan as run_replan

        try:
            base = workspace.files()
            outcome = await run_replan(Snapshot.from_files(base), change, engine(), clock())
            if apply and outcome.changed:
                workspace.write_replan(outcome, base)
        except DevussyError as exc:  # bad input, or the engine failed (provider_timeout, parse_failed, …)
            raise _tool_error(exc) from None
        return ReplanResult(
            applied=apply and bool(outcome.changed),
            summary=outcome.summary,
            diff=outcome.diff,
            changed_files=outcome.changed,
            deleted_files=outcome.deleted,
        )

    @server.resource(
        f"{RESOURCE_PREFIX}{{name}}",
        name="plan-file",
        mime_type="text/markdown",
        description="A plan file: devplan.md, phaseN.md, handoff.md, design.md, plan.json",
    )
    def plan_file(name: str) -> str:
        if not PLAN_FILE_NAME.fullmatch(name):
            raise ResourceNotFoundError(f"{name} is not a plan file")
        try:
            files = read_plan_files(directory)
        except WorkspaceError as exc:
            raise ResourceNotFoundError(f"{exc.message} [{exc.code}]") from None
        if name not in files:
            raise ResourceNotFoundError(f"{name} is not in {directory}")
        return files[name]

    for name in guarded(lambda: read_plan_files(directory)):
        _add_file_resource(server, name, plan_file)
    return server


def _add_file_resource(server: MCPServer[Any], name: str, read: Callable[[str], str]) -> None:
    mime = "application/json" if name.endswith(".json") else "text/markdown"

    def content() -> str:
        return read(name)

    server.resource(f"{RESOURCE_PREFIX}{name}", name=name, mime_type=mime)(content)


def serve_stdio(directory: Path) -> None:
    """Serve ``directory`` over stdin/stdout until the client closes the connection."""
    build_server(directory).run("stdio")
