"""Which ``Host`` the API answers to: the defence against DNS rebinding.

A web page on ``evil.example`` can point its own name at 127.0.0.1; the browser then sends
``Host: evil.example`` and ``Origin: http://evil.example`` to a local Devussy server and treats it
as same-origin, so without this check any page could drive the server and spend its provider key.
A rebinding attack always comes with the attacker's host *name*, so the API answers only to

- IP literals (``127.0.0.1:8000``, ``[::1]``, a LAN address): no name, nothing to rebind;
- ``localhost`` and names under ``.localhost`` (they never leave the machine);
- the names in ``DEVUSSY_ALLOWED_HOSTS`` (``app.example.com``, ``.example.com`` for every subdomain, or
  ``*`` for any), plus the URLs Vercel sets on its deployments.

``X-Forwarded-Host`` is only read when ``DEVUSSY_TRUST_FORWARDED_HOST`` is set (a proxy in front that
sets it); otherwise any client could write it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from devussy.config import Settings
from devussy.web.errors import HTTPError
from devussy.web.headers import Headers


def request_host(headers: Headers, settings: Settings) -> str:
    """The host the client addressed (``name[:port]``, lower case), or ``""`` when it sent none."""
    host = headers.get("Host") or ""
    if settings.trust_forwarded_host:
        forwarded = (headers.get("X-Forwarded-Host") or "").split(",")[0]
        host = forwarded or host
    return host.strip().lower()


def host_name(host: str) -> str | None:
    """``name[:port]`` → ``name`` (IPv6 without brackets); None for something that is not a host."""
    try:
        parts = urlsplit(f"//{host}")
        name = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return None
    if not name or parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return name.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(host: str, settings: Settings) -> bool:
    name = host_name(host)
    if name is None:
        return False
    if _is_ip(name) or name == "localhost" or name.endswith(".localhost"):
        return True
    for entry in settings.allowed_hosts:
        allowed = entry.strip().lower().rstrip(".")
        if allowed == "*":
            return True
        allowed = host_name(allowed) or allowed  # an entry may carry a port or be a URL's host part
        if allowed.startswith("."):
            if name == allowed[1:] or name.endswith(allowed):
                return True
        elif allowed.startswith("*."):
            if name.endswith(allowed[1:]):
                return True
        elif name == allowed:
            return True
    return False


def check_host(headers: Headers, settings: Settings) -> None:
    """403 ``host_not_allowed`` unless the request's host is one this server answers to.

    A request without ``Host`` (HTTP/1.0 tools) is let through: browsers always send one.
    """
    host = request_host(headers, settings)
    if host and not host_allowed(host, settings):
        raise HTTPError(
            403,
            "this server does not answer to the host this request was sent to; "
            "add the name to DEVUSSY_ALLOWED_HOSTS",
            "host_not_allowed",
        )
