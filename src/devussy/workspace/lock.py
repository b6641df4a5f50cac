"""One writer at a time per plan folder.

The lock is an OS lock on ``<folder>/.devussy/lock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on
Windows), the file ``devussy plan`` locks its output folder with, so a plan run and a tick never
interleave. The operating system drops the lock when its holder exits, however it exits, so a crashed
or killed process never leaves a stale lock behind: the next writer takes over at once. The file
itself stays (with the last holder's pid, shown when someone waits too long). Locks are per open
file, so two threads of one process exclude each other too.

Writers re-read the files after taking the lock, so two updates made at the same time both land.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from devussy.errors import WorkspaceBusy

LOCK_NAME = "lock"  # the same file `devussy plan` locks its --out folder with
DEFAULT_TIMEOUT = 10.0

try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows (CI runs on Linux)
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


def lock_path(directory: Path) -> Path:
    return directory / ".devussy" / LOCK_NAME


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
        if pid:
            return f" (held by process {pid})"
    return ""


@contextlib.contextmanager
def folder_lock(directory: Path, timeout: float = DEFAULT_TIMEOUT, poll: float = 0.01) -> Iterator[None]:
    """Hold the folder's lock for the ``with`` block; ``WorkspaceBusy`` after ``timeout`` seconds."""
    path = lock_path(directory)
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise WorkspaceBusy(
                    f"another devussy process is updating {directory}{_holder(fd)}; "
                    f"waited {timeout:g} s — try again when it has finished"
                )
            time.sleep(poll)
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, str(os.getpid()).encode("ascii"))
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
