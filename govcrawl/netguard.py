"""Refuse every network connection that does not go to a loopback address.

Tests, the demo and benchmarks only ever talk to servers started on 127.x. Installing this guard
(``install()``; or setting ``GOVCRAWL_LOOPBACK_ONLY=1`` for a crawl subprocess, which
``govcrawl.crawl.settings`` honours) makes a stray request to any other address fail loudly instead of
leaving the machine.
"""
from __future__ import annotations

import errno
import ipaddress
import os
import socket

ENV_VAR = "GOVCRAWL_LOOPBACK_ONLY"


class NonLoopbackConnection(ConnectionRefusedError):
    """Raised instead of connecting anywhere but loopback."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _check(address) -> None:
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        if not is_loopback(address[0]):
            raise NonLoopbackConnection(f"govcrawl network guard: refused connection to {address[0]!r} (loopback only)")


def _guarded_connect(self, address):
    _check(address)
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    """connect_ex reports failure as an errno, never an exception: Twisted's TCP client relies on it."""
    try:
        _check(address)
    except NonLoopbackConnection:
        return errno.ENETUNREACH
    return _original_connect_ex(self, address)


def install() -> None:
    """Patch socket connects process-wide (idempotent). Unix sockets pass; IP must be loopback."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    os.environ[ENV_VAR] = "1"  # inherited by crawl subprocesses


def install_if_requested() -> None:
    if os.environ.get(ENV_VAR) == "1":
        install()
