"""A plan folder written by ``devussy plan`` as a living object (DESIGN §7).

``plan.json`` gives the structure; the ``phaseN.md`` checklists hold the state (hand-edited ticks,
block markers and notes included). :class:`Workspace` reads a folder and changes it under a lock;
:class:`Snapshot` and :func:`apply_actions` do the same on ``{file name: text}`` for the stateless
API. docs/workspace.md is the guide.
"""

from devussy.errors import WorkspaceBusy, WorkspaceError
from devussy.workspace.folder import Workspace, read_plan_files
from devussy.workspace.models import StepDetail, StepRef, StepView, WorkspaceStatus
from devussy.workspace.snapshot import Snapshot
from devussy.workspace.status import Analysis, step_detail, workspace_status
from devussy.workspace.update import Action, UpdateResult, apply_actions

__all__ = [
    "Action",
    "Analysis",
    "Snapshot",
    "StepDetail",
    "StepRef",
    "StepView",
    "UpdateResult",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "WorkspaceStatus",
    "apply_actions",
    "read_plan_files",
    "step_detail",
    "workspace_status",
]
