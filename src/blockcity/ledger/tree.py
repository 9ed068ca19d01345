"""The Merkle tree of the log, kept as tiles of stored subtree hashes.

Each tile holds 256 consecutive node hashes of one tree level (C2SP tlog-tiles) together with
the seven rows of inner hashes above them, so that any perfect subtree hash is one lookup and
an inclusion or consistency proof costs O(log n) reads, never a rehash of the log. Only the
rightmost tile of each level is ever rewritten, and only while it is partial.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256

from blockcity.errors import StorageError
from blockcity.ledger import merkle
from blockcity.ledger.store import TileKey, TileValue
from blockcity.ledger.tiles import TILE_HEIGHT, TILE_WIDTH

_HASH = merkle.HASH_SIZE

TileLoader = Callable[[int, int], TileValue | None]


def tile_rows(bottom: Sequence[bytes]) -> list[list[bytes]]:
    """The bottom row of a tile and the inner rows above it, ``TILE_HEIGHT`` rows in all.

    Row ``h`` holds the ``len(bottom) >> h`` perfect subtrees that fit in the tile's width.
    """
    rows = [list(bottom)]
    new = sha256
    for _ in range(1, TILE_HEIGHT):
        below = rows[-1]
        rows.append(
            [new(b"\x01" + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)]
        )
    return rows


def pack_rows(rows: Sequence[Sequence[bytes]]) -> bytes:
    return b"".join(b"".join(row) for row in rows)


def unpack_bottom_row(width: int, hashes: bytes) -> list[bytes]:
    return [hashes[i * _HASH : (i + 1) * _HASH] for i in range(width)]


def _row_offset(width: int, row: int) -> int:
    if width == TILE_WIDTH:
        return _FULL_TILE_OFFSETS[row]
    return sum(width >> r for r in range(row)) * _HASH


_FULL_TILE_OFFSETS = [
    sum(TILE_WIDTH >> r for r in range(row)) * _HASH for row in range(TILE_HEIGHT)
]


def missing_tile(level: int, index: int) -> StorageError:
    return StorageError(
        f"tile {level}/{index} is missing or too short in storage; run `blockcity ledger audit`",
        f"저장소에 타일 {level}/{index}가 없거나 짧습니다. `blockcity ledger audit`을 실행하세요",
    )


@dataclass(frozen=True, slots=True)
class TreeAppend:
    """What an append would change; nothing is adopted until ``TileTree.accept``."""

    old_size: int
    new_size: int
    tiles: dict[TileKey, TileValue]
    frontier: dict[int, list[bytes]]


class TileTree:
    """The append frontier and a cached view of the stored tiles."""

    def __init__(self, size: int, load: TileLoader, cache_tiles: int = 4096) -> None:
        self.size = size
        self._load = load
        self._cache: OrderedDict[TileKey, TileValue] = OrderedDict()
        self._cache_limit = cache_tiles
        self._frontier = self._read_frontier(size)

    def _read_frontier(self, size: int) -> dict[int, list[bytes]]:
        """The partial (rightmost) tile of every level, as stored for a tree of ``size``."""
        frontier: dict[int, list[bytes]] = {}
        level = 0
        while size >> (TILE_HEIGHT * level):
            count = size >> (TILE_HEIGHT * level)
            width = count % TILE_WIDTH
            if width:
                stored = self.tile(level, count // TILE_WIDTH)
                if stored is None or stored[0] < width:
                    raise missing_tile(level, count // TILE_WIDTH)
                frontier[level] = unpack_bottom_row(width, stored[1])
            level += 1
        return frontier

    def tile(self, level: int, index: int) -> TileValue | None:
        key = (level, index)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        loaded = self._load(level, index)
        if loaded is not None:
            self._remember(key, loaded)
        return loaded

    def _remember(self, key: TileKey, value: TileValue) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        if len(self._cache) > self._cache_limit:
            self._cache.popitem(last=False)

    def node(self, level: int, index: int, pending: Mapping[TileKey, TileValue] = {}) -> bytes:
        """The hash of the perfect subtree at ``(level, index)``; raises if it is not stored."""
        tile_level, row = divmod(level, TILE_HEIGHT)
        shift = TILE_HEIGHT - row
        tile_index = index >> shift
        position = index - (tile_index << shift)
        stored = pending.get((tile_level, tile_index)) or self.tile(tile_level, tile_index)
        if stored is None or position >= (stored[0] >> row):
            raise missing_tile(tile_level, tile_index)
        width, hashes = stored
        start = _row_offset(width, row) + position * _HASH
        return hashes[start : start + _HASH]

    def getter(self, pending: Mapping[TileKey, TileValue] = {}) -> merkle.NodeGetter:
        return lambda level, index: self.node(level, index, pending)

    def root(self, size: int | None = None) -> bytes:
        return merkle.root_at(self.size if size is None else size, self.getter())

    def append(self, leaf_hashes: Sequence[bytes]) -> TreeAppend:
        """Compute the tiles that appending ``leaf_hashes`` writes; change nothing yet."""
        tiles: dict[TileKey, TileValue] = {}
        frontier = dict(self._frontier)
        carry = list(leaf_hashes)
        level = 0
        while carry:
            row = frontier.get(level, []) + carry
            first_tile = self.size >> (TILE_HEIGHT * (level + 1))
            full = len(row) // TILE_WIDTH
            carry = []
            for t in range(full):
                rows = tile_rows(row[t * TILE_WIDTH : (t + 1) * TILE_WIDTH])
                tiles[(level, first_tile + t)] = (TILE_WIDTH, pack_rows(rows))
                carry.append(merkle.node_hash(rows[-1][0], rows[-1][1]))
            rest = row[full * TILE_WIDTH :]
            if rest:
                tiles[(level, first_tile + full)] = (len(rest), pack_rows(tile_rows(rest)))
            frontier[level] = rest
            level += 1
        return TreeAppend(self.size, self.size + len(leaf_hashes), tiles, frontier)

    def accept(self, change: TreeAppend) -> None:
        """Adopt an append after its tiles were durably committed."""
        if change.old_size != self.size:
            raise RuntimeError("a tree append was accepted out of order")
        for key, value in change.tiles.items():
            self._remember(key, value)
        self._frontier = {lv: row for lv, row in change.frontier.items() if row}
        self.size = change.new_size
