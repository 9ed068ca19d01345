"""The audit: recompute every hash, signature and chain link from storage alone.

It trusts nothing it reads: it rebuilds the Merkle tree from the stored entry bytes, checks
each block header against the rebuilt root and the previous block's hash, checks each
checkpoint's signature with the log's verifier key, re-checks every signed entry, and
compares the stored tiles with the rebuilt ones. It names the first bad block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blockcity.errors import BlockcityError
from blockcity.ledger import merkle
from blockcity.ledger.blocks import GENESIS_PREV, BlockHeader
from blockcity.ledger.checkpoint import open_checkpoint
from blockcity.ledger.store import LedgerStore, StoredBlock, TileKey, TileValue
from blockcity.ledger.tiles import TILE_HEIGHT, TILE_WIDTH
from blockcity.ledger.tree import TileTree

MAX_PROBLEMS = 100

EntryChecker = Callable[[bytes], Any]
"""Re-checks a signed entry's schema and signatures (``EntryValidator.check``) and returns
the checked entry (with ``id`` and ``type``); raises if it is bad."""


@dataclass(frozen=True, slots=True)
class Problem:
    block: int | None
    what: str

    def to_dict(self) -> dict[str, Any]:
        return {"block": self.block, "problem": self.what}


@dataclass
class AuditReport:
    blocks: int = 0
    entries: int = 0
    tree_size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_block(self) -> int | None:
        blocks = [p.block for p in self.problems if p.block is not None]
        return min(blocks) if blocks else None

    def add(self, block: int | None, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(block, what))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "blocks": self.blocks,
            "entries": self.entries,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "first_bad_block": self.first_bad_block,
            "problems": [p.to_dict() for p in self.problems],
        }


def audit(
    store: LedgerStore,
    log_verifier_key: str,
    origin: str,
    check_entry: EntryChecker | None = None,
) -> AuditReport:
    report = AuditReport()
    rebuilt: dict[TileKey, TileValue] = {}
    tree = TileTree(0, lambda level, index: rebuilt.get((level, index)))
    expected_prev, expected_height = GENESIS_PREV, 0
    page = 1000
    while True:
        rows = store.blocks(expected_height, page)
        if not rows:
            break
        for row in rows:
            if row.height != expected_height:
                report.add(expected_height, f"block {expected_height} is missing")
                expected_height = row.height
            header = _check_block(row, expected_prev, tree.size, log_verifier_key, origin, report)
            _replay_entries(store, row, tree, rebuilt, check_entry, report)
            if header is not None and tree.root() != header.root:
                report.add(
                    row.height,
                    f"block {row.height}: its entries hash to a different root than its header "
                    "(an entry was altered, removed, inserted or reordered)",
                )
            expected_prev = header.hash() if header else row.hash
            expected_height = row.height + 1
            report.blocks += 1
    report.tree_size = tree.size
    report.root = tree.root()
    stored_count = store.entry_count()
    if stored_count != tree.size:
        report.add(
            expected_height - 1 if expected_height else None,
            f"{stored_count} entries are stored but the blocks cover {tree.size}: "
            "entries were inserted after the last block or removed",
        )
    _compare_tiles(store, rebuilt, report)
    if check_entry is not None:
        _check_id_index(store, tree.size, check_entry, report)
    return report


def _check_id_index(
    store: LedgerStore, size: int, check_entry: EntryChecker, report: AuditReport
) -> None:
    """The id index must point each id at the entry that carries it."""
    indexed = 0
    for entry_id, index, entry_type in store.entry_ids():
        indexed += 1
        stored = store.entry(index) if index < size else None
        holder = store.block_containing(index)
        height = holder.height if holder else None
        if stored is None:
            report.add(height, f"id {entry_id} points at entry {index}, which is not stored")
            continue
        try:
            checked = check_entry(stored.data)
        except BlockcityError:
            continue
        if (checked.id, checked.type) != (entry_id, entry_type):
            report.add(height, f"id index: entry {index} is not {entry_id} ({entry_type})")
    if indexed != size:
        report.add(None, f"the id index lists {indexed} entries but the tree holds {size}")


def _check_block(
    row: StoredBlock,
    expected_prev: bytes,
    expected_first: int,
    log_verifier_key: str,
    origin: str,
    report: AuditReport,
) -> BlockHeader | None:
    h = row.height
    try:
        header = BlockHeader.decode(row.header)
    except BlockcityError as exc:
        report.add(h, f"block {h}: header unreadable ({exc})")
        return None
    if header.hash() != row.hash:
        report.add(h, f"block {h}: stored hash does not match its header")
    if (
        header.height != h
        or header.first_index != row.first_index
        or (header.tree_size != row.tree_size)
    ):
        report.add(h, f"block {h}: indexed columns disagree with the header")
    if header.prev != expected_prev:
        report.add(h, f"block {h}: 'prev' does not link to block {h - 1}'s hash")
    if header.first_index != expected_first:
        report.add(h, f"block {h}: starts at entry {header.first_index}, expected {expected_first}")
    if header.tree_size <= header.first_index:
        report.add(h, f"block {h}: holds no entries")
    try:
        checkpoint, _ = open_checkpoint(row.checkpoint, [log_verifier_key])
    except BlockcityError as exc:
        report.add(h, f"block {h}: checkpoint signature does not verify ({exc.message_en})")
        return header
    if (checkpoint.origin, checkpoint.size, checkpoint.root) != (
        origin,
        header.tree_size,
        header.root,
    ):
        report.add(h, f"block {h}: checkpoint does not state this block's origin, size and root")
    return header


def _replay_entries(
    store: LedgerStore,
    row: StoredBlock,
    tree: TileTree,
    rebuilt: dict[TileKey, TileValue],
    check_entry: EntryChecker | None,
    report: AuditReport,
) -> None:
    leaves: list[bytes] = []
    expected = row.first_index
    try:
        for entry in store.entries(row.first_index, row.tree_size):
            if entry.index != expected:
                report.add(row.height, f"block {row.height}: entry {expected} is missing")
                expected = entry.index
            leaves.append(merkle.leaf_hash(entry.data))
            if check_entry is not None:
                try:
                    check_entry(entry.data)
                except BlockcityError as exc:
                    report.add(row.height, f"entry {entry.index}: {exc.message_en}")
            expected += 1
            report.entries += 1
    except BlockcityError as exc:
        report.add(row.height, f"block {row.height}: entries unreadable ({exc.message_en})")
    if expected < row.tree_size:
        report.add(
            row.height, f"block {row.height}: entries {expected}..{row.tree_size - 1} missing"
        )
    if leaves:
        change = tree.append(leaves)
        rebuilt.update(change.tiles)
        tree.accept(change)


def _compare_tiles(
    store: LedgerStore, rebuilt: dict[TileKey, TileValue], report: AuditReport
) -> None:
    seen: set[TileKey] = set()
    for level, index, width, hashes in store.all_tiles():
        key = (level, index)
        seen.add(key)
        expected = rebuilt.get(key)
        if expected != (width, hashes):
            block = store.block_containing(_writing_leaf(level, index, width, hashes, expected))
            report.add(
                block.height if block else None,
                f"stored tile {level}/{index} differs from the tile rebuilt from the entries",
            )
    for key in rebuilt.keys() - seen:
        report.add(None, f"tile {key[0]}/{key[1]} is missing from storage")


def _writing_leaf(
    level: int, index: int, width: int, stored: bytes, expected: TileValue | None
) -> int:
    """The last leaf under the first hash where a stored tile departs from the rebuilt one:
    the block holding that leaf is the block whose commit wrote the hash."""
    size = merkle.HASH_SIZE
    offset = 0
    for row in range(TILE_HEIGHT):
        count = width >> row
        for position in range(count):
            start = offset + position * size
            if (
                expected is None
                or stored[start : start + size] != expected[1][start : start + size]
            ):
                subtrees_before = index * TILE_WIDTH + (position + 1) * (1 << row)
                return (subtrees_before << (TILE_HEIGHT * level)) - 1
        offset += count * size
    return ((index * TILE_WIDTH + width) << (TILE_HEIGHT * level)) - 1
