"""What every part of the command shares: exit codes and the two errors the entry point maps to them."""

from __future__ import annotations

from devussy.errors import DevussyError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class InterviewFailed(DevussyError):
    """The interview stage failed; nothing was checkpointed yet, so there is nothing to resume."""


class UsageError(Exception):
    """Bad command-line input; exit code 2."""

    def __init__(self, message: str, *, prog: str = "devussy") -> None:
        super().__init__(message)
        self.prog = prog
