"""Finding a local OpenAI-compatible server without configuration (loopback fakes on random ports)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.llm import local
from devussy.llm.local import LocalServer, ProbeConfig, discover, parse_ports, probe, with_local_server
from devussy.llm.registry import available_providers, create_provider
from devussy.pipeline.settings import stage_settings
from tests.fakes.openai_server import FakeOpenAIServer

MODELS = ("nomic-embed-text", "llama3.2", "qwen2.5-coder:7b")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    local.forget()
    yield
    local.forget()


@pytest.fixture
def ollama() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=MODELS) as server:
        yield server


def port_of(server: FakeOpenAIServer) -> int:
    return int(server.base_url.rsplit(":", 1)[1].split("/")[0])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NotAnLLM(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # a web app on the same port: 200, but not a models list
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def web_app() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotAnLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def config(*ports: tuple[str, int]) -> ProbeConfig:
    return ProbeConfig(ports=ports, timeout=0.5)


def test_finds_the_server_and_its_chat_models_in_port_order(ollama: FakeOpenAIServer, web_app: int) -> None:
    found = probe(config(("lmstudio", closed_port()), ("web", web_app), ("ollama", port_of(ollama))))
    assert found == [LocalServer("ollama", ollama.base_url, ("llama3.2", "qwen2.5-coder:7b"))]
    assert found[0].description == f"Ollama at {ollama.base_url}"
    (request,) = [r for r in ollama.requests if r.method == "GET"]
    assert request.path == "/v1/models"


def test_nothing_found_and_never_on_a_serverless_host(ollama: FakeOpenAIServer) -> None:
    assert probe(config(("ollama", closed_port()))) == []
    serverless = ProbeConfig.from_env(
        {"VERCEL": "1", "DEVUSSY_LOCAL_PORTS": f"ollama={port_of(ollama)}"}, lambda key: None
    )
    assert serverless.enabled is False and discover(serverless) == []
    assert ollama.requests == []


def test_results_are_cached_for_a_while(ollama: FakeOpenAIServer) -> None:
    probe_config = config(("ollama", port_of(ollama)))
    for seconds in (0.0, 2.0, 100.0):
        discover(probe_config, now=lambda: seconds)  # noqa: B023 -- called before the next round
    assert len(ollama.requests) == 2  # probed at 0 s, reused at 2 s, probed again at 100 s


def test_ports_are_configurable() -> None:
    assert parse_ports("ollama=11434, lmstudio = 1234,8081") == (
        ("ollama", 11434),
        ("lmstudio", 1234),
        ("local", 8081),
    )
    with pytest.raises(ConfigError, match="engine=port"):
        parse_ports("ollama=port")
    assert ProbeConfig.from_env({"DEVUSSY_LOCAL_PROBE": "off"}, lambda key: None).enabled is False
    with pytest.raises(ConfigError, match="auto or off"):
        ProbeConfig.from_env({"DEVUSSY_LOCAL_PROBE": "sometimes"}, lambda key: None)


def env_for(server: FakeOpenAIServer, **more: str) -> dict[str, str]:
    return {"DEVUSSY_LOCAL_PROBE": "auto", "DEVUSSY_LOCAL_PORTS": f"ollama={port_of(server)}", **more}


def test_an_unconfigured_setup_uses_the_local_server(ollama: FakeOpenAIServer) -> None:
    settings = with_local_server(Settings.from_env(env_for(ollama)))
    assert settings.provider == "local" and settings.model == "llama3.2"
    assert settings.offered_models == ("llama3.2", "qwen2.5-coder:7b")
    provider = create_provider(settings)
    assert provider.name == "local" and provider.capabilities.json_schema is False  # a random port
    assert stage_settings(settings, "phase_detail").model == "llama3.2"
    described = {entry.name: entry for entry in available_providers(settings)}
    assert described["local"].default and described["local"].usable
    assert described["local"].models == ["llama3.2", "qwen2.5-coder:7b"]
    assert described["local"].description == f"Ollama at {ollama.base_url} (found by probing)"


def test_a_configured_engine_is_never_replaced(ollama: FakeOpenAIServer) -> None:
    configured = [{"DEVUSSY_PROVIDER": "builtin"}, {"OPENAI_API_KEY": "sk-x"}, {"DEVUSSY_LOCAL_PROBE": "off"}]
    for extra in configured:
        settings = with_local_server(Settings.from_env({**env_for(ollama), **extra}))
        assert settings.provider != "local" and settings.local_servers == ()
    assert ollama.requests == []


def test_asking_for_local_probes_and_says_what_is_missing(ollama: FakeOpenAIServer) -> None:
    asked = {"DEVUSSY_PROVIDER": "local", "DEVUSSY_MODEL": "qwen2.5-coder:7b"}
    chosen = with_local_server(Settings.from_env({**env_for(ollama), **asked}))
    assert chosen.provider == "local" and chosen.model == "qwen2.5-coder:7b"
    nothing = {"DEVUSSY_PROVIDER": "local", "DEVUSSY_LOCAL_PORTS": f"ollama={closed_port()}"}
    with pytest.raises(ConfigError, match="no local OpenAI-compatible server found"):
        create_provider(with_local_server(Settings.from_env(nothing)))
