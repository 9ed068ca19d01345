"""The ledger: an append-only Merkle log of entries sealed into hash-chained blocks.

``Ledger.append`` seals one block: it hashes the entries into the tile tree, signs the
block's checkpoint, and commits entries, tiles and block in one durable transaction; only then
does it return receipts. Proofs are read from the stored tiles (O(log n) lookups).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any, Protocol

from blockcity.errors import InvalidInput, NotFound, StorageError
from blockcity.ledger import merkle
from blockcity.ledger.blocks import GENESIS_PREV, BlockHeader, format_time
from blockcity.ledger.checkpoint import Checkpoint, sign_checkpoint
from blockcity.ledger.note import Signer
from blockcity.ledger.store import LedgerStore, NewEntry, StoredBlock, StoredEntry
from blockcity.ledger.tree import TileTree
from blockcity.ledger.witness import WitnessConflict

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class WitnessClient(Protocol):
    """A witness the log asks to cosign each checkpoint (C2SP tlog-witness add-checkpoint)."""

    @property
    def name(self) -> str: ...

    def add_checkpoint(self, old_size: int, proof: list[bytes], signed_checkpoint: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of acknowledgement: the entry is durably in this block at this index."""

    index: int
    block_height: int
    tree_size: int
    leaf_hash: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "block": self.block_height,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
        }


@dataclass(frozen=True, slots=True)
class SealedBlock:
    """The outcome of one append: the block and the leaf hash of each of its entries."""

    height: int
    first_index: int
    tree_size: int
    leaf_hashes: list[bytes]

    def receipts(self) -> list[Receipt]:
        return [
            Receipt(self.first_index + i, self.height, self.tree_size, h)
            for i, h in enumerate(self.leaf_hashes)
        ]


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    path: list[bytes]
    root: bytes

    def verify(self) -> bool:
        return merkle.verify_inclusion(
            self.leaf_hash, self.index, self.tree_size, self.path, self.root
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "path": [h.hex() for h in self.path],
            "root": self.root.hex(),
        }


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    path: list[bytes]
    old_root: bytes
    new_root: bytes

    def verify(self) -> bool:
        return merkle.verify_consistency(
            self.old_size, self.new_size, self.path, self.old_root, self.new_root
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "path": [h.hex() for h in self.path],
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
        }


