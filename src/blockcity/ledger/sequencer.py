"""The sequencer: orders submitted entries and seals them into blocks.

Submissions from many threads wait in one queue; a single writer thread seals a block when
``max_entries`` are waiting or ``max_delay`` has passed since the first of them, commits it
durably, and only then resolves each submission's future with its receipt.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from blockcity.errors import BlockcityError, Conflict, StorageError
from blockcity.ledger.log import Ledger, Receipt
from blockcity.ledger.merkle import leaf_hash
from blockcity.ledger.store import NewEntry


@dataclass(slots=True)
class _Pending:
    entry: NewEntry
    future: Future[Receipt]


_STOP = object()


class Sequencer:
    def __init__(self, ledger: Ledger, *, max_entries: int = 1000, max_delay: float = 0.05) -> None:
        if max_entries < 1 or max_delay <= 0:
            raise ValueError("a block needs max_entries >= 1 and a positive max_delay")
        self.ledger = ledger
        self.max_entries = max_entries
        self.max_delay = max_delay
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="sequencer", daemon=True)
        self._thread.start()

    def submit(self, entry: NewEntry) -> Future[Receipt]:
        return self.submit_many([entry])[0]

    def submit_many(self, entries: Sequence[NewEntry]) -> list[Future[Receipt]]:
        if self._closed:
            raise StorageError("the ledger is shutting down", "원장이 종료 중입니다")
        futures: list[Future[Receipt]] = []
        for entry in entries:
            future: Future[Receipt] = Future()
            self._queue.put(_Pending(entry, future))
            futures.append(future)
        return futures

    def append(self, entry: NewEntry, timeout: float = 30.0) -> Receipt:
        """Submit one entry and wait until its block is durable."""
        return self.submit(entry).result(timeout)

    def close(self) -> None:
        """Seal what is waiting, then stop the writer thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            assert isinstance(first, _Pending)
            batch = [first]
            deadline = time.monotonic() + self.max_delay
            while len(batch) < self.max_entries:
                remaining = deadline - time.monotonic()
                try:
                    item = (
                        self._queue.get(timeout=max(remaining, 0))
                        if remaining > 0
                        else (self._queue.get_nowait())
                    )
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                assert isinstance(item, _Pending)
                batch.append(item)
            self._seal(batch)

    def _seal(self, batch: list[_Pending]) -> None:
        accepted = self._screen_duplicates(batch)
        if not accepted:
            return
        try:
            receipts = self.ledger.append([p.entry for p in accepted]).receipts()
        except BlockcityError as exc:
            for p in accepted:
                p.future.set_exception(exc)
            return
        except Exception as exc:  # noqa: BLE001 - the writer thread must outlive any failure
            error = StorageError(
                f"the block could not be committed: {exc}", f"블록을 기록하지 못했습니다: {exc}"
            )
            for p in accepted:
                p.future.set_exception(error)
            return
        for p, receipt in zip(accepted, receipts, strict=True):
            p.future.set_result(receipt)

    def _screen_duplicates(self, batch: list[_Pending]) -> list[_Pending]:
        """Answer resubmissions from the ledger and refuse reused ids, so one duplicate never
        fails the rest of its block."""
        accepted: list[_Pending] = []
        seen: dict[str, _Pending] = {}
        for p in batch:
            entry_id = p.entry.entry_id
            if entry_id is None:
                accepted.append(p)
                continue
            try:
                stored = self.ledger.store.entry_by_id(entry_id)
            except BlockcityError as exc:
                p.future.set_exception(exc)
                continue
            if stored is not None:
                if stored.data == p.entry.data:
                    block = self.ledger.block_containing(stored.index)
                    p.future.set_result(
                        Receipt(stored.index, block.height, block.tree_size, leaf_hash(stored.data))
                    )
                else:
                    p.future.set_exception(_reused_id(entry_id))
            elif entry_id in seen:
                if seen[entry_id].entry.data == p.entry.data:
                    seen[entry_id].future.add_done_callback(_mirror(p.future))
                else:
                    p.future.set_exception(_reused_id(entry_id))
            else:
                seen[entry_id] = p
                accepted.append(p)
        return accepted


def _reused_id(entry_id: str) -> Conflict:
    return Conflict(
        f"entry id {entry_id} is already used by a different entry; give every entry a new id",
        f"항목 id {entry_id}는 다른 항목이 이미 쓰고 있습니다. 항목마다 새 id를 쓰세요",
    )


def _mirror(target: Future[Receipt]) -> Callable[[Future[Receipt]], None]:
    def copy(source: Future[Receipt]) -> None:
        error = source.exception()
        if error is not None:
            target.set_exception(error)
        else:
            target.set_result(source.result())

    return copy
