"""Real-world output variants under ``corpus/<stage>/``: each ``<case>.md`` has a ``<case>.json``
with either ``{"expected": <camelCase model>}`` or ``{"error": "<substring of the error>"}``.
Detail cases may give ``"phase"`` (the plan's phase, as the generator passes it).

Regenerate an expected file after a deliberate parser change with
``python -m tests.stages.test_corpus <case.md>`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devussy.models import DevussyModel, Phase
from devussy.stages.design import parse_design
from devussy.stages.detail import parse_phase_detail
from devussy.stages.handoff import parse_handoff
from devussy.stages.interview import parse_interview
from devussy.stages.plan import parse_plan

CORPUS = Path(__file__).parent / "corpus"


def _parser(stage: str, spec: dict[str, Any]) -> Callable[[str], DevussyModel]:
    if stage == "design":
        return lambda text: parse_design(text, project_name=spec.get("projectName"))
    if stage == "plan":
        return lambda text: parse_plan(
            text, project_name=spec.get("projectName"), summary=spec.get("summary")
        )
    if stage == "detail":
        phase = Phase.model_validate(spec["phase"]) if "phase" in spec else None
        return lambda text: parse_phase_detail(text, phase=phase)
    if stage == "handoff":
        return lambda text: parse_handoff(text, project_name=spec.get("projectName"))
    if stage == "interview":
        return parse_interview
    raise AssertionError(stage)


CASES = sorted(CORPUS.glob("*/*.md"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_corpus_case(case: Path) -> None:
    spec = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    parse = _parser(case.parent.name, spec)
    text = case.read_bytes().decode("utf-8")  # keep CRLF as written
    if "error" in spec:
        with pytest.raises(ValueError, match=spec["error"]):
            parse(text)
    else:
        assert parse(text).to_json_dict() == spec["expected"]


def test_corpus_covers_every_stage_and_has_errors() -> None:
    stages = {case.parent.name for case in CASES}
    assert stages == {"design", "plan", "detail", "handoff", "interview"}
    assert len(CASES) >= 20


def _regenerate(path: Path) -> None:
    spec_path = path.with_suffix(".json")
    spec = json.loads(spec_path.read_text()) if spec_path.exists() else {}
    spec.pop("expected", None)
    if "error" not in spec:
        spec["expected"] = _parser(path.parent.name, spec)(path.read_bytes().decode("utf-8")).to_json_dict()
    spec_path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(spec, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        _regenerate(Path(arg))