class Ledger:
    """One log: its store, its signing key and its origin line (C2SP tlog-checkpoint)."""

    def __init__(
        self,
        store: LedgerStore,
        origin: str,
        verifier_key: str,
        *,
        signer: Signer | None = None,
        clock: Clock = utc_now,
        witnesses: Sequence[WitnessClient] = (),
    ) -> None:
        self.store = store
        self.origin = origin
        self._verifier_key = verifier_key
        self._signer = signer
        self.clock = clock
        self.witnesses = list(witnesses)
        self._lock = threading.RLock()
        latest = store.latest_block()
        self._latest = BlockHeader.decode(latest.header) if latest else None
        self.tree = TileTree(self._latest.tree_size if self._latest else 0, store.tile)
        if self._latest and self.tree.root() != self._latest.root:
            raise StorageError(
                "the stored tiles do not match the latest block's root; "
                "run `blockcity ledger audit` to find the damage",
                "저장된 타일이 최신 블록의 루트와 맞지 않습니다. `blockcity ledger audit`으로 "
                "손상 위치를 찾으세요",
            )

    @property
    def size(self) -> int:
        return self.tree.size

    @property
    def latest_block(self) -> BlockHeader | None:
        return self._latest

    def verifier_key(self) -> str:
        return self._verifier_key

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            raise StorageError(
                "this ledger was opened read-only; it cannot sign",
                "읽기 전용 원장은 서명할 수 없습니다",
            )
        return self._signer

    def append(self, entries: Sequence[NewEntry]) -> SealedBlock:
        """Seal ``entries`` into one new block and return once it is durably committed."""
        if not entries:
            raise InvalidInput(
                "a block needs at least one entry", "블록에는 항목이 하나 이상 필요합니다"
            )
        # Inlined RFC 9162 leaf hash: this line runs once per entry on the bulk path.
        leaves = [sha256(b"\x00" + e.data).digest() for e in entries]
        with self._lock:
            change = self.tree.append(leaves)
            root = merkle.root_at(change.new_size, self.tree.getter(change.tiles))
            previous = self._latest
            header = BlockHeader(
                height=previous.height + 1 if previous else 0,
                prev=previous.hash() if previous else GENESIS_PREV,
                first_index=change.old_size,
                tree_size=change.new_size,
                root=root,
                time=format_time(self.clock()),
            )
            note = sign_checkpoint(Checkpoint(self.origin, change.new_size, root), self.signer)
            self.store.commit_block(
                change.old_size,
                entries,
                change.tiles,
                StoredBlock(
                    header.height,
                    header.encode(),
                    header.hash(),
                    header.first_index,
                    header.tree_size,
                    note,
                ),
            )
            self.tree.accept(change)
            self._latest = header
            self._ask_witnesses(header, note)
        return SealedBlock(header.height, change.old_size, change.new_size, leaves)

    def _ask_witnesses(self, header: BlockHeader, note: str) -> None:
        """Collect cosignatures; a witness that fails never undoes an acknowledged block."""
        for witness in self.witnesses:
            key = f"witness.{witness.name}.size"
            try:
                old_size = int(self.store.get_meta(key) or 0)
                try:
                    line = witness.add_checkpoint(old_size, self._proof_path(old_size), note)
                except WitnessConflict as conflict:
                    # The witness saw another size (say, our meta was lost): prove from its size.
                    line = witness.add_checkpoint(
                        conflict.size, self._proof_path(conflict.size), note
                    )
                self.store.add_cosignature(header.height, witness.name, line)
                self.store.set_meta(key, str(header.tree_size))
            except Exception as exc:  # noqa: BLE001 - a witness outage must not stop the log
                log.warning(
                    "witness %s did not cosign block %d: %s", witness.name, header.height, exc
                )

    def _proof_path(self, old_size: int) -> list[bytes]:
        return self.consistency_proof(old_size).path if 0 < old_size < self.size else []

    def checkpoint(self) -> str:
        """The latest signed checkpoint with every witness cosignature collected for it."""
        with self._lock:
            latest = self.store.latest_block()
        if latest is None:
            return sign_checkpoint(Checkpoint(self.origin, 0, merkle.EMPTY_ROOT), self.signer)
        return self.published_note(latest)

    def published_note(self, block: StoredBlock) -> str:
        """A block's signed checkpoint followed by the witness cosignatures collected for it."""
        with self._lock:
            lines = [line for _, line in self.store.cosignatures(block.height)]
        return block.checkpoint + "".join(
            line if line.endswith("\n") else line + "\n" for line in lines
        )

    def block(self, height: int) -> StoredBlock:
        latest = self._latest.height if self._latest else -1
        with self._lock:
            found = self.store.block(height) if 0 <= height <= latest else None
        if found is None:
            top = self._latest.height if self._latest else -1
            raise NotFound(
                f"no block at height {height}; the latest block is {top}",
                f"높이 {height}의 블록이 없습니다. 최신 블록은 {top}입니다",
            )
        return found

    def blocks(self, start: int, limit: int, descending: bool = False) -> list[StoredBlock]:
        latest = self._latest.height if self._latest else -1
        start = max(0, min(start, latest + 1))
        with self._lock:
            return self.store.blocks(start, limit, descending)

    def block_containing(self, index: int) -> StoredBlock:
        self._check_index(index)
        with self._lock:
            found = self.store.block_containing(index)
        if found is None:
            raise StorageError(
                f"entry {index} has no block; run `blockcity ledger audit`",
                f"항목 {index}의 블록이 없습니다. `blockcity ledger audit`을 실행하세요",
            )
        return found

    def entry(self, index: int) -> StoredEntry:
        self._check_index(index)
        with self._lock:
            found = self.store.entry(index)
        if found is None:
            raise StorageError(
                f"entry {index} is missing from storage; run `blockcity ledger audit`",
                f"저장소에 항목 {index}가 없습니다. `blockcity ledger audit`을 실행하세요",
            )
        return found

    def entry_by_id(self, entry_id: str) -> StoredEntry:
        with self._lock:
            found = self.store.entry_by_id(entry_id)
        if found is None or found.index >= self.size:
            raise NotFound(f"no entry with id {entry_id}", f"id가 {entry_id}인 항목이 없습니다")
        return found

    def _check_index(self, index: int, size: int | None = None) -> None:
        size = self.size if size is None else size
        if not 0 <= index < size:
            raise NotFound(
                f"entry index {index} is outside the tree of size {size} (valid: 0 to {size - 1})",
                f"항목 번호 {index}는 크기 {size}인 트리 밖에 있습니다(유효 범위: 0~{size - 1})",
            )

    def _check_size(self, tree_size: int) -> None:
        if not 0 <= tree_size <= self.size:
            raise NotFound(
                f"tree size {tree_size} is beyond the current tree size {self.size}",
                f"트리 크기 {tree_size}는 현재 크기 {self.size}보다 큽니다",
            )

    def root(self, tree_size: int | None = None) -> bytes:
        size = self.size if tree_size is None else tree_size
        self._check_size(size)
        with self._lock:
            return self.tree.root(size)

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> InclusionProof:
        size = self.size if tree_size is None else tree_size
        self._check_size(size)
        self._check_index(index, size)
        with self._lock:
            get = self.tree.getter()
            return InclusionProof(
                index=index,
                tree_size=size,
                leaf_hash=get(0, index),
                path=merkle.inclusion_proof(index, size, get),
                root=merkle.root_at(size, get),
            )

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        new = self.size if new_size is None else new_size
        self._check_size(new)
        if not 0 < old_size <= new:
            raise InvalidInput(
                f"old size {old_size} must be between 1 and the new size {new}",
                f"이전 크기 {old_size}는 1 이상 새 크기 {new} 이하여야 합니다",
            )
        with self._lock:
            get = self.tree.getter()
            return ConsistencyProof(
                old_size=old_size,
                new_size=new,
                path=merkle.consistency_proof(old_size, new, get),
                old_root=merkle.root_at(old_size, get),
                new_root=merkle.root_at(new, get),
            )

    def close(self) -> None:
        with self._lock:
            self.store.close()
