from __future__ import annotations

from devussy.pipeline.complexity import assess_complexity
from devussy.pipeline.project_design import ProjectDesignGenerator, parse_risks, render_design
from devussy.streaming import CollectingStreamingHandler
from tests.pipeline import samples
from tests.pipeline.scripted import ScriptedProvider


async def test_design_carries_brief_and_complexity_and_brief_name() -> None:
    text = render_design(samples.design("Some Other Name"))
    provider = ScriptedProvider(lambda request: text)
    result = await ProjectDesignGenerator(provider.settings()).generate(
        samples.BRIEF, CollectingStreamingHandler()
    )
    complexity = assess_complexity(samples.BRIEF)
    assert result.value.brief == samples.BRIEF
    assert result.value.complexity == complexity
    assert result.value.project_name == samples.BRIEF.name
    request = provider.requests[0]
    assert request.messages[0].content.startswith("Devussy stage: design")
    assert request.task is not None and request.task.stage == "design"
    assert request.task.payload == {
        "brief": samples.BRIEF.to_json_dict(),
        "complexity": complexity.to_json_dict(),
    }
    assert f"about {complexity.phase_count} phases" in request.messages[1].content


def test_risk_styles() -> None:
    text = "\n".join(
        [
            "- Outage — Mitigation: run two replicas",
            "- **Risk:** Key leak. **Mitigation:** store keys in a vault",
            "- Vendor lock-in (mitigation: keep an adapter layer)",
            "- Slow queries -> add indexes",
            "- Risk: Data loss",
            "  - Mitigation: backups",
        ]
    )
    risks = [(r.risk, r.mitigation) for r in parse_risks(text)]
    assert risks == [
        ("Outage", "run two replicas"),
        ("Key leak", "store keys in a vault"),
        ("Vendor lock-in", "keep an adapter layer"),
        ("Slow queries", "add indexes"),
        ("Data loss", "backups"),
    ]
