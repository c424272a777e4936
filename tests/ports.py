"""Ports for servers the tests start themselves: this suite's own range, 7300-7399."""

from __future__ import annotations

import socket

PORTS = range(7300, 7400)


def free_port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 7300-7399")
