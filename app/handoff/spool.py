"""A local, durable fallback for handoffs that could not be saved (Redis down): nothing is lost.

Records are appended as JSON lines to `<HANDOFF_SPOOL_DIR>/handoffs.jsonl` (fsync'd) and moved into
the repository — and submitted for delivery — as soon as it answers again (`drain`, called by a
background thread of the web process and by `cs-bot worker`). A file lock keeps several workers of
one machine from draining the same lines twice.

One customer has at most one spooled record: while the store is down, every further failed turn or
상담직원 연결 of that customer adds its new lines (and the facts, if the first record had none) to it.
Once moved in, a customer who still has an open handoff gets the lines added to that one instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from app.handoff.delivery import Dispatcher
from app.handoff.record import HandoffRecord
from app.handoff.repository import HandoffRepository

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "handoffs.jsonl"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, record: HandoffRecord) -> str:
        """Keep `record` (or merge it into this customer's spooled one); returns the id it is kept under."""
        with self._locked():
            records = self._read()
            for index, kept in enumerate(records):
                if kept.bot_user_key == record.bot_user_key:
                    records[index] = merged(kept, record)
                    self._rewrite(records)
                    log.error("handoff %s: new lines added to the spooled %s", record.id, kept.id)
                    return kept.id
            with self.path.open("a", encoding="utf-8") as spool:
                spool.write(record.model_dump_json() + "\n")
                spool.flush()
                os.fsync(spool.fileno())
        log.error("handoff %s kept in the local spool until the store answers again", record.id)
        return record.id

    def pending(self) -> list[HandoffRecord]:
        with self._locked():
            return self._read()

    def drain(self, repo: HandoffRepository, dispatcher: Dispatcher) -> int:
        """Move spooled records into the repository and submit them; returns how many moved."""
        if not self.path.exists():
            return 0
        with self._locked():
            records, moved = self._read(), 0
            for index, record in enumerate(records):
                try:
                    if repo.keep_request(record).new:
                        dispatcher.submit(record.id)
                except Exception as exc:  # still down: keep this and the rest for the next drain
                    log.warning("spool drain stopped, store still unavailable: %s", type(exc).__name__)
                    self._rewrite(records[index:])
                    return moved
                moved += 1
            self._rewrite([])
        if moved:
            log.info("moved %d spooled handoff(s) into the store", moved)
        return moved

    def _read(self) -> list[HandoffRecord]:
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                records.append(HandoffRecord.model_validate_json(line))
            except ValidationError:
                log.error("unreadable line in the handoff spool kept aside")
                with (self.directory / "unreadable.jsonl").open("a", encoding="utf-8") as aside:
                    aside.write(line + "\n")
        return records

    def _rewrite(self, records: list[HandoffRecord]) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as spool:
            spool.writelines(r.model_dump_json() + "\n" for r in records)
            spool.flush()
            os.fsync(spool.fileno())
        temporary.replace(self.path)


def merged(kept: HandoffRecord, new: HandoffRecord) -> HandoffRecord:
    """One record for one customer: the first one, with the lines said since and the best facts."""
    last = max((e.at for e in kept.transcript), default=kept.created_at)
    lines = (*kept.transcript, *(e for e in new.transcript if e.at > last))
    update: dict[str, object] = {"transcript": lines}
    if new.facts and not kept.facts:  # the later request knew what was collected: keep it
        update.update(
            facts=new.facts,
            category=new.category,
            flow=new.flow,
            node=new.node,
            path=new.path,
            agent_notes=new.agent_notes,
        )
    return HandoffRecord.model_validate({**kept.model_dump(), **update})
