"""Reading and updating the anchored sections of ``devplan.md``.

``devplan.md`` carries two machine-editable sections, each between a start and an end anchor on a
line of its own::

    <!-- PROGRESS_LOG_START -->
    - Finished 1.1 and 1.2; tests green.
    <!-- PROGRESS_LOG_END -->

An agent (or a later run) edits only what lies between the anchors, so the rest of the file and the
entries already logged survive. Model text can never forge an anchor: the renderer escapes ``<!--``.
"""

from __future__ import annotations

import re

from devussy.artifacts.escape import block

ANCHORS: dict[str, tuple[str, str]] = {
    "progress_log": ("<!-- PROGRESS_LOG_START -->", "<!-- PROGRESS_LOG_END -->"),
    "next_task_group": ("<!-- NEXT_TASK_GROUP_START -->", "<!-- NEXT_TASK_GROUP_END -->"),
}
EMPTY_PROGRESS_LOG = "_No progress logged yet._"

_CHECKED_STEP = re.compile(r"^\s*[-*+] \[[xX]\] \*\*([1-9]\d*\.[1-9]\d*)\b", re.MULTILINE)


class AnchorError(ValueError):
    """The document does not hold exactly one well-ordered pair of the anchors asked for."""


def _anchor_lines(markdown: str, anchor: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"^[ \t]*{re.escape(anchor)}[ \t]*(?=\r?$)", markdown, re.MULTILINE))


def _body_span(markdown: str, section: str) -> tuple[int, int]:
    try:
        start_anchor, end_anchor = ANCHORS[section]
    except KeyError:
        raise AnchorError(f"unknown section {section!r}; known: {', '.join(ANCHORS)}") from None
    starts, ends = _anchor_lines(markdown, start_anchor), _anchor_lines(markdown, end_anchor)
    if len(starts) != 1 or len(ends) != 1:
        raise AnchorError(
            f"expected exactly one {start_anchor} line and one {end_anchor} line, "
            f"found {len(starts)} and {len(ends)}"
        )
    if ends[0].start() < starts[0].end():
        raise AnchorError(f"{end_anchor} comes before {start_anchor}")
    return starts[0].end(), ends[0].start()


def _newline(markdown: str) -> str:
    return "\r\n" if "\r\n" in markdown else "\n"


def read_section(markdown: str, section: str) -> str:
    """The text between a section's anchors, without the surrounding line breaks."""
    start, end = _body_span(markdown, section)
    return markdown[start:end].strip("\r\n")


def replace_section(markdown: str, section: str, body: str) -> str:
    """``markdown`` with the text between a section's anchors replaced by ``body``."""
    start, end = _body_span(markdown, section)
    newline = _newline(markdown)
    body = body.replace("\r\n", "\n").strip("\n").replace("\n", newline)
    middle = f"{newline}{body}{newline}" if body else newline
    return markdown[:start] + middle + markdown[end:]


def format_progress_entry(entry: str) -> str:
    """A log entry as a markdown bullet; later lines are indented under it."""
    text = block(entry)
    if not text.strip():
        raise ValueError("a progress entry cannot be empty")
    first, *rest = text.split("\n")
    return "\n".join([f"- {first}", *(f"  {line}" if line else "" for line in rest)])


def update_progress_log(devplan_md: str, entry: str) -> str:
    """Append one entry to the progress log, keeping every entry already there."""
    current = read_section(devplan_md, "progress_log").replace("\r\n", "\n")
    kept = "\n".join(line for line in current.split("\n") if line.strip() != EMPTY_PROGRESS_LOG).strip("\n")
    formatted = format_progress_entry(entry)
    return replace_section(devplan_md, "progress_log", f"{kept}\n{formatted}" if kept else formatted)


def completed_steps(markdown: str) -> set[str]:
    """Ids of the steps ticked off (``- [x] **2.3 ...``) in a phase file or the devplan."""
    return set(_CHECKED_STEP.findall(markdown))
