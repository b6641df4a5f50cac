"""Generic cleanup of model output and small markdown helpers shared by the stage parsers.

Real models wrap answers in code fences, prepend ``<think>`` blocks, use CRLF, bold "headings",
assorted dashes and numbering styles. Everything here turns that into plain lines the stage
parsers can read; none of it knows about a particular stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from devussy import validation


class FormatError(ValueError):
    """The text does not have the structure a stage asked for. ``errors`` are short, quotable lines."""

    def __init__(self, errors: str | Iterable[str]) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


def error_lines(exc: Exception) -> list[str]:
    """Human-readable, quotable lines for a parse or validation failure."""
    if isinstance(exc, FormatError):
        return exc.errors
    if isinstance(exc, ValidationError):
        return validation.error_lines(exc)
    return [str(exc) or type(exc).__name__]


# ----------------------------------------------------------------------------- cleanup

_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(think|thinking|reasoning)>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)\s*$")
_MARKDOWN_LANGS = {"markdown", "md", "mdx"}  # a fence with these anywhere wraps structure, not code
_WRAPPER_LANGS = _MARKDOWN_LANGS | {"", "text", "txt", "plaintext"}  # ok around the whole answer


def strip_think(text: str) -> str:
    """Drop reasoning blocks, including one whose opening tag was part of the prompt template
    (output starts mid-thought and only has ``</think>``) and one still open at the end."""
    text = _THINK_BLOCK.sub("", text)
    close = _THINK_CLOSE.search(text)
    if close and not _THINK_OPEN.search(text, 0, close.start()):
        text = text[close.end() :]
    opened = _THINK_OPEN.search(text)
    if opened:
        text = text[: opened.start()]
    return text


def unwrap_fences(text: str) -> str:
    """Remove fences that wrap markdown (```markdown … ```), or one fence around the whole answer.

    Fences around code inside the answer (```bash, ```python) are kept.
    """
    lines = text.split("\n")
    stripped = [line for line in lines if line.strip()]
    if len(stripped) >= 2:
        first, last = _FENCE.match(stripped[0]), _FENCE.match(stripped[-1])
        if first and last and not last.group(2) and first.group(1)[0] == last.group(1)[0]:
            start = lines.index(stripped[0])
            end = len(lines) - 1 - lines[::-1].index(stripped[-1])
            if first.group(2).lower() in _WRAPPER_LANGS and _is_single_outer_block(lines[start : end + 1]):
                lines = lines[start + 1 : end]
    out: list[str] = []
    in_code = False
    in_markdown_fence = False
    for line in lines:
        match = _FENCE.match(line)
        if match:
            lang = match.group(2).lower()
            if not in_code and not in_markdown_fence and lang in _MARKDOWN_LANGS:
                in_markdown_fence = True
                continue
            if in_markdown_fence and not in_code and not lang:
                in_markdown_fence = False
                continue
            if not in_code:
                in_code = True
            elif not lang:
                in_code = False
        out.append(line)
    return "\n".join(out)


def _is_single_outer_block(lines: list[str]) -> bool:
    """True when the first fence's partner is the last line (so it really wraps everything).

    Inner fences come in pairs: an opening fence has a language or follows a closed one.
    """
    depth = 0
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if not match:
            continue
        if index == 0:
            depth = 1
            continue
        if index == len(lines) - 1:
            return depth == 1
        if match.group(2):  # ```bash opens an inner block
            depth += 1
        elif depth > 1:
            depth -= 1
        else:
            return False  # a bare fence closed the outer block before the end
    return False


def clean_output(text: str, *, drop_chatter: bool = True) -> str:
    """Normalise line endings, drop reasoning blocks and wrapping fences, trim.

    With ``drop_chatter``, an opening "Sure, here is the plan:" paragraph and a closing
    "Let me know if…" paragraph are dropped too (not for the interview, where prose is the answer).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unwrap_fences(strip_think(text)).strip()
    return drop_chatter_paragraphs(text) if drop_chatter else text


_OPENING_CHATTER = re.compile(
    r"^(sure|certainly|of course|okay|ok|great|absolutely|alright|here(?:'s| is| are))\b[^\n]*$",
    re.IGNORECASE,
)
_CLOSING_CHATTER = re.compile(
    r"^(let me know|i hope|hope this|feel free|if you(?:'d| would)? like|would you like|happy to)\b",
    re.IGNORECASE,
)


