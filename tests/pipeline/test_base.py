from devussy.llm.builtin import BuiltinProvider
from devussy.models import Usage
from devussy.pipeline.base import StageResult, StageSettings


def test_stage_settings_default_to_the_providers_own_choices() -> None:
    settings = StageSettings(provider=BuiltinProvider())
    assert (settings.model, settings.temperature, settings.max_tokens) == (None, None, None)


def test_stage_result_starts_with_no_usage() -> None:
    result = StageResult(value=3, text="three")
    assert result.usage == Usage() and result.usage is not StageResult(value=4, text="").usage
