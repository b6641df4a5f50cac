"""``python -m devussy`` is the ``devussy`` command."""

import sys

from devussy.cli import main

sys.exit(main())
