"""The ``--out`` folder of ``devussy plan``: checked writable before the first paid call, and locked
for the run so that two runs (or a run and ``devussy done``) cannot write into it at once.

The lock is the plan folder's own (``devussy.workspace.lock``: an OS lock on ``<out>/.devussy/lock``).
The kernel drops it when its holder ends however it ends, so the lock of a run that died (its pid is
still written in the file) is simply taken over.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from devussy.cli.errors import UsageError
from devussy.errors import WorkspaceBusy


@contextlib.contextmanager
def output_folder(out_dir: Path) -> Iterator[None]:
    """Make ``out_dir`` (checked writable, locked) for the ``with`` block.

    Folders this created are removed again if the block leaves nothing in them but the lock (a usage
    error, Ctrl-C during the interview), so a run that did nothing leaves no trace.
    """
    created = [path for path in (out_dir, *out_dir.parents) if not path.exists()]
    try:
        check_writable(out_dir)
        with run_lock(out_dir):
            try:
                yield
            finally:
                _remove_if_unused(out_dir, created)
    finally:
        _remove_if_unused(out_dir, created)


def _remove_if_unused(out_dir: Path, created: list[Path]) -> None:
    from devussy.workspace.lock import lock_path

    if not created:
        return
    lock = lock_path(out_dir)
    with contextlib.suppress(OSError):
        if {path.name for path in lock.parent.iterdir()} <= {lock.name}:
            lock.unlink(missing_ok=True)
            lock.parent.rmdir()
    for path in created:  # deepest first; rmdir refuses a folder that holds anything
        with contextlib.suppress(OSError):
            path.rmdir()


def check_writable(out_dir: Path) -> None:
    """Create ``out_dir`` and write a probe file in it; a usage error (exit 2) if that fails."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir, prefix=".devussy-probe-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"cannot write to the output folder {out_dir}: {reason}; choose another --out"
        ) from None


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the run; a usage error naming the other run if it is taken (no waiting)."""
    from devussy.workspace.lock import folder_lock, lock_path

    try:
        with folder_lock(out_dir, timeout=0):
            yield
    except WorkspaceBusy:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            pid = lock_path(out_dir).read_text(encoding="ascii").strip()
            holder = f" (process {int(pid)})" if pid else ""
        raise UsageError(
            f"another devussy run{holder} is writing to {out_dir}; "
            "wait for it to finish, or choose another --out"
        ) from None
