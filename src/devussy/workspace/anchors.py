"""Putting back the anchors of ``devplan.md``'s progress log and next task group.

People edit ``devplan.md`` by hand and sometimes delete an anchor line (or paste one twice). Before a
tool writes between the anchors, :func:`repair_anchors` restores exactly one well-ordered pair per
section, in place: around the text under the section's heading, so what was logged stays inside and
nothing is duplicated. A section whose heading is gone too is added back before the next section.
"""

from __future__ import annotations

import re

from devussy.artifacts.progress import ANCHORS, EMPTY_PROGRESS_LOG, AnchorError, read_section

HEADINGS = {"progress_log": "Progress log", "next_task_group": "Next task group"}
_PLACEHOLDER = {"progress_log": EMPTY_PROGRESS_LOG, "next_task_group": "_Nothing planned yet._"}
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
# Where a lost section goes back, in order of preference: before the first of these headings.
_FOLLOWERS = {
    "progress_log": ("next task group", "design highlights", "phase overview"),
    "next_task_group": ("design highlights", "phase overview"),
}


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _heading(line: str) -> tuple[int, str] | None:
    match = _HEADING.match(line.rstrip("\r\n"))
    return (len(match[1]), match[2].strip().lower()) if match else None


def anchors_intact(markdown: str, section: str) -> bool:
    try:
        read_section(markdown, section)
    except AnchorError:
        return False
    return True


def repair_anchors(markdown: str) -> tuple[str, list[str]]:
    """``markdown`` with one well-ordered anchor pair per section, and the sections that needed it."""
    repaired = []
    for section in ANCHORS:
        if not anchors_intact(markdown, section):
            markdown = _restore(markdown, section)
            repaired.append(section)
    return markdown, repaired


def _restore(markdown: str, section: str) -> str:
    start, end = ANCHORS[section]
    newline = _newline(markdown)
    lines = [line for line in markdown.splitlines(keepends=True) if line.strip() not in (start, end)]
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    title = HEADINGS[section].lower()
    at = next((i for i, line in enumerate(lines) if (h := _heading(line)) and h[1] == title), None)
    if at is None:
        return "".join(_insert_section(lines, section, newline))
    level = _heading(lines[at])[0]  # type: ignore[index]
    stop = next(
        (i for i in range(at + 1, len(lines)) if (h := _heading(lines[i])) and h[0] <= level), len(lines)
    )
    body = [i for i in range(at + 1, stop) if lines[i].strip()]
    if not body:
        block = [newline, start + newline, _PLACEHOLDER[section] + newline, end + newline]
        if stop < len(lines):
            block.append(newline)
        lines[at + 1 : stop] = block
        return "".join(lines)
    first, last = body[0], body[-1]
    lines.insert(last + 1, end + newline)
    lines.insert(first, start + newline)
    return "".join(lines)


def _insert_section(lines: list[str], section: str, newline: str) -> list[str]:
    start, end = ANCHORS[section]
    block = [
        f"## {HEADINGS[section]}{newline}",
        newline,
        start + newline,
        _PLACEHOLDER[section] + newline,
        end + newline,
        newline,
    ]
    for follower in _FOLLOWERS[section]:
        at = next((i for i, line in enumerate(lines) if (h := _heading(line)) and h[1] == follower), None)
        if at is not None:
            return lines[:at] + block + lines[at:]
    if lines and lines[-1].strip():
        lines.append(newline)
    return lines + block[:-1]
