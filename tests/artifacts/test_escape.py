from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from devussy.artifacts.escape import block, cell, code_block, inline


def unescaped_pipes(text: str) -> int:
    return len(re.findall(r"(?<!\\)\|", text))


def test_inline_collapses_lines_and_escapes_html() -> None:
    assert inline("a\nb\r\n  c") == "a b c"
    assert inline("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)>"
    assert inline("<!-- PROGRESS_LOG_END -->") == "&lt;!-- PROGRESS_LOG_END -->"
    assert inline("a < b and c > d") == "a < b and c > d"


def test_inline_escapes_emphasis_but_keeps_intraword_underscores_and_code() -> None:
    assert inline("**bold** data_store") == "\\*\\*bold\\*\\* data_store"
    assert inline("edit __init__.py") == "edit \\_\\_init\\_\\_.py"
    assert inline("run `a*b <c>` now") == "run `a*b <c>` now"
    assert inline("C:\\path") == "C:\\\\path"


def test_code_spans_still_cannot_forge_a_comment() -> None:
    assert "<!--" not in inline("`<!-- PROGRESS_LOG_END -->`")


def test_cell_escapes_pipes_everywhere() -> None:
    assert cell("a | b") == "a \\| b"
    assert cell("`x | y`") == "`x \\| y`"


def test_block_keeps_markdown_and_escapes_html_outside_code() -> None:
    text = "Intro with <script>x</script>\n\n- item **bold**\n\n```html\n<div>kept</div>\n```\nafter <b>"
    out = block(text)
    assert "- item **bold**" in out
    assert "&lt;script>x&lt;/script>" in out
    assert "<div>kept</div>" in out
    assert out.endswith("after &lt;b>")


def test_block_closes_an_open_fence_and_normalises_newlines() -> None:
    out = block("text\r\n```python\nprint(1)\r\n")
    assert out == "text\n```python\nprint(1)\n```"
    assert block("~~~\n```\nstill code\n~~~") == "~~~\n```\nstill code\n~~~"


def test_block_neutralises_comments_inside_code() -> None:
    out = block("```\n<!-- PROGRESS_LOG_START -->\n```")
    assert "<!--" not in out


def test_code_block_fence_outgrows_backticks_in_content() -> None:
    out = code_block("echo ```x```", "bash")
    assert out.startswith("````bash\n") and out.endswith("\n````")


@given(st.text(max_size=80))
def test_no_text_can_forge_a_comment_break_a_cell_or_span_lines(text: str) -> None:
    for out in (inline(text), cell(text), block(text)):
        assert "<!--" not in out
    assert unescaped_pipes(cell(text)) == 0
    assert "\n" not in inline(text)


@given(st.text(max_size=80).map(lambda t: t.replace("`", "").replace("~", "")))
def test_without_code_no_raw_tag_survives(text: str) -> None:
    for out in (inline(text), cell(text), block(text)):
        assert not re.search(r"<[A-Za-z/!?]", out)
