"""The design review: rule checks in code (``rules``) that an optional LLM reviewer complements.

Below ``pipeline/``: it imports the domain models, the requirements rules and the planner's
knowledge base (to recognise technologies), nothing that runs stages.
"""

from devussy.review.rules import check_design

__all__ = ["check_design"]
