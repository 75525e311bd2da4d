"""The environment the suite runs in: no proxy variables, so no client sends loopback traffic
to a proxy. conftest.py clears them from `os.environ` once, at import; a subprocess is handed
`without_proxies()`, with the variables of its own added."""

from __future__ import annotations

import os
from pathlib import Path

# Loaded by a subprocess with this folder on its PYTHONPATH (tests/netguard/sitecustomize.py).
GUARD = Path(__file__).parent.parent / "netguard"


def is_proxy_variable(name: str) -> bool:
    """`http_proxy`, `HTTPS_PROXY`, `no_proxy`, ...: any variable with "proxy" in its name."""
    return "proxy" in name.lower()


def clear_proxies() -> None:
    """Remove every proxy variable from this process's environment."""
    for name in [name for name in os.environ if is_proxy_variable(name)]:
        del os.environ[name]


def without_proxies(**extra: str) -> dict[str, str]:
    """This process's environment without proxy variables, and `extra`: a subprocess's `env`."""
    kept = {name: value for name, value in os.environ.items() if not is_proxy_variable(name)}
    return kept | extra


def guarded(log: Path, allow: str, **extra: str) -> dict[str, str]:
    """A subprocess's environment with tests/netguard loaded: every lookup and connection it
    attempts is logged to `log`, and any but a connection to `allow` (host:port) fails at
    once; `extra` may map names to loopback addresses (NETGUARD_RESOLVE)."""
    return without_proxies(
        PYTHONPATH=str(GUARD), NETGUARD_LOG=str(log), NETGUARD_ALLOW=allow, **extra
    )
