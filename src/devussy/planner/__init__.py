"""The built-in offline planner: deterministic, instant plans with no LLM and no network.

``OfflinePlanner`` answers every pipeline stage (interview, design, basic plan, phase detail, handoff)
from a knowledge base of technologies, features and project types kept as YAML under ``knowledge/``.
See docs/planner.md.
"""

from devussy.planner.engine import OfflinePlanner


def offline_planner_of(provider: object) -> OfflinePlanner | None:
    """The offline planner behind an engine (the builtin provider), or None for any other engine."""
    planner = getattr(provider, "planner", None)
    return planner if isinstance(planner, OfflinePlanner) else None


__all__ = ["OfflinePlanner", "offline_planner_of"]
