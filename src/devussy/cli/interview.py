"""``devussy plan --interview``: the engine's questions in the terminal, answers read from stdin."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from devussy.cli.errors import UsageError
from devussy.config import Settings
from devussy.errors import DevussyError, InputTooLarge
from devussy.events import ProgressEvent, RepairRequested
from devussy.models import ChatTurn, ProjectBrief, Requirement
from devussy.stages.inputs import InterviewInput
from devussy.validation import describe_errors

MAX_ANSWER_CHARS = 20_000  # a chat turn's limit
MAX_QUESTIONS = 20  # then the CLI answers "done" itself: a chatty engine cannot keep a script waiting
FINISH_ANSWER = "done"
# What the CLI answers once there are no more answers; an engine that still asks gets the second one.
CLOSING_ANSWERS = (
    FINISH_ANSWER,
    "That is all I can tell you. Please write the brief now, stating assumptions for the rest.",
)
# (brief field, argparse attribute) of the flags that add to the brief's lists
LIST_FLAGS = (
    ("languages", "language"),
    ("frameworks", "framework"),
    ("data_stores", "data_store"),
    ("integrations", "integration"),
)


def first_input(args: argparse.Namespace) -> str:
    """The idea, plus what the flags already decide, so the engine does not ask about it."""
    decided = [f"name: {args.name.strip()}"] if args.name else []
    for field, attr in LIST_FLAGS:
        if values := getattr(args, attr):
            decided.append(f"{field.replace('_', ' ')}: {', '.join(values)}")
    idea = args.idea.strip()
    text = f"{idea}\n\nAlready decided — {'; '.join(decided)}." if decided else idea
    if len(text) > MAX_ANSWER_CHARS:
        raise UsageError(f"with --interview the idea must be at most {MAX_ANSWER_CHARS} characters")
    return text


def merge_flags(
    brief: ProjectBrief, args: argparse.Namespace, requirements: list[Requirement] | None = None
) -> ProjectBrief:
    """The interview's brief, with --name replacing its name, the list flags added to its lists and
    the --requirements list (``requirements``) replacing its requirements."""
    data = brief.model_dump(by_alias=False)
    if args.name:
        data["name"] = args.name.strip()
    if requirements:
        data["requirements"] = [r.model_dump() for r in requirements]
    for field, attr in LIST_FLAGS:
        values: list[str] = data[field]
        for value in getattr(args, attr):
            if value.strip().casefold() not in {v.casefold() for v in values}:
                values.append(value.strip())
    try:
        return ProjectBrief.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"invalid {describe_errors(exc, limit=1, root='brief')}") from None


def saved_brief(out_dir: Path) -> ProjectBrief | None:
    """The brief of an earlier run in ``out_dir``, kept with its design in the checkpoint."""
    from devussy.pipeline.checkpoint import CheckpointStore

    checkpoint = CheckpointStore(out_dir).load()
    return checkpoint.design.brief if checkpoint and checkpoint.design else None


def run_interview(settings: Settings, idea: str, stdout: TextIO) -> ProjectBrief:
    """Ask the engine's questions in the terminal until its reply carries a brief.

    Answers are lines read with ``input()``, from a terminal or a pipe; the engine understands
    "done"/"skip"; an empty line means "no preference"; end of input means "done". Each turn runs in
    its own event loop, so Ctrl-C while waiting for an answer is a plain KeyboardInterrupt.
    """
    from devussy.pipeline.generation import generate
    from devussy.pipeline.settings import stage_settings
    from devussy.stages.interview import STAGE

    stage = stage_settings(settings, "interview")
    offline = stage.provider.capabilities.offline
    echo_answers = not _is_terminal(sys.stdin)  # a terminal shows typed answers; a pipe does not
    print('Interview: answer each question on one line ("done" plans with what is known).', file=stdout)
    history: list[ChatTurn] = []
    answer, closings = idea, 0  # closings: "done"s the CLI sent itself (end of input, too many questions)
    while True:
        print(file=stdout)
        if offline:
            check_offline_input(history, answer)
        echo = InterviewEcho(stdout)
        stage_input = InterviewInput(history=history, user_input=answer)
        reply = asyncio.run(generate(STAGE, stage, stage_input, echo)).value
        echo.finish(reply.reply)
        if reply.brief is not None:
            print(file=stdout)
            return reply.brief
        history += [ChatTurn(role="user", content=answer), ChatTurn(role="assistant", content=reply.reply)]
        if closings >= len(CLOSING_ANSWERS):
            raise DevussyError(
                "the interview engine kept asking questions after being told to finish; "
                "answer them in a terminal, or run without --interview",
                code="provider_bad_response",
            )
        typed = None
        if closings:
            pass  # input has ended: insist, once
        elif len(history) // 2 > MAX_QUESTIONS:
            print(f"> {FINISH_ANSWER} ({MAX_QUESTIONS} questions are enough)", file=stdout)
        else:
            typed = read_answer(stdout, echo_answers)
            if typed is None:
                print(FINISH_ANSWER, file=stdout)  # after the "> " prompt: the transcript reads "> done"
        if typed is None:
            answer, closings = CLOSING_ANSWERS[closings], closings + 1
        else:
            answer = typed or "no preference"


def check_offline_input(history: list[ChatTurn], answer: str) -> None:
    """The offline engine's interview limits, as a usage error (exit 2) with the API's 413 message."""
    from devussy.llm.builtin import check_interview_input

    try:
        check_interview_input(history, answer)
    except InputTooLarge as exc:
        raise UsageError(exc.message) from None


NOT_UTF8_ANSWER = "an answer on stdin is not UTF-8 text; send the answers as UTF-8"


def is_utf8_text(text: str) -> bool:
    """False for text holding lone surrogates: bytes that were not UTF-8 (argv, stdin) decode to those."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_answer(stdout: TextIO, echo: bool) -> str | None:
    """One answer line; None at end of input."""
    print("> ", end="", file=stdout, flush=True)
    try:
        line = input()
    except (EOFError, RuntimeError):  # RuntimeError: "input(): lost sys.stdin"
        return None
    except UnicodeDecodeError:
        raise UsageError(NOT_UTF8_ANSWER) from None
    if not is_utf8_text(line):  # bytes that are not UTF-8 arrive as lone surrogates (surrogateescape)
        raise UsageError(NOT_UTF8_ANSWER)
    if echo:
        print(line, file=stdout)
    return line.strip()[:MAX_ANSWER_CHARS]


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


