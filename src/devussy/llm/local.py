"""Local models without configuration: find an OpenAI-compatible server on its usual port.

With no provider configured (no ``DEVUSSY_PROVIDER``, key or base URL), :func:`with_local_server`
probes ``GET http://127.0.0.1:<port>/v1/models`` on the ports local engines use by default (Ollama
11434, LM Studio 1234, llama.cpp server 8080), with a short timeout, and makes the first server that
lists a chat model the ``local`` provider. Nothing found: the settings are returned unchanged and
the offline planner stays the default. Never on a serverless host (``VERCEL``,
``AWS_LAMBDA_FUNCTION_NAME``), where localhost is not the user's machine.

``DEVUSSY_LOCAL_PROBE=off`` turns probing off; ``DEVUSSY_LOCAL_PORTS=ollama=11434,lmstudio=1234``
changes the ports (tests point it at loopback fakes on random ports). Results are cached per
process for :data:`CACHE_SECONDS`, so a server answering many requests probes once in a while.

Only the standard library is used (``http.client``): the web API's light endpoints load this too.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devussy.config import Settings

DEFAULT_PORTS: tuple[tuple[str, int], ...] = (("ollama", 11434), ("lmstudio", 1234), ("llamacpp", 8080))
ENGINE_NAMES = {"ollama": "Ollama", "lmstudio": "LM Studio", "llamacpp": "llama.cpp server", "vllm": "vLLM"}
SERVERLESS_ENV = ("VERCEL", "AWS_LAMBDA_FUNCTION_NAME", "NETLIFY", "FUNCTIONS_WORKER_RUNTIME")
DEFAULT_TIMEOUT = 0.3
CACHE_SECONDS = 30.0
# Model ids that are not chat models (embeddings, rerankers, speech): never offered for a stage.
_NOT_CHAT = ("embed", "rerank", "whisper", "tts")


@dataclass(frozen=True)
class LocalServer:
    """An OpenAI-compatible server found on this machine."""

    engine: str  # the name the port was probed for: "ollama", "lmstudio", "llamacpp", ...
    base_url: str  # "http://127.0.0.1:11434/v1" (loopback, no credentials)
    models: tuple[str, ...]  # its chat models, in the server's order

    @property
    def description(self) -> str:
        return f"{ENGINE_NAMES.get(self.engine, self.engine)} at {self.base_url}"


@dataclass(frozen=True)
class ProbeConfig:
    enabled: bool = True  # probe when no provider is configured
    ports: tuple[tuple[str, int], ...] = DEFAULT_PORTS
    host: str = "127.0.0.1"
    timeout: float = DEFAULT_TIMEOUT
    serverless: bool = False  # never probe, even for DEVUSSY_PROVIDER=local

    @classmethod
    def from_env(cls, env: Mapping[str, str], file_value: Callable[[str], str | None]) -> ProbeConfig:
        """``DEVUSSY_LOCAL_PROBE`` (``auto``/``off``), ``DEVUSSY_LOCAL_PORTS``; never on a serverless host."""
        from devussy.errors import ConfigError

        mode = (env.get("DEVUSSY_LOCAL_PROBE") or file_value("local_probe") or "auto").strip().lower()
        if mode not in ("auto", "on", "off"):
            raise ConfigError(f"DEVUSSY_LOCAL_PROBE must be auto or off, got {mode!r}")
        serverless = any(env.get(name) for name in SERVERLESS_ENV)
        ports_text = env.get("DEVUSSY_LOCAL_PORTS") or file_value("local_ports")
        ports = parse_ports(ports_text) if ports_text else DEFAULT_PORTS
        return cls(enabled=mode != "off" and not serverless, ports=ports, serverless=serverless)


def parse_ports(text: str) -> tuple[tuple[str, int], ...]:
    """``"ollama=11434, lmstudio=1234, 8081"`` → ``(("ollama", 11434), ("lmstudio", 1234),
    ("local", 8081))``."""
    from devussy.errors import ConfigError

    ports = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, _, port = entry.rpartition("=")
        try:
            number = int(port)
        except ValueError:
            number = -1
        if not 0 < number < 65536:
            raise ConfigError(f"DEVUSSY_LOCAL_PORTS: {entry!r} is not 'engine=port'")
        ports.append(((name.strip() or "local").lower(), number))
    return tuple(ports)


def probe(config: ProbeConfig) -> list[LocalServer]:
    """Every configured port that answers ``GET /v1/models`` like an OpenAI-compatible server with at
    least one chat model, in the configured order (all ports at once, each within the timeout)."""
    if config.serverless:
        return []
    found: dict[int, LocalServer] = {}

    def one(engine: str, port: int) -> None:
        server = probe_port(config.host, port, engine, config.timeout)
        if server is not None:
            found[port] = server

    threads = [threading.Thread(target=one, args=entry, daemon=True) for entry in config.ports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(config.timeout * 3 + 0.5)
    return [found[port] for _, port in config.ports if port in found]


def probe_port(host: str, port: int, engine: str, timeout: float) -> LocalServer | None:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/v1/models", headers={"Accept": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            return None
        payload = json.loads(response.read(1_000_000))
    except (TimeoutError, OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()
    models = _chat_models(payload)
    if not models:
        return None
    shown_host = f"[{host}]" if ":" in host else host
    return LocalServer(engine=engine, base_url=f"http://{shown_host}:{port}/v1", models=models)


def _chat_models(payload: object) -> tuple[str, ...]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return ()
    ids = [entry.get("id") for entry in data if isinstance(entry, dict)]
    names = [name for name in ids if isinstance(name, str) and name.strip()]
    return tuple(name for name in names if not any(word in name.lower() for word in _NOT_CHAT))


_cache: dict[ProbeConfig, tuple[float, list[LocalServer]]] = {}
_cache_lock = threading.Lock()


def discover(config: ProbeConfig, *, now: Callable[[], float] = time.monotonic) -> list[LocalServer]:
    """:func:`probe`, remembered for :data:`CACHE_SECONDS` per configuration."""
    if config.serverless:
        return []
    with _cache_lock:
        cached = _cache.get(config)
        if cached is not None and now() - cached[0] < CACHE_SECONDS:
            return cached[1]
    servers = probe(config)
    with _cache_lock:
        _cache[config] = (now(), servers)
    return servers


def forget() -> None:
    """Drop cached probe results (a server was started or stopped; tests)."""
    with _cache_lock:
        _cache.clear()


def with_local_server(settings: Settings) -> Settings:
    """The settings with the local server found by probing as the ``local`` provider, when no
    provider is configured (or ``DEVUSSY_PROVIDER=local`` asks for it); otherwise unchanged."""
    wanted = settings.provider == "local"
    unconfigured = not settings.provider_configured and settings.local_probe.enabled
    if settings.local_servers or not (wanted or unconfigured):
        return settings
    servers = discover(settings.local_probe)
    if not servers:
        return settings
    first = servers[0]
    model = settings.model if settings.model in first.models else first.models[0]
    return replace(
        settings,
        provider="local",
        model=model,
        extra_models=tuple(dict.fromkeys([*settings.extra_models, *first.models])),
        local_servers=tuple(servers),
    )
