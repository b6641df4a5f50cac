"""When to ask an engine for JSON matching a stage's schema (the structured-output fallback).

``DEVUSSY_JSON_SCHEMA`` (``json_schema`` in devussy.toml) decides:

- ``auto`` (default): providers whose endpoint is known to take ``response_format`` with a JSON
  schema (api.openai.com, and local Ollama, LM Studio, llama.cpp server and vLLM on their usual
  ports), except models known not to (``gpt-3.5-turbo``, ``gpt-4``, ``gpt-4-turbo``);
- ``on``: every OpenAI-compatible endpoint and model;
- ``off``: never;
- a comma-separated list of model names: exactly those models, on any OpenAI-compatible endpoint.

A server that answers a schema request with HTTP 400 is not asked again (per endpoint, for the life
of the process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devussy.errors import ConfigError

MODES = ("auto", "on", "off")
# Models of api.openai.com that predate structured outputs (a schema request is a 400 for them).
WITHOUT_SCHEMA = re.compile(r"^(?:openai/)?gpt-(?:3\.5|4(?:$|-))")


@dataclass(frozen=True)
class JsonSchemaPolicy:
    mode: str = "auto"  # auto | on | off | models
    models: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: str | None, where: str = "DEVUSSY_JSON_SCHEMA") -> JsonSchemaPolicy:
        text = (value or "").strip()
        if not text or text.lower() in MODES:
            return cls(text.lower() or "auto")
        if text.lower() in ("true", "yes", "1"):
            return cls("on")
        if text.lower() in ("false", "no", "0"):
            return cls("off")
        models = tuple(item.strip() for item in text.split(",") if item.strip())
        if not models:
            raise ConfigError(f"{where} must be auto, on, off or a comma-separated list of models")
        return cls("models", models)

    def endpoint_capable(self, known: bool) -> bool:
        """The provider's ``json_schema`` capability under this policy (``known``: from its table)."""
        return {"auto": known, "on": True, "off": False}.get(self.mode, True)

    def model_takes_schema(self, model: str | None) -> bool:
        """Whether a request for ``model`` may carry a schema (the provider must be capable too)."""
        if self.mode == "off":
            return False
        if self.mode == "models":
            return model in self.models
        if self.mode == "on":
            return True
        return not (model and WITHOUT_SCHEMA.match(model))
