"""A disk that fills up: stands in for the ``os`` module of ``devussy.pipeline.checkpoint``.

    monkeypatch.setattr(devussy.pipeline.checkpoint, "os", FullDisk(fail_from=3))

From the ``fail_from``-th checkpoint save on, ``fsync`` fails with ENOSPC, as a real full disk does
when the data reaches it; everything else is the real ``os``. ``free()`` makes room again.
"""

from __future__ import annotations

import errno
import os


class FullDisk:
    def __init__(self, fail_from: int = 1) -> None:
        self.calls = 0
        self.fail_from = fail_from
        self.full = True

    def fsync(self, fd: int) -> None:
        self.calls += 1
        if self.full and self.calls >= self.fail_from:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)

    def free(self) -> None:
        self.full = False

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)
