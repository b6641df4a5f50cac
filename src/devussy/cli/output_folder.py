"""The ``--out`` folder of ``devussy plan``: checked writable before the first paid call, and locked
for the run so that two runs cannot write into it at once.

The lock is ``fcntl.flock`` on ``<out>/.devussy/lock``: the kernel drops it when the process ends
however it ends, so a lock left by a run that died (its pid is written in the file) is simply taken
over. The file stays in place between runs (deleting it would race with a run that just opened it).
On systems without ``fcntl`` (Windows) there is no lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from devussy.cli.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "lock"


@contextlib.contextmanager
def output_folder(out_dir: Path) -> Iterator[None]:
    """Make ``out_dir`` (checked writable, locked) for the ``with`` block.

    Folders this created are removed again if the block leaves nothing in them but the lock (a usage
    error, Ctrl-C during the interview), so a run that did nothing leaves no trace.
    """
    created = [path for path in (out_dir, *out_dir.parents) if not path.exists()]
    try:
        check_writable(out_dir)
        with folder_lock(out_dir):
            try:
                yield
            finally:
                _remove_if_unused(out_dir, created)
    finally:
        _remove_if_unused(out_dir, created)


def _remove_if_unused(out_dir: Path, created: list[Path]) -> None:
    if not created:
        return
    lock_dir = out_dir / ".devussy"
    with contextlib.suppress(OSError):
        if {path.name for path in lock_dir.iterdir()} <= {LOCK_NAME}:
            (lock_dir / LOCK_NAME).unlink(missing_ok=True)
            lock_dir.rmdir()
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


def _describe(holder: dict[str, Any]) -> str:
    parts = [f"pid {holder['pid']}" if "pid" in holder else "another process"]
    if holder.get("host") and holder["host"] != socket.gethostname():
        parts.append(f"on {holder['host']}")
    if isinstance(holder.get("started"), int | float):
        parts.append(f"started {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(holder['started']))}")
    if holder.get("command"):
        parts.append(f"running `{holder['command']}`")
    return ", ".join(parts)


def _read_holder(handle: IO[str]) -> dict[str, Any]:
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def folder_lock(out_dir: Path, command: str | None = None) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the ``with`` block; a usage error naming the other run if it is taken."""
    if fcntl is None:
        yield
        return
    lock_path = out_dir / ".devussy" / LOCK_NAME
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 -- held for the whole block
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder {out_dir}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(_read_holder(handle))
            raise UsageError(
                f"another devussy run ({holder}) is writing to {out_dir}; "
                "wait for it to finish, or choose another --out"
            ) from None
        except OSError:  # a file system without locks (some network mounts): carry on unlocked
            yield
            return
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.time(),
            "command": command if command is not None else " ".join(["devussy", *sys.argv[1:]])[:200],
        }
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(holder))
            handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
