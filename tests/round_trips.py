"""Counting round trips to Redis in a test: every packet a connection sends (one command, or a whole
pipeline), however it was sent — redis-py's commands, its pipelines or the session store's own calls."""

from __future__ import annotations

from typing import Any

import pytest
from redis.connection import AbstractConnection


def command_names(packet: bytes) -> list[str]:
    """The names of the commands in one RESP packet (arrays of bulk strings, as clients send them)."""
    names, at = [], 0
    while at < len(packet):
        end = packet.index(b"\r\n", at)
        count, at = int(packet[at + 1 : end]), end + 2
        for n in range(count):
            end = packet.index(b"\r\n", at)
            length, at = int(packet[at + 1 : end]), end + 2
            if n == 0:
                names.append(packet[at : at + length].decode())
            at += length + 2
    return names


def _packet(command: Any) -> bytes:
    if isinstance(command, str):
        return command.encode()
    if isinstance(command, bytes | bytearray | memoryview):
        return bytes(command)
    return b"".join(bytes(chunk) for chunk in command)


def record_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, one entry per round trip: the command's name, or `pipeline` for several at once."""
    trips: list[str] = []
    send = AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, *args: Any, **options: Any) -> Any:
        names = command_names(_packet(command))
        trips.append(names[0] if len(names) == 1 else "pipeline")
        return send(self, command, *args, **options)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return trips