def drop_chatter_paragraphs(text: str) -> str:
    first = re.search(r"\n[ \t]*\n", text)
    if (
        first
        and _OPENING_CHATTER.match(text[: first.start()].strip())
        and "\n" not in text[: first.start()].strip()
    ):
        text = text[first.end() :].lstrip("\n")
    while True:
        breaks = list(re.finditer(r"\n[ \t]*\n", text))
        if not breaks:
            return text.strip()
        last = text[breaks[-1].end() :].strip()
        if _CLOSING_CHATTER.match(last) or re.fullmatch(r"([-*_])\1{2,}", last):
            text = text[: breaks[-1].start()].rstrip()
        else:
            return text.strip()


# ----------------------------------------------------------------------------- lines

DASH_CLASS = r"\-–—―‒−"  # for use inside [...]
# What models put between a number and a title: "3:", "3.", "3)", "3 —".
SEPARATOR_CLASS = rf"[:.){DASH_CLASS}]"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BOLD_LINE = re.compile(r"^\s*([*_]{2})(.+?)\1\s*:?\s*$")


def strip_emphasis(text: str) -> str:
    """``**Phase 1 – Setup**`` → ``Phase 1 – Setup``; ``**2.3** Title`` → ``2.3 Title``."""
    text = text.strip()
    for _ in range(3):
        new = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
        new = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", new)
        if new == text:
            break
        text = new
    return text.strip()


@dataclass(frozen=True)
class HeadingLike:
    text: str  # without #, emphasis, and trailing colon
    level: int  # 1-6 for '#' headings, 7 for a bold line, 8 for a plain line
    styled: bool  # '#' heading or whole-line bold


def tidy_title(text: str) -> str:
    """A heading's title without emphasis markers or a trailing colon."""
    return strip_emphasis(text).strip().rstrip(":").strip()


def heading_like(line: str) -> HeadingLike:
    """Describe a line as a possible heading, whatever style the model used."""
    heading = _HEADING.match(line)
    if heading:
        return HeadingLike(_tidy_heading(heading.group(2)), len(heading.group(1)), True)
    bold = _BOLD_LINE.match(line)
    if bold and "**" not in bold.group(2):
        return HeadingLike(_tidy_heading(bold.group(2)), 7, True)
    return HeadingLike(_tidy_heading(line), 8, False)


def _tidy_heading(text: str) -> str:
    text = strip_emphasis(text).strip()
    return text.rstrip(":").strip()


