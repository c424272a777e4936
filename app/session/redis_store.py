"""Redis session store: shared by every worker; two round trips per turn.

1. `open()`: one script counts the turn against the per-user rate limit (Redis' INCR + EXPIRE
   fixed-window pattern; over the limit: nothing taken, `RateLimited`), takes the per-user lock
   (SET NX PX) and reads the state — and, on a turn that may hand off, what the handoff needs (the
   `reads` given to `open`: asked by this turn, or by the previous one through the customer's
   `prefetch` hint key, which the write keeps with the state), so a handoff turn has no read of its
   own either.
2. leaving the `with` block: one script checks the lock is still ours, writes the state (or deletes
   it), appends the turn to the transcript (RPUSH, LTRIM, EXPIRE), releases the lock and runs the
   commands the turn added (`also_command`): a handoff record and its delivery jobs (required: an
   error fails the write, and the turn's failure path keeps the handoff), then the conversation
   events' XADDs (best effort).

Scripts are called by SHA (EVALSHA) and loaded only when Redis answers NOSCRIPT (a restarted or
flushed server): redis-py's script objects would ask SCRIPT EXISTS before every pipeline — a third
round trip per turn. Each round trip is one command, no pipeline, sent on connections the store keeps
for itself (app/session/direct.py) unless the client is a Cluster's.

Fencing: a holder whose lock expired (and was perhaps taken by the next turn) writes nothing and gets
LockTimeout, so it never overwrites the newer state.

A lock command that Redis applies late (the server stalled, the client already gave up after its
socket timeout) must not lock the customer out: the command carries the wall-clock time by which it
must be applied; a late one takes no lock. A client that is still waiting and gets "late" (clocks of
the app and Redis disagree by more than that) retries without the check and logs the skew.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisError

from app.privacy import mask_key
from app.session.direct import DirectCalls
from app.session.keys import customer_key
from app.session.store import (
    UNCHANGED,
    LockTimeout,
    RateLimited,
    RateWindow,
    Read,
    StateHandle,
    StoreUnavailable,
    check_user_key,
    decode_state,
)

logger = logging.getLogger(__name__)

KAKAO_SKILL_TIMEOUT_SECONDS = 5.0

# KEYS: lock, state, the prefetch hint, one counter per rate-limit window, then one key per read.
# ARGV: token, lock ms, apply-by (ms since the epoch; 0 = no check), count ('1': count this turn against
# the limit; '0': a retry, already counted), read now ('1'), the number of counters c, then limit and
# window seconds per counter, then per read its word count and words (its key is the next of KEYS).
# → {1, state, reads} taken (reads: the reads' replies, a missing value as false — only when asked now
# or the hint is set, else absent); {0, pttl} busy; {-1} applied too late (its sender has given up):
# nothing taken; {-2} over the rate limit: nothing taken.
_LOCK_AND_READ = """
local apply_by = tonumber(ARGV[3])
if apply_by > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > apply_by then return {-1} end
end
local counters = tonumber(ARGV[6])
if ARGV[4] == '1' then
  for i = 1, counters do
    local n = redis.call('INCR', KEYS[3 + i])
    if n == 1 then redis.call('EXPIRE', KEYS[3 + i], ARGV[6 + 2 * i]) end
    if n > tonumber(ARGV[5 + 2 * i]) then return {-2} end
  end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
