"""RFC 9162 section 2.1 Merkle tree hashing, proof building and proof verification.

Pure functions over bytes: proofs are built from stored perfect-subtree hashes supplied through a
`NodeGetter`, so storage (tiles, database, memory) stays outside this module.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
# RFC 9162 section 2.1.1: the hash of an empty list is the hash of an empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeGetter = Callable[[int, int], bytes]
"""``get(level, index)``: hash of the perfect subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes."""

# RFC 9162 section 2.1.1: distinct prefixes keep leaf and interior hashes apart (second preimages).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """Return MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right), an interior node (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root(entries: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) over raw entries (RFC 9162 section 2.1.1)."""
    return root_from_leaf_hashes([leaf_hash(entry) for entry in entries])


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) given the n leaf hashes (RFC 9162 section 2.1.1).

    Hashes level by level instead of recursing. Promoting an unpaired last node unchanged to the
    next level gives the same tree as the RFC's split at the largest power of two below n.
    """
    if not hashes:
        return EMPTY_ROOT
    sha256 = hashlib.sha256
    level = list(hashes)
    while len(level) > 1:
        unpaired = level[-1:] if len(level) % 2 else []
        pairs = zip(level[0::2], level[1::2], strict=False)
        level = [sha256(_NODE_PREFIX + left + right).digest() for left, right in pairs] + unpaired
    return level[0]


def _split(n: int) -> int:
    """Return k, the largest power of two smaller than n, for n > 1 (RFC 9162 section 2.1.1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(begin: int, end: int, get: NodeGetter) -> bytes:
    """Return MTH(D[begin:end]) from stored perfect-subtree hashes (RFC 9162 section 2.1.1).

    The range must be one that the RFC's recursive split produces: ``begin`` a multiple of the
    largest power of two not above ``end - begin``. Such a range splits into the perfect subtrees
    given by the binary digits of its size, so it costs one getter call per set bit.
    """
    size = end - begin
    if begin < 0 or size <= 0:
        raise ValueError(f"range [{begin}, {end}) is empty or negative")
    if begin % (1 << (size.bit_length() - 1)):
        raise ValueError(f"range [{begin}, {end}) is not a subtree of the RFC 9162 split")
    subtrees = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        subtrees.append(get(level, begin >> level))
        begin += 1 << level
    # MTH splits off the largest subtree first, so the smaller ones nest on the right.
    acc = subtrees.pop()
    for left in reversed(subtrees):
        acc = node_hash(left, acc)
    return acc


def root_at(size: int, get: NodeGetter) -> bytes:
    """Return the root hash of the tree of the first ``size`` leaves (RFC 9162 section 2.1.1)."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return EMPTY_ROOT if size == 0 else range_hash(0, size, get)


def inclusion_proof(index: int, size: int, get: NodeGetter) -> list[bytes]:
    """Return PATH(index, D[size]), the audit path from the leaf upwards (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path = []
    begin, end = 0, size
    while end - begin > 1:
        mid = begin + _split(end - begin)
        if index < mid:
            path.append(range_hash(mid, end, get))
            end = mid
        else:
            path.append(range_hash(begin, mid, get))
            begin = mid
    # The recursion above runs from the root down; the RFC lists the path from the leaf up.
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, get: NodeGetter) -> list[bytes]:
    """Return PROOF(old_size, D[new_size]) built by SUBPROOF (RFC 9162 section 2.1.4.1).

    The proof is empty when ``old_size`` is 0 or equal to ``new_size``: nothing needs proving.
    """
    if old_size < 0 or old_size > new_size:
        raise ValueError(f"cannot prove consistency from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof = []
    begin, end = 0, new_size
    # SUBPROOF's flag b: true while the old tree is still a left prefix of the current subtree.
    old_is_prefix = True
    while old_size < end:
        mid = begin + _split(end - begin)
        if old_size <= mid:
            proof.append(range_hash(mid, end, get))
            end = mid
        else:
            proof.append(range_hash(begin, mid, get))
            begin = mid
            old_is_prefix = False
    if not old_is_prefix:
        proof.append(range_hash(begin, end, get))
    proof.reverse()
    return proof


def _shift_until_odd(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift fn and sn equally until LSB(fn) is set or fn is 0 (RFC 9162 2.1.3.2, 2.1.4.2)."""
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def _all_hashes(hashes: Iterable[bytes]) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.

    Returns False, never raises, for any malformed input.
    """
    if not _all_hashes([leaf_hash, root, *proof]) or not 0 <= index < tree_size:
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_until_odd(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> bool:
    """Check a consistency proof with the algorithm of RFC 9162 section 2.1.4.2.

    Returns False, never raises, for any malformed input. A proof from size 0 is rejected as
    meaningless (every tree extends the empty one); equal sizes need an empty proof and equal
    roots, as in transparency-dev/merkle.
    """
    if not _all_hashes([old_root, new_root, *proof]) or not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_root, new_root)
    if not proof:
        return False
    path = list(proof)
    # When the old tree is a perfect subtree its root is a node of the new tree, so it is not sent.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            fn, sn = _shift_until_odd(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


class MemoryTree:
    """An append-only tree held in memory, every complete level kept so `get` is O(1).

    For tests, witnesses and other callers that hold the leaf hashes themselves.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> int:
        """Add a leaf hash and return its index."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf_hash)}")
        node = leaf_hash
        level = 0
        while True:
            nodes = self._levels[level]
            nodes.append(node)
            if len(nodes) % 2:
                return self.size - 1
            # A right child completes its parent's perfect subtree.
            node = node_hash(nodes[-2], node)
            level += 1
            if level == len(self._levels):
                self._levels.append([])

    def get(self, level: int, index: int) -> bytes:
        """Return the stored hash of a complete perfect subtree; this is a `NodeGetter`."""
        if not (0 <= level < len(self._levels) and 0 <= index < len(self._levels[level])):
            raise IndexError(f"no complete subtree at level {level}, index {index}")
        return self._levels[level][index]

    def root(self) -> bytes:
        """Return the root hash of the current tree."""
        return root_at(self.size, self.get)
