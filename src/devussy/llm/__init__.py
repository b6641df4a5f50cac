"""LLM providers behind one contract (``base.LLMProvider``), created by name from ``registry``."""

from devussy.llm.anthropic import AnthropicProvider
from devussy.llm.base import Capabilities, ChatDelta, ChatMessage, ChatRequest, LLMProvider, StageTask
from devussy.llm.openai import OpenAIProvider
from devussy.llm.registry import available_providers, create_provider, register_provider
from devussy.llm.resilience import RetryPolicy

__all__ = [
    "AnthropicProvider",
    "Capabilities",
    "ChatDelta",
    "ChatMessage",
    "ChatRequest",
    "LLMProvider",
    "OpenAIProvider",
    "RetryPolicy",
    "StageTask",
    "available_providers",
    "create_provider",
    "register_provider",
]
