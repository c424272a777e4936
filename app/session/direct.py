"""Commands on connections a store keeps for itself, without redis-py's per-command machinery.

A turn sends two commands (app/session/redis_store.py). Through `client.execute_command` each one takes a
connection from the pool — which checks it for unread data with a readiness `poll` (under gevent a new
poll object and watcher per command) — and passes through the retry and deprecation wrappers: ~50–90 µs
of CPU under gevent, against ~9 µs for sending the command and reading the reply on a connection at hand
(scripts/bench_wrk.py; py-spy). `DirectCalls` keeps its own idle connections, made by the client's pool
(same settings, Sentinel's master lookup included) and only ever returned to the idle list after a whole
reply was read, so none can hold stale data.

Fairness: each call first lets the requests already waiting run (`time.sleep(0)`, a gevent yield in the
workers). The pool's readiness poll did that as a side effect; without it a gevent worker served the
newest requests first and the oldest waited longest (benchmark p99 ~90 → ~250 ms). Measured again
(scripts/bench_wrk.py, two runs of two rounds each): both calls yielding 0.78–0.80× the floor's
requests/s with a p99 1.8× the floor's; only the write yielding 0.70–0.71× and 2.3–2.4×; neither
0.66× and 2.8–3.4×. The yields also cost less CPU per request than they take (the worker's I/O is
gathered in fewer loop passes: 1,356–1,401 µs against 1,503–1,680 µs without them).

Errors: an error reply (e.g. NOSCRIPT) is raised and the connection kept; a connection error on a
connection that sat idle (Redis restarted, the server closed it) is retried once on a new connection —
as redis-py's own retry does; a timeout is raised at once (a stalled Redis must fail the turn fast,
within Kakao's 5 s); anything else drops the connection.
"""

from __future__ import annotations

import os
import time
from typing import Any

import redis
from hiredis import pack_command
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError


class DirectCalls:
    def __init__(self, client: redis.Redis) -> None:
        self.pool = client.connection_pool
        self.idle: list[Any] = []
        self.pid = os.getpid()

    def __call__(self, *words: Any) -> Any:
        if self.pid != os.getpid():  # a forked child: the parent's sockets are not its own
            self.idle, self.pid = [], os.getpid()
        time.sleep(0)  # let the requests already waiting run first (under gevent: a fair turn)
        try:
            return self._send(self.idle.pop() if self.idle else None, words)
        except _StaleConnection:
            return self._send(None, words)

    def _send(self, connection: Any, words: tuple[Any, ...]) -> Any:
        reused = connection is not None
        if connection is None:
            connection = self.pool.make_connection()
        try:
            # the bytes redis-py's hiredis packer makes, without its pass over every argument first
            connection.send_packed_command((pack_command(words),))
            answer = connection.read_response()
        except ResponseError:
            self.idle.append(connection)  # an error reply: the connection itself is fine
            raise
        except RedisConnectionError as exc:
            connection.disconnect()
            if reused:
                raise _StaleConnection from exc
            raise
        except BaseException:
            connection.disconnect()
            raise
        self.idle.append(connection)
        return answer

    def close(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            connection.disconnect()


class _StaleConnection(Exception):
    """An idle connection turned out to be closed: send again on a new one."""
