"""Fake pipeline stages: stand-ins for devussy.pipeline.* so the web layer is tested on its own."""

from __future__ import annotations

import asyncio
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.llm.base import Capabilities
from devussy.models import InterviewReply, ModelConfig, Usage
from devussy.pipeline.base import StageResult
from tests.web import samples

MODULES = {
    "interview": ("devussy.pipeline.interview", "InterviewGenerator"),
    "design": ("devussy.pipeline.project_design", "ProjectDesignGenerator"),
    "basic_plan": ("devussy.pipeline.basic_devplan", "BasicDevPlanGenerator"),
    "phase_detail": ("devussy.pipeline.detailed_devplan", "DetailedDevPlanGenerator"),
    "handoff": ("devussy.pipeline.handoff_prompt", "HandoffPromptGenerator"),
}


@dataclass
class FakeStages:
    tokens: list[str] = field(default_factory=lambda: ["Hel", "lo ", "wor", "ld"])
    progress: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0  # seconds between tokens
    error: Exception | None = None
    interview_complete: bool = False
    calls: list[tuple[str, Any, tuple[Any, ...]]] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)  # keyword options of each generate call
    emitted: int = 0
    cancelled: asyncio.Event | None = None
    cancelled_flag: bool = False

    def value(self, stage: str, inputs: tuple[Any, ...]) -> Any:
        if stage == "interview":
            return InterviewReply(
                reply="What should it do?", brief=samples.brief() if self.interview_complete else None
            )
        if stage == "design":
            return samples.design()
        if stage == "basic_plan":
            return samples.plan()
        if stage == "phase_detail":
            return samples.phase(inputs[1], steps=2)
        return samples.handoff()

    def generator_class(self, stage: str) -> type:
        stages = self

        class FakeGenerator:
            def __init__(self, settings: Any) -> None:
                self.settings = settings

            async def generate(self, *args: Any, **options: Any) -> StageResult[Any]:
                *inputs, sink = args
                stages.calls.append((stage, self.settings, tuple(inputs)))
                stages.options.append(options)
                try:
                    for event in stages.progress:
                        await sink.on_progress_async(event)
                    for token in stages.tokens:
                        await sink.on_token_async(token)
                        stages.emitted += 1
                        if stages.delay:
                            await asyncio.sleep(stages.delay)
                except asyncio.CancelledError:
                    stages.cancelled_flag = True
                    raise
                if stages.error is not None:
                    raise stages.error
                text = "".join(stages.tokens)
                await sink.on_completion_async(text)
                usage = Usage(prompt_tokens=3, completion_tokens=len(stages.tokens))
                return StageResult(value=stages.value(stage, tuple(inputs)), text=text, usage=usage)

        return FakeGenerator

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeStages:
        for stage, (module_name, class_name) in MODULES.items():
            module = types.ModuleType(module_name)
            setattr(module, class_name, self.generator_class(stage))
            monkeypatch.setitem(sys.modules, module_name, module)
        settings_module = types.ModuleType("devussy.pipeline.settings")
        settings_module.stage_settings = fake_stage_settings  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "devussy.pipeline.settings", settings_module)
        return self


def fake_stage_settings(settings: Settings, stage: str, model_config: ModelConfig | None = None) -> Any:
    """Like the real one for what the web layer can observe: rejects models the server doesn't offer."""
    if model_config is not None and model_config.model and model_config.model not in settings.offered_models:
        raise ConfigError(
            f"model {model_config.model!r} is not offered by this server", code="model_not_offered"
        )
    provider = types.SimpleNamespace(name="fake", capabilities=Capabilities())  # an online engine
    model = model_config.model if model_config else None
    return types.SimpleNamespace(stage=stage, model=model, provider=provider)


@pytest.fixture
def fake_stages(monkeypatch: pytest.MonkeyPatch) -> FakeStages:
    return FakeStages().install(monkeypatch)
