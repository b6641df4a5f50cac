"""The tolerance corpus (``tests/pipeline/tolerance/``): every recorded or written answer ends as the
case expects (parsed, repaired, recovered with JSON, or one clear error), and no phase or step an
accepted answer announces is missing from the result."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.pipeline.tolerance import OUTCOMES, Case, check_expectations, load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_case_ends_as_expected(case: Case) -> None:
    outcome = await run_case(case)
    assert check_expectations(case, outcome) == []
    assert outcome.lost == []  # nothing an accepted answer announces is dropped


def test_the_corpus_is_large_and_covers_every_outcome_and_stage() -> None:
    assert len(CASES) >= 40
    outcomes = Counter(case.expect["outcome"] for case in CASES)
    assert set(outcomes) == set(OUTCOMES)
    assert {case.stage_dir for case in CASES} == {"design", "plan", "detail", "handoff"}
    assert any(b"\r\n" in case.answers[0].encode() for case in CASES)  # CRLF kept as written
    assert any(case.expect.get("truncated") for case in CASES)


async def test_the_lost_check_catches_a_dropped_phase() -> None:
    """The corpus check itself can fail: a result without a phase the answer announces is reported."""
    from devussy.stages.plan import parse_plan
    from tests.pipeline.tolerance import lost

    text = "## Phase 1: A\n\nDo A.\n\n## Phase 2: B\n\nDo B.\n"
    plan = parse_plan(text, project_name="P", summary="S")
    dropped = plan.model_copy(update={"phases": plan.phases[:1]})
    assert lost(dropped, text) == ["phase 2"]
