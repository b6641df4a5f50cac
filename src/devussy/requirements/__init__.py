"""Requirements as the spine of a plan: the coverage check and the constraint rules (DESIGN §6).

Below ``stages/``, ``planner/`` and ``pipeline/``: it imports only the domain models.
"""

from devussy.requirements.coverage import check_coverage, contradiction, find_violations, summary_line
from devussy.requirements.rules import ConstraintRule, load_rules, rules_for

__all__ = [
    "ConstraintRule",
    "check_coverage",
    "contradiction",
    "find_violations",
    "load_rules",
    "rules_for",
    "summary_line",
]
