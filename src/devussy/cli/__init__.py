"""The ``devussy`` command line (console script ``devussy.cli:main``).

``app`` parses the arguments and turns errors into exit codes; ``plan`` runs the pipeline (with
``interview`` for ``--interview``) and shows it through ``views``; ``commands`` holds ``providers``,
``schema`` and ``serve``; ``errors`` and ``redaction`` are what they all share. docs/cli.md is the
user's guide.
"""

from devussy.cli.app import main

__all__ = ["main"]
