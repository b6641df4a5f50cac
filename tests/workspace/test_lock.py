from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devussy.workspace import WorkspaceBusy
from devussy.workspace.lock import folder_lock, lock_path

HOLDER = """
import sys, time
from pathlib import Path
from devussy.workspace.lock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_holder_waits_then_gives_up_naming_the_holder(tmp_path: Path) -> None:
    with folder_lock(tmp_path), pytest.raises(WorkspaceBusy) as caught, folder_lock(tmp_path, timeout=0.05):
        pass
    assert f"held by process {os.getpid()}" in caught.value.message
    with folder_lock(tmp_path, timeout=0.05):  # released on exit
        pass


def test_a_waiting_thread_gets_the_lock_when_it_is_released(tmp_path: Path) -> None:
    order: list[str] = []
    holding = threading.Event()

    def hold() -> None:
        with folder_lock(tmp_path):
            holding.set()
            time.sleep(0.2)
            order.append("first")

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    with folder_lock(tmp_path, timeout=5):
        order.append("second")
    thread.join()
    assert order == ["first", "second"]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceBusy), folder_lock(tmp_path, timeout=0.05):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert lock_path(tmp_path).exists()  # the file stays; the lock on it went with the process
        with folder_lock(tmp_path, timeout=0.5):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
