"""A network guard for a crawl under test, loaded by Python at start-up when this folder is on
its PYTHONPATH, before Scrapy or Twisted is imported.

Every name lookup and every outgoing connection the process attempts is written to the file
$NETGUARD_LOG, one line each (`connect 127.0.0.1:8765 allowed`, `lookup m.bienphong.com.vn
refused`), and each one except a connection to $NETGUARD_ALLOW (host:port) fails at once with
an OSError: every name lookup is refused (an address in numbers needs none), but for the names
$NETGUARD_RESOLVE maps to a loopback address (`www.bienphong.com.vn=127.0.0.1`, comma-separated),
which resolve to it, as an /etc/hosts line would: the site's own name, served by a mirror with a
certificate for it. Unlike a proxy
setting, nothing in the process can reach the network unseen: no
host is exempt, no library can bypass it, and an attempt cannot pass for a slow answer.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

_LOG = os.environ.get("NETGUARD_LOG")
_ALLOW = os.environ.get("NETGUARD_ALLOW", "")
_RESOLVE = dict(
    pair.split("=", 1) for pair in os.environ.get("NETGUARD_RESOLVE", "").split(",") if "=" in pair
)
if any(not ipaddress.ip_address(address).is_loopback for address in _RESOLVE.values()):
    raise SystemExit("netguard: NETGUARD_RESOLVE maps names to loopback addresses only")


def _note(kind: str, what: str, allowed: bool) -> None:
    assert _LOG is not None
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{kind} {what} {'allowed' if allowed else 'refused'}\n")
    if not allowed:
        raise OSError(errno.ENETUNREACH, f"netguard: {kind} {what} refused")


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _gethostbyname = socket.gethostbyname

    def _lookup(host: Any) -> Any:
        """The address to look up instead of `host`: its own, a mapped name's."""
        name = host.decode() if isinstance(host, bytes) else str(host)
        # An address written in numbers resolves to itself, asking no one: not logged.
        try:
            ipaddress.ip_address(name)
            return host
        except ValueError:
            _note("lookup", name, name in _RESOLVE)
            return _RESOLVE[name]

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return _getaddrinfo(_lookup(host), port, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        return str(_gethostbyname(_lookup(host)))

    class GuardedSocket(socket.socket):
        def _check(self, address: Any) -> None:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                where = f"{address[0]}:{address[1]}"
                _note("connect", where, where == _ALLOW)

        def connect(self, address: Any) -> None:
            self._check(address)
            super().connect(address)

        def connect_ex(self, address: Any) -> int:
            self._check(address)
            return super().connect_ex(address)

    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.socket = GuardedSocket  # type: ignore[misc]
