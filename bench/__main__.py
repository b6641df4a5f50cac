"""Run every benchmark in this folder, one subprocess each: ``python -m bench [name ...]``.

Each benchmark prints its figures as JSON; this collects them into one JSON document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    results: dict[str, object] = {}
    failed = False
    for name in names:
        print(f"running bench.{name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"], capture_output=True, text=True, cwd=here.parent
        )
        if proc.returncode != 0:
            failed = True
            results[name] = {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
            continue
        try:
            results[name] = json.loads(proc.stdout)
        except json.JSONDecodeError:
            results[name] = {"output": proc.stdout.strip()}
    print(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
