"""Reading and editing the state a ``phaseN.md`` file holds: its checklist, notes and dependencies.

The checklist is the source of truth for a step's state, whoever edited it::

    - [x] **2.1 Model the core entities**
      - 2026-05-04 10:12: used SQLAlchemy 2 models
    - [ ] **2.2 Versioned schema migrations** — **Blocked:** waiting for database credentials

- a box ticked with ``x`` or ``X`` is done; a ``**Blocked:**`` suffix on an open step's line blocks it;
- lines indented under a step's line are its notes (people add their own; tools add dated bullets);
- ``**Depends on:**`` lines in the phase header and in each ``### 2.3 …`` step section are read, so
  dependencies edited by hand count.

Edits change only the lines they must and keep each line's ending (LF or CRLF). Lines inside fenced
code blocks are never read as checklist items.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from devussy.artifacts.escape import inline

_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)[-*+][ \t]+\[(?P<mark>[ xX])\][ \t]+"
    r"\*\*(?P<id>[1-9]\d*\.[1-9]\d*)\b(?P<title>(?:\\.|[^*\\])*)\*\*(?P<rest>.*)$"
)
_BLOCKED = re.compile(r"[ \t]*(?:[—–]|--?)?[ \t]*\*\*Blocked:?\*\*:?[ \t]*(?P<reason>.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$")
_STEP_HEADING = re.compile(r"^(?P<id>[1-9]\d*\.[1-9]\d*)\b")
_DEPENDS = re.compile(r"^\*\*Depends on:?\*\*:?[ \t]*(?P<value>.*)$", re.IGNORECASE)
_COVERS = re.compile(r"^\*\*Covers:?\*\*:?[ \t]*(?P<value>.*)$", re.IGNORECASE)
_STEP_ID = re.compile(r"\b([1-9]\d*\.[1-9]\d*)\b")
_REQUIREMENT_ID = re.compile(r"\bR([1-9]\d{0,3})\b")
_PHASE_REF = re.compile(r"\bphase[ \t]+([1-9]\d*)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])([1-9]\d*)(?![\d.])")
_NOTE_BULLET = re.compile(r"^[-*+][ \t]+")
_NONE = re.compile(r"^\W*(none|—|-|n/a)?\W*$", re.IGNORECASE)


@dataclass
class ChecklistItem:
    """One ``- [ ] **2.3 Title**`` line (and the first one wins when a step is listed twice)."""

    step_id: str
    title: str
    done: bool
    blocked_reason: str | None
    notes: list[str]
    line: int  # index into the file's lines


@dataclass
class StepSection:
    """What a ``### 2.3 Title`` section says about the step (``None``: the line is absent)."""

    depends_on: list[str] | None = None
    covers: list[str] | None = None
    markdown: str = ""


@dataclass
class PhaseFile:
    items: dict[str, ChecklistItem] = field(default_factory=dict)
    sections: dict[str, StepSection] = field(default_factory=dict)
    depends_on: list[int] | None = None  # from the phase header's **Depends on:** line


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _outside_fences(lines: list[str]) -> Iterator[int]:
    """Indices of the lines that are not inside a fenced code block (fence lines excluded)."""
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            yield index
        elif (
            match
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
            and _body(line).strip() == match.group(1)
        ):
            fence = None


