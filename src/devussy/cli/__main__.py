"""``python -m devussy.cli`` is the ``devussy`` command too."""

import sys

from devussy.cli.app import main

sys.exit(main())
