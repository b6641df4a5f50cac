"""Making model text safe to drop into generated markdown.

Model output is untrusted: a title can hold a table pipe, an HTML tag or a copy of one of our
progress anchors. Three helpers cover the three places text lands:

- :func:`inline` for one-line text (titles, list items, headings);
- :func:`cell` for a table cell (``inline`` plus escaped pipes);
- :func:`block` for multi-line markdown the model wrote on purpose (summaries, step details),
  which keeps its formatting but cannot open raw HTML, forge an anchor or leave a code fence open.

Code spans and fenced code keep their text verbatim, except that ``<!--`` is always neutralised
so no model text can ever produce an anchor line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_EMPHASIS = re.compile(r"([\\*\[\]])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _escape_html(text: str) -> str:
    return _TAG_START.sub("&lt;", text)


def _neutralise_comments(text: str) -> str:
    return text.replace("<!--", "&lt;!--")


def _escape_plain(text: str) -> str:
    text = _EMPHASIS.sub(lambda m: "\\" + m.group(0), text)
    return _escape_html(text)


def _outside_code_spans(text: str, escape: Callable[[str], str]) -> str:
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(_neutralise_comments(match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def inline(text: str) -> str:
    """One line of text: whitespace collapsed, emphasis markers and HTML escaped, code spans kept."""
    flat = " ".join(text.split())
    return _outside_code_spans(flat, _escape_plain)


def cell(text: str) -> str:
    """Text for a GFM table cell. Pipes are escaped even inside code spans, as GFM requires."""
    return inline(text).replace("|", "\\|")


def block(text: str) -> str:
    """Multi-line markdown written by a model, made safe to embed.

    Keeps lists, emphasis, links and code; escapes raw HTML outside code; neutralises ``<!--``
    everywhere; closes a code fence the model left open so it cannot swallow the rest of the file.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                out.append(_neutralise_comments(line))
            else:
                out.append(_outside_code_spans(line, _escape_html))
        else:
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and line.strip() == match.group(1)
            ):
                fence = None
            out.append(_neutralise_comments(line))
    if fence is not None:
        out.append(fence)
    return "\n".join(out).rstrip()


def code_block(text: str, language: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{_neutralise_comments(text.strip())}\n{fence}"