def heading_key(text: str) -> str:
    """Lower-case words only; used to match section names like 'Tech Stack' / 'technology-stack'."""
    text = re.sub(r"^\d+[.)]\s*", "", text.strip())
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def styled_mentions(lines: Iterable[str], pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    """Lines outside code blocks styled like a heading (``#``, whole-line bold, or a list item that
    starts in bold) whose text matches ``pattern``: what a parser must have read as a heading, so
    that nothing styled as one is ever dropped without an error."""
    found = []
    in_code = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code or not line.strip():
            continue
        bare = re.sub(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?=\*\*|__)", "", line)
        shape = heading_like(bare)
        styled = shape.styled or bool(re.match(r"^\s*(\*\*|__)", bare))
        match = pattern.match(strip_emphasis(shape.text if shape.styled else bare).strip())
        if styled and match:
            found.append((line, match))
    return found


# ----------------------------------------------------------------------------- lists

_BULLET = re.compile(r"^(\s*)(?:[-*+•●▪‣◦]|\d+[.)]|[a-zA-Z][.)](?=\s))\s+(.*)$")


def parse_bullets(text: str, *, fold_children: bool = False) -> list[str]:
    """Items of a markdown list; nested items are flattened, wrapped lines joined.

    A parent item that only introduces nested ones (``- Backend:``) is dropped. With
    ``fold_children``, the nested items of any other parent are folded into it (``FastAPI — why:
    async; risk: young``) instead of becoming items of their own. Headings and whole-line bold
    labels between items (``### Backend``) group items; they are never glued to the item before
    them. Without any list markers, each non-empty line is an item, and a single line is split on
    commas/semicolons. A markdown table gives one item per row (``API: FastAPI``), its header aside.
    """
    table = table_rows(text)
    if table is not None:
        return [": ".join(cells) if len(cells) == 2 else " — ".join(cells) for cells in table if cells]
    items: list[tuple[int, str]] = []
    loose: list[str] = []
    after_label = False
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        match = _BULLET.match(raw)
        if match:
            items.append((len(match.group(1).expandtabs(4)), match.group(2).strip()))
            after_label = False
        elif heading_like(raw).styled:
            loose.append(raw.strip())
            after_label = True
        elif items and not after_label:
            indent, current = items[-1]
            items[-1] = (indent, f"{current} {raw.strip()}")
        else:
            loose.append(raw.strip())
    if not items:
        if len(loose) == 1 and re.search(r"[,;]", loose[0]):
            return [part.strip() for part in re.split(r"[,;]", loose[0]) if part.strip()]
        return [strip_emphasis(line) if _BOLD_LINE.match(line) else line for line in loose]
    if fold_children:
        items = _fold_children(items)
    result = []
    for index, (indent, item) in enumerate(items):
        has_children = index + 1 < len(items) and items[index + 1][0] > indent
        if has_children and item.rstrip("*_ ").endswith(":"):
            continue
        if item:
            result.append(_plain_label(item))
    return result


def table_rows(text: str) -> list[list[str]] | None:
    """The body rows of a markdown table (non-empty cells, emphasis removed), or None if ``text`` is
    not one. The header row is the one above the ``|---|---|`` line."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or not all(line.startswith("|") for line in lines):
        return None
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    separator = [all(re.fullmatch(r":?-{2,}:?", cell) for cell in row if cell) for row in rows]
    if len(separator) > 1 and separator[1]:
        rows, separator = rows[2:], separator[2:]
    body = [row for row, is_separator in zip(rows, separator, strict=True) if not is_separator]
    return [[strip_emphasis(cell) for cell in row if cell] for row in body]


def _fold_children(items: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Nested items joined into their parent (``- FastAPI`` + ``- why: async`` → ``FastAPI — why:
    async``), except under a parent that only introduces them (``- Backend:``)."""
    folded: list[tuple[int, str]] = []
    for indent, item in items:
        if folded and indent > folded[-1][0] and not folded[-1][1].rstrip("*_ ").endswith(":"):
            parent_indent, parent = folded[-1]
            joiner = "; " if re.search(rf"\s[{DASH_CLASS}]\s", parent) else " — "
            folded[-1] = (parent_indent, f"{parent}{joiner}{_plain_label(item)}")
        else:
            folded.append((indent, item))
    return folded


def _plain_label(item: str) -> str:
    """'**Backend:** FastAPI' → 'Backend: FastAPI' (a bold lead-in label is just a label)."""
    match = re.match(r"^(\*\*|__)([^*_]+?)(:?)\1(:?)\s+(\S.*)$", item)
    if match and (match.group(3) or match.group(4)):
        return f"{match.group(2)}: {match.group(5)}"
    return item


# ----------------------------------------------------------------------------- labels


def labelled_value(line: str, labels: Iterable[str]) -> str | None:
    """If ``line`` is ``Label: value`` (any emphasis or bullet around it), return ``value``.

    A heading or bold line that is just the label (``#### Acceptance Criteria``) gives ``""``.
    """
    labels = tuple(labels)
    shape = heading_like(line)
    if shape.styled and shape.text.lower() in labels:
        return ""
    candidate = re.sub(r"^\s*(?:[-*+•]\s+|>\s*|#{1,6}\s+)?", "", line)
    candidate = candidate.replace("**", "").replace("__", "")
    for label in labels:
        match = re.match(
            rf"^\s*[*_]?{label}[*_]?\s*(?::|[{DASH_CLASS}](?=\s))[*_]?\s*(.*)$", candidate, re.IGNORECASE
        )
        if match:
            return match.group(1).strip()
    return None


# ----------------------------------------------------------------------------- sections


@dataclass
class Section:
    key: str | None  # which known section this is; None for the text before the first one
    heading: str
    lines: list[str]

    @property
    def body(self) -> str:
        return "\n".join(self.lines).strip()


def match_section(
    line: str,
    aliases: dict[str, tuple[str, ...]],
    label_aliases: dict[str, tuple[str, ...]] | None = None,
) -> tuple[str, str] | None:
    """If ``line`` opens one of the known sections, return ``(key, inline text after the label)``.

    Accepts ``## Tech Stack``, ``**Tech Stack:**``, ``### 3. Technology Stack`` and a plain
    ``Tech stack: Python, FastAPI`` label line (for the names in ``label_aliases``, default all:
    words such as "Dependencies" are too common in prose to open a section without a heading).
    """
    shape = heading_like(line)
    if shape.styled:
        key = _alias_for(heading_key(shape.text), aliases, exact=False)
        if key:
            return key, ""
    label = re.match(
        r"^(?:#{1,6}\s+)?[*_]{0,2}([A-Za-z][A-Za-z &/-]{1,40}?)[*_]{0,2}\s*:[*_]{0,2}\s*(.*)$", line.strip()
    )
    if label:
        key = _alias_for(heading_key(label.group(1)), label_aliases or aliases, exact=True)
        if key:
            return key, label.group(2).strip()
    return None


def _alias_for(key_text: str, aliases: dict[str, tuple[str, ...]], *, exact: bool) -> str | None:
    if not key_text or len(key_text.split()) > 6:
        return None
    for key, names in aliases.items():
        for name in names:
            if key_text == name:
                return key
            if not exact and key_text.startswith(name + " "):
                return key
    return None


def split_sections(
    text: str,
    aliases: dict[str, tuple[str, ...]],
    label_aliases: dict[str, tuple[str, ...]] | None = None,
) -> list[Section]:
    """Split text at lines that open a known section (outside code blocks)."""
    sections = [Section(None, "", [])]
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
        found = None if in_code else match_section(line, aliases, label_aliases)
        if found:
            key, inline = found
            sections.append(Section(key, line.strip(), [inline] if inline else []))
        else:
            sections[-1].lines.append(line)
    return sections


def strip_title_prefix(title: str, prefixes: Iterable[str]) -> str:
    """'Project Design: Foo' → 'Foo' (one prefix, once)."""
    for prefix in prefixes:
        match = re.match(rf"^\s*{prefix}\s*(?::|[{DASH_CLASS}](?=\s))\s*(.+)$", title, re.IGNORECASE)
        if match:
            return match.group(1).strip()
    return title.strip()


def first_title(lines: list[str], prefixes: Iterable[str] = ()) -> tuple[str | None, list[str]]:
    """The document title in ``lines`` and the lines without it.

    The first ``#`` heading wins (prose may come before it); otherwise a bold first line, or a
    plain first line that starts with one of ``prefixes`` ("Development Plan: X").
    """
    prefixes = tuple(prefixes)
    for index, line in enumerate(lines):
        shape = heading_like(line)
        if shape.styled and shape.level <= 2 and shape.text:
            return shape.text, lines[:index] + lines[index + 1 :]
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        shape = heading_like(line)
        if (shape.styled and shape.text) or (prefixes and strip_title_prefix(line, prefixes) != line.strip()):
            return shape.text, lines[:index] + lines[index + 1 :]
        break
    return None, lines


# ----------------------------------------------------------------------------- requirements

REQUIREMENT_LABELS = (
    "requirements",
    "requirement",
    "covers",
    "addresses",
    "serves",
    "satisfies",
    "traces to",
)
_REQUIREMENT_ID = re.compile(r"(?<![A-Za-z0-9])R\s?-?(\d{1,4})(?!\d)", re.IGNORECASE)


def requirement_ids(value: str) -> list[str]:
    """``"R1, R3 and r12"`` → ``["R1", "R3", "R12"]`` (also ``R-3``, ``[R4]``); order kept, no repeats."""
    ids = [f"R{int(number)}" for number in _REQUIREMENT_ID.findall(value) if int(number) > 0]
    return list(dict.fromkeys(ids))


def requirement_line(line: str) -> list[str] | None:
    """The ids on a ``Requirements: R1, R2`` / ``Covers: R3`` line, or None if it is not one.

    A label followed by no id at all (``Requirements: the app must…``) is prose, not a citation;
    ``Covers: none`` is an explicit empty list.
    """
    value = labelled_value(line, REQUIREMENT_LABELS)
    if value is None or not value:
        return None
    ids = requirement_ids(value)
    if ids:
        return ids
    return [] if re.fullmatch(r"[\s*_]*(none|n/?a|-+|—|–)[\s*_.]*", value, re.IGNORECASE) else None
