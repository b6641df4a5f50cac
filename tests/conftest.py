"""Settings for the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis's default 200 ms per-example deadline is a timing assertion: a busy CI machine can
# fail it on a correct example. Tests that need a bound on time put it in bench/ instead.
settings.register_profile("devussy", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("devussy")


@pytest.fixture(autouse=True)
def no_local_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's Ollama or LM Studio never becomes a test's engine; tests that probe set
    DEVUSSY_LOCAL_PORTS to loopback fakes and DEVUSSY_LOCAL_PROBE=auto themselves."""
    monkeypatch.setenv("DEVUSSY_LOCAL_PROBE", "off")