_HELD_TAIL = ("```", "~~~", "<think>", "<thinking>", "<reasoning>")
_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def visible_reply(raw: str) -> str:
    """What of a partly streamed interview answer to show: no reasoning, no ```json brief block.

    A last line that may still become a fence or a reasoning tag is held back until it cannot.
    """
    from devussy.stages.parsing import strip_think

    text = strip_think(raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    fence = _FENCE_LINE.search(text)
    if fence:
        text = text[: fence.start()]
    else:
        start = text.rfind("\n") + 1
        tail = text[start:].lstrip(" \t").lower()
        if tail and any(marker.startswith(tail) for marker in _HELD_TAIL):
            text = text[:start]
    return text.strip()


class InterviewEcho:
    """The interview stage's sink: prints the question as it streams, then whatever parsing kept."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._raw = ""
        self.printed = ""

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()

    async def on_token_async(self, token: str) -> None:
        self._raw += token
        visible = visible_reply(self._raw)
        if len(visible) > len(self.printed) and visible.startswith(self.printed):
            self._write(visible[len(self.printed) :])
            self.printed = visible

    async def on_progress_async(self, event: ProgressEvent) -> None:
        if isinstance(event, RepairRequested):
            note = "(the answer did not parse; asking the engine again)\n"
            self._write(("\n" if self.printed else "") + note)
            self._raw, self.printed = "", ""

    async def on_completion_async(self, text: str) -> None:
        return None

    def finish(self, reply: str) -> None:
        """Print the rest of the parsed reply (all of it if the stream showed something else)."""
        if reply.startswith(self.printed):
            self._write(reply[len(self.printed) :] + "\n")
        else:
            self._write("\n" + reply + "\n")
        self.printed = ""
