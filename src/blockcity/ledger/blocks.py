"""Block headers: the hash chain over the log.

A block seals a run of entries. Its header names its height, the previous block's hash, the
first entry index, the tree size and Merkle root after the block, and the sealing time; the
header's hash is SHA-256 over its RFC 8785 canonical JSON, and the next block links to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from blockcity.errors import InvalidInput

GENESIS_PREV = bytes(32)
"""The ``prev`` of block 0: no block came before it."""


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, e.g. ``2026-11-25T09:41:00.123Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class BlockHeader:
    height: int
    prev: bytes
    first_index: int
    tree_size: int
    root: bytes
    time: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "prev": self.prev.hex(),
            "first": self.first_index,
            "size": self.tree_size,
            "root": self.root.hex(),
            "time": self.time,
        }

    def encode(self) -> bytes:
        """The canonical JSON bytes; only ints and ASCII strings, so sorted compact JSON is
        already RFC 8785 form."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()

    def hash(self) -> bytes:
        return sha256(self.encode()).digest()

    @classmethod
    def decode(cls, data: bytes) -> BlockHeader:
        try:
            raw = json.loads(data)
            header = cls(
                height=int(raw["height"]),
                prev=bytes.fromhex(raw["prev"]),
                first_index=int(raw["first"]),
                tree_size=int(raw["size"]),
                root=bytes.fromhex(raw["root"]),
                time=str(raw["time"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"not a block header: {exc}", f"블록 헤더가 아닙니다: {exc}"
            ) from exc
        if header.encode() != data:
            raise InvalidInput(
                "block header is not in canonical form", "블록 헤더가 정규 형식이 아닙니다"
            )
        return header