local state = redis.call('GET', KEYS[2])
local a = 7 + 2 * counters
if a > #ARGV or (ARGV[5] ~= '1' and redis.call('EXISTS', KEYS[3]) == 0) then return {1, state} end
local reads, k = {}, 4 + counters
while a <= #ARGV do
  local words = tonumber(ARGV[a])
  local reply = redis.call(ARGV[a + 1], KEYS[k], unpack(ARGV, a + 2, a + words))
  reads[#reads + 1] = reply
  a, k = a + words + 1, k + 1
end
return {1, state, reads}
"""

# KEYS: lock, state, transcript, prefetch hint. ARGV: token, write ('k' keep, 's' set — then the hint
# is set ('s1') or removed ('s0') with it —, 'd' delete, the hint too), state, ttl, transcript max
# lines, transcript ttl, number of transcript lines n, the n lines, number of required
# commands m, then the turn's other commands, each as its length and its words: the first m must
# succeed (redis.call: an error fails the script, e.g. a handoff record), the rest are best effort
# (redis.pcall: the conversation events).
# → {1, failed} written and unlocked (failed: how many best-effort commands Redis refused);
#   {0} the lock is not ours (nothing written, nothing run).
_WRITE_AND_UNLOCK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if ARGV[2] == 's1' then
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[4])
elseif ARGV[2] == 's0' then
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
  redis.call('DEL', KEYS[4])
elseif ARGV[2] == 'd' then redis.call('DEL', KEYS[2], KEYS[4]) end
local lines = tonumber(ARGV[7])
if lines > 0 then
  redis.call('RPUSH', KEYS[3], unpack(ARGV, 8, 7 + lines))
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[5]), -1)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
redis.call('DEL', KEYS[1])
local i = 8 + lines
local required = tonumber(ARGV[i])
i = i + 1
for _ = 1, required do
  local words = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + words))
  i = i + words + 1
end
local failed = 0
while i <= #ARGV do
  local words = tonumber(ARGV[i])
  local answer = redis.pcall(unpack(ARGV, i + 1, i + words))
  if type(answer) == 'table' and answer.err then failed = failed + 1 end
  i = i + words + 1
end
return {1, failed}
"""


class RedisStore:
    """State at `{prefix}{user}:session` (JSON, EX ttl on each write), lock at `…:lock`, transcript at
    `…:transcript` (JSON lines, the last `transcript_entries`, expiring `transcript_ttl_seconds` after
    the last turn). A dead holder's lock frees itself after `lock_timeout_seconds`; a waiter gives up
    after `lock_wait_seconds`. Both stay under Kakao's 5-second skill timeout.
    """

    keeps_transcripts = True
    lock_poll_seconds = 0.01  # how often a waiter retries the lock

    def __init__(
        self,
        client: redis.Redis,
        ttl_seconds: int = 1800,
        lock_wait_seconds: float = 2.0,
        lock_timeout_seconds: float = 3.0,
        prefix: str = "csbot:",
        transcript_entries: int = 100,
        transcript_ttl_seconds: int = 24 * 3600,
        apply_within_seconds: float = 1.0,
        rate_limits: Sequence[RateWindow] = (),
    ) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        if not 0 <= lock_wait_seconds < KAKAO_SKILL_TIMEOUT_SECONDS:
            raise ValueError("lock_wait_seconds must be >= 0 and < 5 (Kakao's skill timeout)")
        if not 0 < lock_timeout_seconds < KAKAO_SKILL_TIMEOUT_SECONDS:
            raise ValueError("lock_timeout_seconds must be > 0 and < 5 (Kakao's skill timeout)")
        self.ttl_seconds = ttl_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self.lock_timeout_seconds = lock_timeout_seconds
        self.prefix = prefix
        self.transcript_entries = transcript_entries
        self.transcript_ttl_seconds = transcript_ttl_seconds
        self.apply_within_seconds = apply_within_seconds  # = the client's socket timeout
        self._client = client
        # a Cluster keeps the customer's keys and a shared key (the event stream) on different nodes
        self.shares_pipeline = not isinstance(client, RedisCluster)  # `also_command` is honoured
        self.rate_limits = tuple(rate_limits)
        self._rate_args = [str(n) for window in self.rate_limits for n in (window.limit, window.seconds)]
        self._direct = _direct(client)
        call = self._direct or client.execute_command
        self._lock_and_read = _Script(client, _LOCK_AND_READ, call)
        self._write_and_unlock = _Script(client, _WRITE_AND_UNLOCK, call)
        self._skew_logged = False

    def state_key(self, user_key: str) -> str:
        return customer_key(self.prefix, user_key, "session")

    def lock_key(self, user_key: str) -> str:
        return customer_key(self.prefix, user_key, "lock")

    def transcript_key(self, user_key: str) -> str:
        return customer_key(self.prefix, user_key, "transcript")

    def hint_key(self, user_key: str) -> str:
        """Set while the customer is where the next answer may hand off (`prefetch_next`)."""
        return customer_key(self.prefix, user_key, "prefetch")

    def rate_keys(self, user_key: str) -> list[str]:
        """The customer's counter per rate limit: a fixed window opened by the first turn counted in
        it (the key expires with the window), as `limits`' fixed windows count in memory."""
        return [customer_key(self.prefix, user_key, f"rate:{w.seconds}") for w in self.rate_limits]

    @contextmanager
    def open(
        self, user_key: str, reads: Sequence[Read] = (), read_now: bool = False
    ) -> Iterator[StateHandle]:
        """`reads` run with the lock, in its round trip, when `read_now` or the previous turn's
        `prefetch_next` asked for them — on a single server only (a Cluster keeps some of a handoff's
        keys on other nodes: there the reader reads them itself)."""
        check_user_key(user_key)
        token = f"{random.getrandbits(128):032x}"  # unique per turn (the random module reseeds per fork)
        reads = reads if self.shares_pipeline else ()
        raw, prefetched = self._lock(user_key, token, reads, read_now)
        handle = StateHandle(decode_state(raw, user_key))
        handle.prefetched = prefetched
        try:
            yield handle
        except BaseException:
            handle.close()
            try:
                self._finish(user_key, token, handle)
            except StoreUnavailable as exc:  # the body's error is the one to report
                logger.warning("after a failed turn of %s: %s", mask_key(user_key), type(exc).__name__)
            raise
        handle.close()
        self._finish(user_key, token, handle)

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:  # "never raises": any failure means not ready
            return False

    def close(self) -> None:
        if self._direct is not None:
            self._direct.close()
        self._client.close()

    def _lock(
        self, user_key: str, token: str, reads: Sequence[Read], read_now: bool
    ) -> tuple[Any, list[Any] | None]:
        """Count the turn, take the lock and read the state (and the reads, when asked) in one round
        trip (retried while the lock is busy; a retry is not counted again)."""
        rate_keys = self.rate_keys(user_key)
        keys = [self.lock_key(user_key), self.state_key(user_key), self.hint_key(user_key), *rate_keys]
        keys += [read[1] for read in reads]
        read_args: list[Any] = []
        for read in reads:
            read_args += [len(read) - 1, read[0], *read[2:]]
        lock_ms = int(self.lock_timeout_seconds * 1000)
        now = "1" if read_now else "0"
        deadline = time.monotonic() + self.lock_wait_seconds
        check, count = True, "1"
        while True:
            apply_by = int((time.time() + self.apply_within_seconds) * 1000) if check else 0
            try:
                answer = self._lock_and_read(
                    keys, [token, lock_ms, apply_by, count, now, len(rate_keys), *self._rate_args, *read_args]
                )
            except RedisError as exc:
                raise StoreUnavailable(
                    f"Redis unavailable while locking {mask_key(user_key)}: {type(exc).__name__}"
                ) from exc
            if answer[0] == 1:
                return (answer[1] if len(answer) > 1 else None), (answer[2] if len(answer) > 2 else None)
            if answer[0] == -2:
                raise RateLimited(f"{mask_key(user_key)} is over the rate limit")
            if answer[0] == -1:  # we are still here, so it was not late: the clocks disagree
                self._log_skew()
                check = False
                continue
            count = "0"
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"session of {mask_key(user_key)} is busy: "
                    f"lock not obtained within {self.lock_wait_seconds}s"
                )
            time.sleep(self.lock_poll_seconds)

    def _finish(self, user_key: str, token: str, handle: StateHandle) -> None:
        """Write (if the body saved or cleared), append the transcript, run the commands the turn added
        and unlock: one script, one round trip."""
        keys = [
            self.lock_key(user_key),
            self.state_key(user_key),
            self.transcript_key(user_key),
            self.hint_key(user_key),
        ]
        if handle.pending is UNCHANGED:
            write, raw = "k", ""
        elif handle.pending is None:
            write, raw = "d", ""
        else:
            # the hint is of use only where `open` runs the reads (not on a Cluster)
            hint = handle.wants_reads_next and self.shares_pipeline
            write, raw = ("s1" if hint else "s0"), handle.pending
        args: list[Any] = [
            token,
            write,
            raw,
            self.ttl_seconds,
            self.transcript_entries,
            self.transcript_ttl_seconds,
            len(handle.lines),
            *handle.lines,
            len(handle.required),
        ]
        for command in (*handle.required, *handle.commands):
            args += [len(command), *command]
        try:
            answer = self._write_and_unlock(keys, args)
        except RedisError as exc:
            raise StoreUnavailable(
                f"Redis unavailable while writing {mask_key(user_key)}: {type(exc).__name__}"
            ) from exc
        if answer[0] == 1:
            if answer[1]:
                logger.warning("%d command(s) sent with the session write failed", answer[1])
            return
        message = (
            f"lock on {mask_key(user_key)} expired before the write "
            f"(held longer than {self.lock_timeout_seconds}s); nothing written"
        )
        if write == "k" and not handle.lines:
            logger.warning("session lock of %s expired before release", mask_key(user_key))
            return
        raise LockTimeout(message)

    def _log_skew(self) -> None:
        if not self._skew_logged:
            self._skew_logged = True
            logger.warning(
                "Redis applied a lock later than %ss after it was sent although this client was waiting: "
                "the clocks of this machine and Redis disagree; keep them in sync (NTP)",
                self.apply_within_seconds,
            )


class _Script:
    """A Lua script called by its SHA1 (EVALSHA), loaded only when Redis answers NOSCRIPT."""

    def __init__(self, client: Any, source: str, call: Callable[..., Any]) -> None:
        self.client = client
        self.source = source
        self.call = call  # sends one command, returns the reply
        self.sha = hashlib.sha1(source.encode()).hexdigest()  # Redis names scripts by SHA1

    def __call__(self, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        try:
            return self.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.client.script_load(self.source)
            return self.call("EVALSHA", self.sha, len(keys), *keys, *args)


def _direct(client: Any) -> DirectCalls | None:
    """Direct calls for a plain client (one server, Sentinel's master); a Cluster client, or one whose
    class changes how commands are sent (instrumented in tests), goes through redis-py's commands."""
    plain = isinstance(client, redis.Redis) and type(client).execute_command is redis.Redis.execute_command
    return DirectCalls(client) if plain else None
