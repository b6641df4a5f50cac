from __future__ import annotations

from devussy.workspace import Snapshot, workspace_status
from devussy.workspace.checklist import set_blocked
from devussy.workspace.handoff import render_living_handoff, still_true
from tests.workspace.plans import tick


def _handoff(files: dict[str, str]) -> str:
    snapshot = Snapshot.from_files(files)
    return render_living_handoff(snapshot, workspace_status(snapshot))


def test_still_true_drops_the_sections_about_where_to_start() -> None:
    prompt = (
        "# Handoff: X\n\nIntro.\n\n## Start here\n\nDo 1.1.\n\n### Details\n\nmore on 1.1\n\n"
        "## How to work\n\n```md\n## Start here (inside a code block)\n```\n\n"
        "## Next steps\n\nstale\n\n## Risks\n\n- r"
    )
    title, lead, rest = still_true(prompt)
    assert (title, lead) == ("# Handoff: X", "Intro.")
    assert rest == "## How to work\n\n```md\n## Start here (inside a code block)\n```\n\n## Risks\n\n- r"


def test_the_handoff_points_at_the_next_slice_and_keeps_what_is_still_true(files: dict[str, str]) -> None:
    text = _handoff(tick(files, "1.1"))
    assert text.startswith(
        "# Handoff: Recipe Box\n\n**Start at:** Phase 1, step 1.2 ([phase1.md](phase1.md))\n\n"
        "You are picking up a planned project.\n\n## Where things stand\n\n1 of 8 steps done."
    )
    assert "### 1.2 Add CI\n\nDetails of 1.2.\n\n**Done when:**\n\n- 1.2 works" in text
    assert "```bash\npytest -k s1_2\n```" in text
    assert "Begin with step 1.1" not in text and "## Start here" not in text
    assert "## How to work\n\n- One commit per step." in text
    assert "- **R4** (quality): Pages load in under a second (no step covers it)" in text


def test_the_handoff_names_what_is_blocked(files: dict[str, str]) -> None:
    files = tick(files, "1.1", "1.2", "1.3")
    files["phase3.md"] = set_blocked(files["phase3.md"], "3.1", "no Stripe account yet")
    text = _handoff(files)
    assert "## Blocked\n\n- **3.1 Stripe client** ([phase3.md](phase3.md)): no Stripe account yet" in text
    assert "Waiting on a blocked step: 3.2." in text


def test_the_same_state_gives_the_same_file(files: dict[str, str]) -> None:
    assert _handoff(files) == _handoff(dict(files))


def test_a_plan_without_a_handoff_gets_one(files: dict[str, str]) -> None:
    import json

    document = json.loads(files["plan.json"])
    document["handoff"] = None
    text = _handoff(dict(files, **{"plan.json": json.dumps(document)}))
    assert text.startswith("# Handoff — Recipe Box\n\n**Start at:** Phase 1, step 1.1")
