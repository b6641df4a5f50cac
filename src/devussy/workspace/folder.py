"""A plan folder on disk: read it into a :class:`Snapshot`, change it under the folder's lock.

Reads take no lock (every write replaces whole files atomically, so a reader sees a file before or
after a change, never half of one). Writes take the lock, read the files again, apply the change to
what is on disk *now*, and replace only the files whose text changed, keeping each file's mode.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from devussy.errors import DevussyError, WorkspaceError
from devussy.workspace.lock import DEFAULT_TIMEOUT, folder_lock
from devussy.workspace.models import StepDetail, WorkspaceStatus
from devussy.workspace.snapshot import PLAN_JSON, Snapshot
from devussy.workspace.status import Analysis, step_detail, workspace_status
from devussy.workspace.update import Action, UpdateResult, apply_actions

if TYPE_CHECKING:
    from devussy.workspace.replan import ReplanOutcome

PLAN_FILE_NAME = re.compile(r"(plan\.json|devplan\.md|design\.md|handoff\.md|phase[1-9][0-9]*\.md)")
MAX_FILE_BYTES = 5_000_000


def read_plan_files(directory: Path) -> dict[str, str]:
    """The plan's text files in ``directory`` (line endings kept as they are)."""
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a folder"
        raise WorkspaceError(f"{directory} {what}", code="not_a_plan")
    if not (directory / PLAN_JSON).is_file():
        raise WorkspaceError(
            f"{directory} is not a plan folder: it has no {PLAN_JSON} (run `devussy plan` to make one, "
            "or pass the folder it wrote)",
            code="not_a_plan",
        )
    files: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if not PLAN_FILE_NAME.fullmatch(path.name) or not path.is_file():
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            raise WorkspaceError(f"{path.name} is larger than {MAX_FILE_BYTES} bytes", code="invalid_plan")
        try:
            files[path.name] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise WorkspaceError(f"{path.name} is not UTF-8 text", code="invalid_plan") from None
    return files


def write_text_atomically(target: Path, text: str) -> None:
    """Replace ``target`` in one step (a temporary file moved over it), keeping its permissions."""
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Workspace:
    """The plan folder ``directory``; ``clock`` dates the progress log (tests pass a fixed one)."""

    def __init__(
        self,
        directory: str | Path,
        *,
        clock: Callable[[], datetime] = datetime.now,
        lock_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock
        self.lock_timeout = lock_timeout

    def files(self) -> dict[str, str]:
        return read_plan_files(self.directory)

    def snapshot(self) -> Snapshot:
        return Snapshot.from_files(self.files())

    def status(self) -> WorkspaceStatus:
        snapshot = self.snapshot()
        return workspace_status(snapshot, Analysis(snapshot))

    def step(self, step_id: str) -> StepDetail:
        return step_detail(self.snapshot(), step_id)

    def apply(self, actions: Iterable[Action]) -> UpdateResult:
        """Apply the actions to the files as they are once the lock is held; write what changed."""
        actions = list(actions)
        self.files()  # a folder that is not a plan fails before anything (even .devussy/) is created
        with folder_lock(self.directory, self.lock_timeout):
            result = apply_actions(self.files(), actions, self.clock())
            # phase files first, the devplan and handoff (derived from them) last
            for name in sorted(result.changed, key=lambda n: (not n.startswith("phase"), n)):
                write_text_atomically(self.directory / name, result.files[name])
        return result

    def write_replan(self, outcome: ReplanOutcome, base: Mapping[str, str]) -> None:
        """Write a re-plan computed from ``base`` (the files as they were read before it started).

        Under the lock the folder is read again; if anyone changed a plan file meanwhile (ticked a
        step while the engine ran), nothing is written: the re-plan would not include that change.
        """
        with folder_lock(self.directory, self.lock_timeout):
            if self.files() != dict(base):
                raise DevussyError(
                    f"the plan in {self.directory} changed while it was being re-planned (a step ticked "
                    "or a file edited meanwhile); nothing was written — run the re-plan again",
                    code="plan_changed",
                )
            for name in sorted(outcome.files, key=lambda n: (not n.startswith("phase"), n)):
                if base.get(name) != outcome.files[name]:
                    write_text_atomically(self.directory / name, outcome.files[name])
            for name in outcome.deleted:
                (self.directory / name).unlink(missing_ok=True)

    def done(self, step_id: str, note: str | None = None) -> UpdateResult:
        return self.apply([Action("done", step_id, note)])

    def block(self, step_id: str, reason: str) -> UpdateResult:
        return self.apply([Action("block", step_id, reason)])

    def reopen(self, step_id: str) -> UpdateResult:
        return self.apply([Action("reopen", step_id)])

    def note(self, step_id: str, text: str) -> UpdateResult:
        return self.apply([Action("note", step_id, text)])
