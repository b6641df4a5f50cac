from __future__ import annotations

import pytest

from devussy.artifacts import ANCHORS, read_section
from devussy.workspace.anchors import repair_anchors
from tests.workspace.plans import recipe_files

START, END = ANCHORS["progress_log"]
NEXT_START, NEXT_END = ANCHORS["next_task_group"]
LOG = "- 2026-05-01 09:00 — Done 1.1\n- 2026-05-02 09:00 — Done 1.2"


@pytest.fixture
def devplan() -> str:
    text = recipe_files()["devplan.md"]
    return text.replace("_No progress logged yet._", LOG)


def _count(text: str, anchor: str) -> int:
    return sum(line.strip() == anchor for line in text.splitlines())


def test_intact_anchors_are_left_alone(devplan: str) -> None:
    assert repair_anchors(devplan) == (devplan, [])


@pytest.mark.parametrize("deleted", [[START], [END], [START, END]])
def test_deleted_progress_anchors_come_back_around_the_log(devplan: str, deleted: list[str]) -> None:
    edited = "".join(line for line in devplan.splitlines(keepends=True) if line.strip() not in deleted)
    repaired, sections = repair_anchors(edited)
    assert sections == ["progress_log"]
    assert read_section(repaired, "progress_log") == LOG
    assert _count(repaired, START) == _count(repaired, END) == 1
    assert repaired == devplan  # in place: the file is what it was before the edit


def test_a_pasted_second_anchor_is_not_kept(devplan: str) -> None:
    edited = devplan.replace(END, f"{START}\n{END}")
    repaired, sections = repair_anchors(edited)
    assert sections == ["progress_log"]
    assert _count(repaired, START) == 1
    assert repaired == devplan


def test_both_sections_lost_with_their_headings_are_added_back_before_the_next_section() -> None:
    devplan = recipe_files()["devplan.md"]
    start = devplan.index("## Progress log")
    end = devplan.index("## Phase overview")
    edited = devplan[:start] + devplan[end:]
    repaired, sections = repair_anchors(edited)
    assert sections == ["progress_log", "next_task_group"]
    assert (
        repaired.index("## Progress log")
        < repaired.index("## Next task group")
        < repaired.index("## Phase overview")
    )
    assert read_section(repaired, "progress_log") == "_No progress logged yet._"
    assert repair_anchors(repaired) == (repaired, [])


def test_an_emptied_section_gets_its_placeholder(devplan: str) -> None:
    start = devplan.index(NEXT_START)
    end = devplan.index(NEXT_END) + len(NEXT_END) + 1
    repaired, _ = repair_anchors(devplan[:start] + devplan[end:])
    assert read_section(repaired, "next_task_group") == "_Nothing planned yet._"
    assert repaired.index(NEXT_START) > repaired.index("## Next task group")


def test_crlf_files_stay_crlf(devplan: str) -> None:
    crlf = devplan.replace("\n", "\r\n")
    edited = crlf.replace(START + "\r\n", "")
    repaired, _ = repair_anchors(edited)
    assert repaired == crlf
