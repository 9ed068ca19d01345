"""The sequencer: blocks sealed by count or by time, many writers at once, duplicates."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from blockcity.errors import Conflict
from blockcity.ledger import merkle
from blockcity.ledger.log import Ledger
from blockcity.ledger.sequencer import Sequencer
from blockcity.ledger.store import NewEntry


def test_a_block_is_sealed_when_max_entries_wait(ledger: Ledger) -> None:
    sequencer = Sequencer(ledger, max_entries=10, max_delay=5.0)
    futures = sequencer.submit_many([NewEntry(b"e%d" % i) for i in range(25)])
    receipts = [f.result(timeout=10) for f in futures[:20]]
    assert [r.block_height for r in receipts] == [0] * 10 + [1] * 10
    sequencer.close()
    assert futures[-1].result(timeout=10).block_height == 2
    assert ledger.size == 25


def test_a_lone_entry_waits_at_most_max_delay(ledger: Ledger) -> None:
    sequencer = Sequencer(ledger, max_entries=1000, max_delay=0.05)
    started = time.monotonic()
    receipt = sequencer.append(NewEntry(b"alone"))
    assert time.monotonic() - started < 2.0
    assert receipt.index == 0
    sequencer.close()


def test_many_writers_get_distinct_indexes_and_one_consistent_tree(ledger: Ledger) -> None:
    sequencer = Sequencer(ledger, max_entries=64, max_delay=0.01)

    def write(worker: int) -> list[int]:
        return [sequencer.append(NewEntry(b"w%d-%d" % (worker, i))).index for i in range(50)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        indexes = [i for batch in pool.map(write, range(8)) for i in batch]
    sequencer.close()
    assert sorted(indexes) == list(range(400))
    stored = [e.data for e in ledger.store.entries(0, 400)]
    assert ledger.root() == merkle.root(stored)


def test_resubmission_returns_the_first_receipt_and_a_reused_id_conflicts(ledger: Ledger) -> None:
    sequencer = Sequencer(ledger, max_entries=100, max_delay=0.01)
    entry = NewEntry(b"payload", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "t.x.y")
    first = sequencer.append(entry)
    assert sequencer.append(entry) == first
    with pytest.raises(Conflict):
        sequencer.append(NewEntry(b"other", entry.entry_id, "t.x.y"))
    assert ledger.size == 1
    sequencer.close()


def test_duplicates_inside_one_block_do_not_fail_the_others(ledger: Ledger) -> None:
    sequencer = Sequencer(ledger, max_entries=100, max_delay=0.2)
    same = NewEntry(b"same", "2b4e28ba-2fa1-11d2-883f-0016d3cca427", "t.x.y")
    clash = NewEntry(b"clash", same.entry_id, "t.x.y")
    futures = sequencer.submit_many([same, NewEntry(b"plain"), same, clash])
    assert futures[0].result(10) == futures[2].result(10)
    assert futures[1].result(10).index == 1
    with pytest.raises(Conflict):
        futures[3].result(10)
    sequencer.close()
    assert ledger.size == 2


def test_a_failed_commit_fails_every_waiting_entry_and_the_next_block_succeeds(
    ledger: Ledger,
) -> None:
    sequencer = Sequencer(ledger, max_entries=3, max_delay=0.05)
    original = ledger.append
    failing = threading.Event()
    failing.set()

    def flaky(entries: list[NewEntry]) -> object:
        if failing.is_set():
            failing.clear()
            raise RuntimeError("simulated I/O error")
        return original(entries)

    ledger.append = flaky  # type: ignore[method-assign,assignment]
    futures = sequencer.submit_many([NewEntry(b"a"), NewEntry(b"b"), NewEntry(b"c")])
    for future in futures:
        with pytest.raises(Exception, match="could not be committed"):
            future.result(10)
    assert sequencer.append(NewEntry(b"d"), timeout=10).index == 0
    sequencer.close()
