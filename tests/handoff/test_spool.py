"""The local spool: a handoff that could not be saved is kept on disk and moved in once the store is back."""

from __future__ import annotations

from pathlib import Path

from app.handoff.record import HandoffRecord
from app.handoff.repository import MemoryHandoffRepository
from app.handoff.spool import Spool
from app.session import StoreUnavailable
from tests.handoff.conftest import make_record


class FlakyRepository(MemoryHandoffRepository):
    """Down until `up` is set, like Redis during an outage."""

    def __init__(self) -> None:
        super().__init__()
        self.up = False

    def save(self, record: HandoffRecord) -> None:
        if not self.up:
            raise StoreUnavailable("redis down")
        super().save(record)


class Recorder:
    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, handoff_id: str) -> None:
        self.submitted.append(handoff_id)

    def close(self) -> None:
        pass


def test_spooled_records_survive_until_the_store_is_back(tmp_path: Path) -> None:
    spool, repo, dispatcher = Spool(tmp_path), FlakyRepository(), Recorder()
    first, second = make_record(), make_record(bot_user_key="c" * 66)  # two customers
    spool.add(first)
    spool.add(second)
    assert spool.drain(repo, dispatcher) == 0  # still down: nothing lost, nothing moved
    assert [r.id for r in Spool(tmp_path).pending()] == [first.id, second.id]  # on disk, for a new process
    repo.up = True
    assert spool.drain(repo, dispatcher) == 2
    assert {v.record.id for v in repo.list()} == {first.id, second.id}
    assert dispatcher.submitted == [first.id, second.id]
    assert spool.pending() == []
    assert spool.drain(repo, dispatcher) == 0


def test_a_record_comes_back_whole(tmp_path: Path) -> None:
    spool, repo = Spool(tmp_path), MemoryHandoffRepository()
    record = make_record()
    spool.add(record)
    spool.drain(repo, Recorder())
    view = repo.get(record.id)
    assert view is not None and view.record == record


def test_an_unreadable_line_is_kept_aside_not_lost(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    good = make_record()
    spool.add(good)
    with spool.path.open("a", encoding="utf-8") as raw:
        raw.write('{"broken": true\n')
    repo = MemoryHandoffRepository()
    assert spool.drain(repo, Recorder()) == 1
    assert repo.get(good.id) is not None
    assert '{"broken": true' in (tmp_path / "unreadable.jsonl").read_text(encoding="utf-8")


def test_empty_spool_is_a_no_op(tmp_path: Path) -> None:
    assert Spool(tmp_path / "never-written").drain(MemoryHandoffRepository(), Recorder()) == 0
