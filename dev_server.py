"""Local dev server: the api/ handlers and the built web UI on one origin.

    python dev_server.py [--host 127.0.0.1] [--port 8000]

Thin wrapper over ``devussy.web.devserver`` (also reachable as ``devussy serve``).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "src"))

from devussy.web.devserver import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