def _indent_width(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _note_lines(lines: list[str], item_line: int, item_indent: int) -> range:
    """The lines indented under an item, up to the first blank or less-indented line."""
    end = item_line + 1
    while end < len(lines):
        text = _body(lines[end])
        if not text.strip() or _indent_width(text) <= item_indent or _ITEM.match(text):
            break
        end += 1
    return range(item_line + 1, end)


def parse_phase_file(text: str) -> PhaseFile:
    lines = text.splitlines(keepends=True)
    parsed = PhaseFile()
    section_id: str | None = None
    section_level = 0
    section_start = 0
    past_header = False  # the phase's own **Depends on:** line comes before its ## Steps

    def close_section(end: int) -> None:
        if section_id is not None and section_id in parsed.sections:
            parsed.sections[section_id].markdown = "".join(lines[section_start:end]).strip()

    visible = list(_outside_fences(lines))
    for index in visible:
        text_line = _body(lines[index])
        heading = _HEADING.match(text_line)
        if heading:
            level = len(heading["level"])
            if section_id is not None and level <= section_level:
                close_section(index)
                section_id = None
            step = _STEP_HEADING.match(heading["text"])
            if step and level >= 2:
                section_id, section_level, section_start = step["id"], level, index
                parsed.sections.setdefault(section_id, StepSection())
            past_header = past_header or heading["text"].lower().startswith(("steps", "step details"))
            continue
        item = _ITEM.match(text_line)
        if item:
            _add_item(parsed, lines, index, item)
            continue
        stripped = text_line.strip()
        depends = _DEPENDS.match(stripped)
        if depends and section_id is not None:
            parsed.sections[section_id].depends_on = _ids(depends["value"], _STEP_ID)
        elif depends and not past_header and parsed.depends_on is None:
            parsed.depends_on = _phase_numbers(depends["value"])
        covers = _COVERS.match(stripped)
        if covers and section_id is not None:
            parsed.sections[section_id].covers = [f"R{n}" for n in _REQUIREMENT_ID.findall(covers["value"])]
    close_section(len(lines))
    return parsed


def _add_item(parsed: PhaseFile, lines: list[str], index: int, match: re.Match[str]) -> None:
    step_id = match["id"]
    rest = match["rest"]
    blocked = _BLOCKED.search(rest)
    indent = _indent_width(match["indent"])
    notes = [_NOTE_BULLET.sub("", _body(lines[i]).strip()) for i in _note_lines(lines, index, indent)]
    done = match["mark"] in "xX"
    existing = parsed.items.get(step_id)
    if existing is not None:  # listed twice: ticked in either counts; notes from both
        existing.done = existing.done or done
        existing.notes += notes
        return
    parsed.items[step_id] = ChecklistItem(
        step_id=step_id,
        title=_unescape(match["title"]).strip(),
        done=done,
        blocked_reason=_unescape(blocked["reason"]).strip() or "no reason given" if blocked else None,
        notes=notes,
        line=index,
    )


def _ids(value: str, pattern: re.Pattern[str]) -> list[str]:
    if _NONE.match(value):
        return []
    return list(dict.fromkeys(pattern.findall(value)))


def _phase_numbers(value: str) -> list[int]:
    if _NONE.match(value):
        return []
    found = _PHASE_REF.findall(value) or _NUMBER.findall(value)
    return sorted({int(n) for n in found})


# --------------------------------------------------------------------------- edits


def _item_lines(lines: list[str], step_id: str) -> list[tuple[int, re.Match[str]]]:
    found = []
    for index in _outside_fences(lines):
        match = _ITEM.match(_body(lines[index]))
        if match and match["id"] == step_id:
            found.append((index, match))
    return found


def _ending(line: str, default: str) -> str:
    return line[len(line.rstrip("\r\n")) :] or default


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _rewrite_items(text: str, step_id: str, rewrite: Callable[[re.Match[str]], str]) -> str:
    lines = text.splitlines(keepends=True)
    found = _item_lines(lines, step_id)
    if not found:
        raise KeyError(step_id)
    newline = _newline(text)
    for index, match in found:
        lines[index] = rewrite(match) + _ending(lines[index], newline)
    return "".join(lines)


def _without_block(rest: str) -> str:
    return _BLOCKED.sub("", rest).rstrip()


def set_done(text: str, step_id: str, done: bool) -> str:
    """Tick (or untick) every checklist line of the step; ticking clears a block marker."""
    mark = "x" if done else " "

    def rewrite(match: re.Match[str]) -> str:
        line = _body(match.group(0))
        start, end = match.span("mark")
        line = line[:start] + mark + line[end:]
        if done:
            rest_start = match.start("rest")
            line = line[:rest_start] + _without_block(line[rest_start:])
        return line

    return _rewrite_items(text, step_id, rewrite)


def set_blocked(text: str, step_id: str, reason: str | None) -> str:
    """Add, replace or (``reason=None``) remove the step's ``— **Blocked:** reason`` suffix."""

    def rewrite(match: re.Match[str]) -> str:
        line = _body(match.group(0))
        head, rest = line[: match.start("rest")], _without_block(line[match.start("rest") :])
        suffix = f" — **Blocked:** {inline(reason)}" if reason is not None else ""
        return head + rest + suffix

    return _rewrite_items(text, step_id, rewrite)


def add_note(text: str, step_id: str, note: str, *, verbatim: bool = False) -> str:
    """Append ``note`` as a bullet indented under the step's (first) checklist line, after its notes.

    ``verbatim``: the note is markdown read back from a phase file (moved by a re-plan), not new text.
    """
    lines = text.splitlines(keepends=True)
    found = _item_lines(lines, step_id)
    if not found:
        raise KeyError(step_id)
    index, match = found[0]
    indent = match["indent"]
    span = _note_lines(lines, index, _indent_width(indent))
    last = span[-1] if len(span) else index
    newline = _newline(text)
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    lines.insert(last + 1, f"{indent}  - {note if verbatim else inline(note)}{newline}")
    return "".join(lines)
