from __future__ import annotations

from tests.api.fake_stages import fake_stages  # noqa: F401 -- fixture for the tests here
from tests.web.conftest import clean_env  # noqa: F401 -- the same clean environment as the web tests
