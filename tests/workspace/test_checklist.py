from __future__ import annotations

import pytest

from devussy.workspace.checklist import add_note, parse_phase_file, set_blocked, set_done

PHASE = """# Phase 2: Search

**Depends on:** Phase 1: Foundation ([phase1.md](phase1.md))

## Steps

- [x] **2.1 Index ingredients**
  - used a GIN index
  - benchmarked: 4 ms
- [X] **2.2 Search endpoint**
- [ ] **2.3 Search page** — **Blocked:** waiting for the design
* [ ] **2.4 Autocomplete \\*beta\\***

A paragraph somebody wrote.

## Step details

### 2.1 Index ingredients

Details.

```bash
- [x] **2.3 not a checkbox: inside a code block**
```

**Depends on:** none

### 2.2 Search endpoint

**Covers:** R1, R3

**Depends on:** 2.1

### 2.3 Search page

**Depends on:** 2.1, 2.2
"""


def test_reads_ticks_blocks_notes_and_titles() -> None:
    parsed = parse_phase_file(PHASE)
    items = parsed.items
    assert [items[s].done for s in ("2.1", "2.2", "2.3", "2.4")] == [True, True, False, False]
    assert items["2.1"].notes == ["used a GIN index", "benchmarked: 4 ms"]
    assert items["2.3"].blocked_reason == "waiting for the design"
    assert items["2.4"].title == "Autocomplete *beta*"
    assert items["2.2"].blocked_reason is None and items["2.2"].notes == []


def test_reads_dependencies_and_covers_from_the_step_sections_and_header() -> None:
    parsed = parse_phase_file(PHASE)
    assert parsed.depends_on == [1]
    assert parsed.sections["2.1"].depends_on == []
    assert parsed.sections["2.2"].depends_on == ["2.1"]
    assert parsed.sections["2.2"].covers == ["R1", "R3"]
    assert parsed.sections["2.3"].depends_on == ["2.1", "2.2"]
    assert parsed.sections["2.1"].covers is None  # absent: plan.json decides
    assert parsed.sections["2.2"].markdown.startswith("### 2.2 Search endpoint")


def test_a_phase_without_dependencies_says_none() -> None:
    assert parse_phase_file("# Phase 1\n\n**Depends on:** none\n\n## Steps\n").depends_on == []
    assert parse_phase_file("# Phase 1\n\n## Steps\n").depends_on is None


def test_lines_in_code_blocks_are_not_checklist_items() -> None:
    text = "```\n- [x] **2.9 fake**\n```\n- [ ] **2.1 Real**\n"
    assert list(parse_phase_file(text).items) == ["2.1"]


def test_a_step_listed_twice_counts_as_done_when_either_line_is_ticked() -> None:
    parsed = parse_phase_file("- [ ] **2.1 A**\n- [x] **2.1 A**\n")
    assert parsed.items["2.1"].done


def test_set_done_changes_only_the_box_and_keeps_crlf() -> None:
    text = PHASE.replace("\n", "\r\n")
    ticked = set_done(text, "2.3", True)
    before, after = text.split("\r\n"), ticked.split("\r\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[i] for i in changed] == ["- [x] **2.3 Search page**"]  # the block marker goes too
    assert "\n" not in ticked.replace("\r\n", "")
    assert parse_phase_file(set_done(ticked, "2.3", False)).items["2.3"].done is False


def test_set_done_leaves_the_code_block_copy_alone() -> None:
    ticked = set_done(PHASE, "2.3", True)
    assert "- [x] **2.3 not a checkbox: inside a code block**" in ticked


def test_block_marker_round_trips_and_is_escaped() -> None:
    blocked = set_blocked(PHASE, "2.4", "needs <script> and *emphasis*")
    line = next(line for line in blocked.splitlines() if "2.4" in line)
    assert line == "* [ ] **2.4 Autocomplete \\*beta\\*** — **Blocked:** needs &lt;script> and \\*emphasis\\*"
    assert parse_phase_file(blocked).items["2.4"].blocked_reason == "needs &lt;script> and *emphasis*"
    replaced = set_blocked(blocked, "2.4", "other reason")
    assert parse_phase_file(replaced).items["2.4"].blocked_reason == "other reason"
    assert set_blocked(replaced, "2.4", None) == PHASE


def test_hand_written_block_markers_are_read() -> None:
    parsed = parse_phase_file("- [ ] **1.1 A** -- **blocked**: no keys\n- [ ] **1.2 B** **Blocked:**\n")
    assert parsed.items["1.1"].blocked_reason == "no keys"
    assert parsed.items["1.2"].blocked_reason == "no reason given"


def test_add_note_goes_after_the_existing_notes() -> None:
    noted = add_note(PHASE, "2.1", "2026-05-04 10:12: done with Postgres 16")
    lines = noted.splitlines()
    at = lines.index("- [x] **2.1 Index ingredients**")
    assert lines[at + 1 : at + 5] == [
        "  - used a GIN index",
        "  - benchmarked: 4 ms",
        "  - 2026-05-04 10:12: done with Postgres 16",
        "- [X] **2.2 Search endpoint**",
    ]
    assert parse_phase_file(noted).items["2.1"].notes[-1] == "2026-05-04 10:12: done with Postgres 16"


def test_add_note_to_a_step_without_notes_in_a_crlf_file_without_final_newline() -> None:
    text = "- [ ] **1.1 A**\r\n- [ ] **1.2 B**"
    assert add_note(text, "1.2", "n") == "- [ ] **1.1 A**\r\n- [ ] **1.2 B**\r\n  - n\r\n"


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: set_done(text, "9.9", True),
        lambda text: set_blocked(text, "9.9", "x"),
        lambda text: add_note(text, "9.9", "x"),
    ],
)
def test_editing_an_unknown_step_raises_key_error(edit: object) -> None:
    with pytest.raises(KeyError):
        edit(PHASE)  # type: ignore[operator]
