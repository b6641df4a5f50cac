"""The built-in offline planner: deterministic, instant plans with no LLM and no network.

``OfflinePlanner`` answers every pipeline stage (interview, design, basic plan, phase detail, handoff)
from a knowledge base of technologies, features and project types kept as YAML under ``knowledge/``.
See docs/planner.md.
"""

from devussy.planner.engine import OfflinePlanner

__all__ = ["OfflinePlanner"]
