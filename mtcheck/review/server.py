"""Serving the review app: uvicorn on a socket bound before it starts, so the address is known.

Binding the socket here (port 0: the system picks a free one) lets ``mtcheck review`` print
the exact address, and open the browser on it, before the first request; uvicorn then
serves on that socket.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConfigError
from .app import ReviewSettings, create_app
from .decisions import DecisionStore
from .run import ReviewRun

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ReviewAddress:
    host: str
    port: int
    token: str | None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(run: ReviewRun, *, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
          open_browser: bool = True, on_ready: Callable[[ReviewAddress], None] | None = None) -> None:
    """Serve the review of ``run`` until interrupted. Off loopback an access ``token`` is required."""
    import uvicorn

    if not is_loopback(host) and not token:
        raise ConfigError(f"--host {host} opens the review to the network: give --token too (every request needs it)")
    sock = bind(host, port)
    address = ReviewAddress(host, sock.getsockname()[1], token)
    allowed = ["*"] if not is_loopback(host) else [h for h in {host, *LOOPBACK}]
    app = create_app(run, DecisionStore(run.database), ReviewSettings(token=token, allowed_hosts=allowed))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    if on_ready is not None:
        on_ready(address)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(address.url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
