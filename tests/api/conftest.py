from __future__ import annotations

from tests.web.conftest import clean_env  # noqa: F401 -- the same clean environment as the web tests
from tests.web.mock_engine import engine  # noqa: F401 -- fixture for the tests here
