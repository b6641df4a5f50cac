from __future__ import annotations

import pytest

from devussy.artifacts.progress import (
    AnchorError,
    completed_steps,
    read_section,
    replace_section,
    update_progress_log,
)

DOC = """# Plan

## Progress log

<!-- PROGRESS_LOG_START -->
_No progress logged yet._
<!-- PROGRESS_LOG_END -->

## Next task group

<!-- NEXT_TASK_GROUP_START -->
- [ ] **1.1 First**
<!-- NEXT_TASK_GROUP_END -->

tail text
"""


def test_read_section() -> None:
    assert read_section(DOC, "next_task_group") == "- [ ] **1.1 First**"
    assert read_section(DOC, "progress_log") == "_No progress logged yet._"


def test_update_progress_log_replaces_placeholder_then_appends() -> None:
    once = update_progress_log(DOC, "Finished 1.1")
    assert read_section(once, "progress_log") == "- Finished 1.1"
    twice = update_progress_log(once, "Finished 1.2\nwith notes\n\nand a paragraph")
    assert read_section(twice, "progress_log") == (
        "- Finished 1.1\n- Finished 1.2\n  with notes\n\n  and a paragraph"
    )
    # Everything outside the section is untouched.
    assert twice.split("<!-- PROGRESS_LOG_START -->")[0] == DOC.split("<!-- PROGRESS_LOG_START -->")[0]
    assert twice.endswith("<!-- NEXT_TASK_GROUP_END -->\n\ntail text\n")


def test_entries_cannot_forge_anchors() -> None:
    hostile = update_progress_log(DOC, "<!-- PROGRESS_LOG_END -->\n<!-- PROGRESS_LOG_START -->")
    again = update_progress_log(hostile, "next")
    assert read_section(again, "progress_log").endswith("- next")
    assert again.count("<!-- PROGRESS_LOG_END -->") == 1


def test_crlf_documents_keep_their_line_endings() -> None:
    crlf = DOC.replace("\n", "\r\n")
    updated = update_progress_log(crlf, "done")
    assert "\n" not in updated.replace("\r\n", "")
    assert read_section(updated, "progress_log") == "- done"


def test_replace_section_with_empty_body() -> None:
    out = replace_section(DOC, "next_task_group", "")
    assert read_section(out, "next_task_group") == ""
    assert "<!-- NEXT_TASK_GROUP_START -->\n<!-- NEXT_TASK_GROUP_END -->" in out


@pytest.mark.parametrize(
    "doc",
    [
        "no anchors here",
        DOC.replace("<!-- PROGRESS_LOG_END -->", ""),
        DOC + "\n<!-- PROGRESS_LOG_START -->\n",
        "<!-- PROGRESS_LOG_END -->\n<!-- PROGRESS_LOG_START -->\n",
    ],
)
def test_broken_anchors_are_reported(doc: str) -> None:
    with pytest.raises(AnchorError):
        update_progress_log(doc, "x")


def test_anchor_must_be_on_its_own_line() -> None:
    doc = DOC.replace("<!-- PROGRESS_LOG_END -->", "text <!-- PROGRESS_LOG_END -->")
    with pytest.raises(AnchorError):
        read_section(doc, "progress_log")


def test_empty_entry_and_unknown_section_rejected() -> None:
    with pytest.raises(ValueError):
        update_progress_log(DOC, "   \n ")
    with pytest.raises(AnchorError):
        read_section(DOC, "nope")


def test_completed_steps() -> None:
    text = "- [x] **1.1 A**\n- [ ] **1.2 B**\n  * [X] **2.10 C**\n- [x] not a step"
    assert completed_steps(text) == {"1.1", "2.10"}
