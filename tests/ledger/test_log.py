"""The ledger's append path: blocks, checkpoints, proofs from stored tiles, reopening."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.errors import InvalidInput, NotFound, StorageError
from blockcity.ledger import merkle
from blockcity.ledger.blocks import GENESIS_PREV, BlockHeader
from blockcity.ledger.checkpoint import open_checkpoint
from blockcity.ledger.log import Ledger
from blockcity.ledger.note import NoteVerificationError, Signer
from tests.ledger.conftest import ORIGIN, open_ledger, raw


def test_append_returns_receipts_and_seals_one_block(ledger: Ledger) -> None:
    receipts = ledger.append(raw(5)).receipts()
    assert [r.index for r in receipts] == [0, 1, 2, 3, 4]
    assert {r.block_height for r in receipts} == {0}
    assert receipts[0].leaf_hash == merkle.leaf_hash(b"entry 0")
    header = ledger.latest_block
    assert header is not None
    assert (header.height, header.first_index, header.tree_size) == (0, 0, 5)
    assert header.prev == GENESIS_PREV
    assert header.root == merkle.root([f"entry {i}".encode() for i in range(5)])


def test_blocks_chain_by_hash(ledger: Ledger) -> None:
    ledger.append(raw(3))
    first = ledger.latest_block
    ledger.append(raw(4, 3))
    second = ledger.latest_block
    assert first is not None and second is not None
    assert second.prev == first.hash()
    assert (second.height, second.first_index, second.tree_size) == (1, 3, 7)


def test_checkpoint_is_a_signed_note_of_the_latest_root(ledger: Ledger) -> None:
    ledger.append(raw(10))
    checkpoint, _ = open_checkpoint(ledger.checkpoint(), [ledger.verifier_key()])
    assert (checkpoint.origin, checkpoint.size) == (ORIGIN, 10)
    assert checkpoint.root == ledger.root()


def test_checkpoint_from_another_key_is_refused(ledger: Ledger) -> None:
    ledger.append(raw(2))
    stranger = Signer.from_seed(ORIGIN, bytes(32))
    with pytest.raises(NoteVerificationError):
        open_checkpoint(ledger.checkpoint(), [stranger.verifier_key()])


@settings(max_examples=25, deadline=None)
@given(batches=st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=5))
def test_proofs_from_tiles_match_a_tree_built_in_memory(
    tmp_path_factory: pytest.TempPathFactory, batches: list[int]
) -> None:
    signer = Signer.from_seed(ORIGIN, bytes(range(32)))
    ledger = open_ledger(tmp_path_factory.mktemp("log"), signer)
    try:
        entries: list[bytes] = []
        sizes = []
        for n in batches:
            batch = raw(n, len(entries))
            ledger.append(batch)
            entries += [e.data for e in batch]
            sizes.append(len(entries))
        size = len(entries)
        assert ledger.root() == merkle.root(entries)
        for index in {0, size // 2, size - 1}:
            proof = ledger.inclusion_proof(index)
            assert proof.verify()
            assert proof.root == merkle.root(entries)
        for old in sizes:
            consistency = ledger.consistency_proof(old)
            assert consistency.old_root == merkle.root(entries[:old])
            assert consistency.verify()
    finally:
        ledger.close()


def test_reopened_ledger_continues_the_same_tree(tmp_path: Path, log_signer: Signer) -> None:
    first = open_ledger(tmp_path, log_signer)
    first.append(raw(300))
    first.append(raw(70, 300))
    root = first.root()
    first.close()
    second = open_ledger(tmp_path, log_signer)
    assert second.size == 370 and second.root() == root
    second.append(raw(500, 370))
    assert second.root() == merkle.root([f"entry {i}".encode() for i in range(870)])
    second.close()


def test_second_writer_on_the_same_folder_is_refused(tmp_path: Path, log_signer: Signer) -> None:
    first = open_ledger(tmp_path, log_signer)
    try:
        with pytest.raises(StorageError, match="already writing"):
            open_ledger(tmp_path, log_signer)
    finally:
        first.close()


def test_index_beyond_the_tree_is_not_found(ledger: Ledger) -> None:
    ledger.append(raw(3))
    with pytest.raises(NotFound, match="outside the tree of size 3"):
        ledger.entry(3)
    with pytest.raises(NotFound):
        ledger.inclusion_proof(0, tree_size=4)
    with pytest.raises(InvalidInput):
        ledger.consistency_proof(0)


def test_empty_block_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput):
        ledger.append([])


def test_block_header_round_trips_byte_for_byte(ledger: Ledger) -> None:
    ledger.append(raw(4))
    stored = ledger.block(0)
    header = BlockHeader.decode(stored.header)
    assert header.encode() == stored.header
    assert header.hash() == stored.hash


def test_failed_commit_leaves_the_ledger_unchanged(ledger: Ledger) -> None:
    ledger.append(raw(3))
    root, size = ledger.root(), ledger.size
    original = ledger.store.commit_block

    def full_disk(*args: object, **kwargs: object) -> None:
        raise StorageError("disk full", "디스크가 가득 찼습니다")

    ledger.store.commit_block = full_disk  # type: ignore[method-assign]
    with pytest.raises(StorageError):
        ledger.append(raw(5, 3))
    ledger.store.commit_block = original  # type: ignore[method-assign]
    assert (ledger.root(), ledger.size) == (root, size)
    ledger.append(raw(5, 3))
    assert ledger.root() == merkle.root([f"entry {i}".encode() for i in range(8)])
