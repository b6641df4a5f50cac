"""What can go wrong with a plan folder, each with a stable code.

``WorkspaceError`` is bad input (exit code 2 in the CLI, a 4xx in the API, an error result in the
MCP server): the folder is not a plan, a step id is unknown, a step is already done, the
dependencies someone edited by hand form a cycle. Nothing is written when one is raised.
``WorkspaceBusy`` is not the caller's fault: another process held the folder's lock too long.
"""

from __future__ import annotations

from devussy.errors import DevussyError


class WorkspaceError(DevussyError):
    """Codes: ``not_a_plan``, ``invalid_plan``, ``missing_phase_file``, ``unknown_step``,
    ``step_not_in_file``, ``already_done``, ``not_open``, ``step_done``, ``unknown_dependency``,
    ``dependency_cycle``, ``invalid_input``."""

    code = "workspace_error"


class WorkspaceBusy(DevussyError):
    """Another process kept the plan folder locked longer than we were willing to wait."""

    code = "workspace_busy"
