"""Settings for the whole suite."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Hypothesis's default 200 ms per-example deadline is a timing assertion: a busy CI machine can
# fail it on a correct example. Tests that need a bound on time put it in bench/ instead.
settings.register_profile("devussy", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("devussy")
