from __future__ import annotations

import pytest

from devussy.stages.parsing import (
    clean_output,
    heading_like,
    labelled_value,
    parse_bullets,
    requirement_ids,
    requirement_line,
    strip_emphasis,
    strip_think,
    tidy_title,
    unwrap_fences,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<think>plan\nmore</think>\nAnswer", "\nAnswer"),
        ("reasoning without an opening tag</think>Answer", "Answer"),
        ("Answer<think>still thinking", "Answer"),
        ("<THINKING>x</THINKING>A<reasoning>y</reasoning>B", "AB"),
        ("no tags", "no tags"),
    ],
)
def test_strip_think(raw: str, expected: str) -> None:
    assert strip_think(raw) == expected


def test_whole_answer_fence_is_removed_but_inner_code_kept() -> None:
    text = "```\n# Title\n\n```bash\npytest\n```\n\nEnd\n```"
    assert unwrap_fences(text) == "# Title\n\n```bash\npytest\n```\n\nEnd"


def test_markdown_fence_in_prose_is_unwrapped() -> None:
    text = "Here it is:\n```markdown\n## A\n```python\nx = 1\n```\n```\nBye"
    assert unwrap_fences(text) == "Here it is:\n## A\n```python\nx = 1\n```\nBye"


def test_code_only_answer_keeps_its_fence() -> None:
    text = "```bash\nmake test\n```"
    assert unwrap_fences(text) == text


def test_clean_output_crlf_bom_and_chatter() -> None:
    raw = (
        "\ufeffSure, here is the plan:\r\n\r\n# Plan\r\n\r\nBody\r\n\r\n---\r\n\r\nLet me know if this helps!"
    )
    assert clean_output(raw) == "# Plan\n\nBody"
    assert clean_output(raw, drop_chatter=False).endswith("Let me know if this helps!")


def test_heading_like_styles() -> None:
    assert heading_like("## Tech Stack ##") == heading_like("## Tech Stack")
    assert heading_like("### C#").text == "C#"
    assert heading_like("**Summary:**").styled and heading_like("**Summary:**").text == "Summary"
    plain = heading_like("Just text")
    assert not plain.styled and plain.level == 8


def test_bullets() -> None:
    text = "- one\n  continued\n* **Backend:** FastAPI\n+ three\n1. four\n2) five\n• six"
    assert parse_bullets(text) == ["one continued", "Backend: FastAPI", "three", "four", "five", "six"]
    nested = "- Backend:\n  - Python\n  - FastAPI\n- Frontend: React"
    assert parse_bullets(nested) == ["Python", "FastAPI", "Frontend: React"]
    assert parse_bullets("Python, FastAPI; Redis") == ["Python", "FastAPI", "Redis"]
    assert parse_bullets("Line one\nLine two") == ["Line one", "Line two"]


def test_labelled_value() -> None:
    labels = ("depends on", "dependencies")
    assert labelled_value("Depends on: 1, 2", labels) == "1, 2"
    assert labelled_value("**Depends on:** none", labels) == "none"
    assert labelled_value("*Dependencies:* Phase 1", labels) == "Phase 1"
    assert labelled_value("- Dependencies — Phase 2", labels) == "Phase 2"
    assert labelled_value("#### Dependencies", labels) == ""
    assert labelled_value("It depends on: nothing", labels) is None


def test_strip_emphasis() -> None:
    assert strip_emphasis("**Phase 1 – Setup**") == "Phase 1 – Setup"
    assert strip_emphasis("*a* and __b__") == "a and b"
    assert strip_emphasis("2 * 3 * 4") == "2 * 3 * 4"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("**Set up CI:**", "Set up CI"), ("  *Data model* : ", "Data model"), ("Plain", "Plain"), ("**:**", "")],
)
def test_tidy_title_drops_emphasis_and_a_trailing_colon(raw: str, expected: str) -> None:
    assert tidy_title(raw) == expected


def test_requirement_ids_and_citation_lines() -> None:
    assert requirement_ids("R1, R3 and r12; [R-4] R1") == ["R1", "R3", "R12", "R4"]
    assert requirement_ids("PR12 R0 HR5") == []
    assert requirement_line("Covers: R2, R5") == ["R2", "R5"]
    assert requirement_line("**Requirements:** R1") == ["R1"]
    assert requirement_line("Covers: none") == []
    assert requirement_line("Requirements: the API must answer in 200 ms") is None  # prose, not a citation
    assert requirement_line("Depends on: 2.1") is None


def test_bullets_fold_children_read_tables_and_skip_group_headings() -> None:
    from devussy.stages.parsing import parse_bullets

    nested = (
        "### Backend\n- **FastAPI**\n  - Justification: async\n- Backend:\n  - uvicorn\n### Frontend\n- React"
    )
    folded = ["**FastAPI** — Justification: async", "uvicorn", "React"]
    assert parse_bullets(nested, fold_children=True) == folded
    assert parse_bullets(nested) == ["**FastAPI**", "Justification: async", "uvicorn", "React"]
    table = "| Layer | Technology |\n|---|---|\n| API | FastAPI |\n| Store | **PostgreSQL** |"
    assert parse_bullets(table) == ["API: FastAPI", "Store: PostgreSQL"]


def test_styled_mentions_find_heading_lines_only() -> None:
    import re

    from devussy.stages.parsing import styled_mentions

    lines = ["## Phase 3", "**Phase 4**", "1. **Phase 5: X**", "Phase 6 is later", "```", "## Phase 7", "```"]
    found = [match.group(1) for _, match in styled_mentions(lines, re.compile(r"^phase\s+(\d+)", re.I))]
    assert found == ["3", "4", "5"]  # not prose, not inside a code block
