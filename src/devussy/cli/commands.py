"""The small commands: ``providers``, ``schema`` and ``serve``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from devussy.cli.errors import EXIT_OK
from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.models import export_json_schema
from devussy.redaction import redact, secrets_in_env

if TYPE_CHECKING:
    from devussy.llm.registry import ProviderInfo


def run_providers(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.llm.local import with_local_server
    from devussy.llm.registry import available_providers

    settings = with_local_server(Settings.from_env())
    providers = available_providers(settings)
    if args.json:
        text = json.dumps([entry.to_json_dict() for entry in providers], indent=2, sort_keys=True)
    elif providers:
        text = "\n".join([*map(format_provider, providers), "(* = default; set DEVUSSY_PROVIDER to change)"])
    else:
        text = "no providers registered"
    print(redact(text, secrets_in_env()), file=stdout)
    return EXIT_OK


def format_provider(entry: ProviderInfo) -> str:
    """One line for a provider description from ``available_providers``."""
    mark = "*" if entry.default else " "
    reason = entry.reason or "unknown reason"
    if entry.usable:
        status = "ready"
    elif entry.configured:
        status = f"configured, not usable: {reason}"
    else:
        status = f"not configured: {reason}"
    parts = [f"{mark} {entry.name:<10} {status}"]
    if entry.description:
        parts.append(entry.description)
    if entry.models:
        parts.append("models: " + ", ".join(entry.models))
    capabilities = entry.capabilities.to_json_dict() if entry.capabilities else {}
    flags = [name for name, value in capabilities.items() if value is True]
    if flags:
        parts.append("capabilities: " + ", ".join(flags))
    return "  ".join(parts)


def run_schema(args: argparse.Namespace, stdout: TextIO) -> int:
    print(export_json_schema(), file=stdout)
    return EXIT_OK


def run_serve(args: argparse.Namespace, stdout: TextIO) -> int:
    from devussy.web.devserver import serve

    try:
        serve(args.host, args.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK
