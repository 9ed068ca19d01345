"""The witness: C2SP tlog-witness add-checkpoint semantics, refusals that leave its state
unchanged, and the durable JSON state store."""

from __future__ import annotations

import itertools
import json
import os
import threading
from pathlib import Path

import pytest

from blockcity.errors import BlockcityError, InvalidInput, StorageError
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import (
    Checkpoint,
    Cosigner,
    MalformedCheckpoint,
    sign_checkpoint,
    verify_cosignatures,
)
from blockcity.ledger.note import InvalidKey, Signer, sign_note
from blockcity.ledger.witness import (
    MAX_PROOF_HASHES,
    ForkDetected,
    InconsistentProof,
    JsonFileWitnessState,
    MemoryWitnessState,
    OldSizeTooLarge,
    RollbackRefused,
    TreeHead,
    UnknownLog,
    UntrustedCheckpoint,
    Witness,
    WitnessConflict,
    WitnessState,
)

ORIGIN = "example.com/log"
LOG = Signer.from_seed(ORIGIN, bytes([7]) * 32)
COSIGNER = Cosigner.from_seed("witness.example/w1", bytes([9]) * 32)
NOW = 1_700_000_000


class Log:
    """A log for tests: a Merkle tree of numbered leaves and its signed checkpoints."""

    def __init__(self, size: int, prefix: bytes = b"leaf") -> None:
        self.tree = merkle.MemoryTree(merkle.leaf_hash(b"%s %d" % (prefix, i)) for i in range(size))

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.tree.size if size is None else size
        return Checkpoint(ORIGIN, size, merkle.root_at(size, self.tree.get))

    def signed(self, size: int | None = None, signer: Signer = LOG) -> str:
        return sign_checkpoint(self.checkpoint(size), signer)

    def proof(self, old: int, new: int) -> list[bytes]:
        return merkle.consistency_proof(old, new, self.tree.get)


def make_witness(state: WitnessState | None = None) -> Witness:
    return Witness(
        COSIGNER, {ORIGIN: LOG.verifier_key()}, state or MemoryWitnessState(), lambda: NOW
    )


def snapshot(witness_state: WitnessState) -> TreeHead | None:
    return witness_state.latest(ORIGIN)


# --- the happy path ------------------------------------------------------------------------


def test_first_checkpoint_is_cosigned_and_recorded() -> None:
    state = MemoryWitnessState()
    log = Log(10)
    line = make_witness(state).add_checkpoint(0, [], log.signed())
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    found = verify_cosignatures(log.signed() + line, log.checkpoint(), [COSIGNER.verifier_key()])
    assert [(c.name, c.timestamp) for c in found] == [("witness.example/w1", NOW)]
    assert state.latest(ORIGIN) == TreeHead(10, log.checkpoint().root)


def test_a_growing_log_is_cosigned_at_every_step() -> None:
    state = MemoryWitnessState()
    witness = make_witness(state)
    log = Log(40)
    sizes = [0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 31, 32, 40]
    for old, new in itertools.pairwise(sizes):
        witness.add_checkpoint(old, log.proof(old, new), log.signed(new))
        assert state.latest(ORIGIN) == TreeHead(new, log.checkpoint(new).root)


def test_the_same_checkpoint_is_cosigned_again() -> None:
    witness = make_witness()
    log = Log(5)
    witness.add_checkpoint(0, [], log.signed())
    assert witness.add_checkpoint(5, [], log.signed())


def test_an_empty_log_can_be_cosigned() -> None:
    state = MemoryWitnessState()
    make_witness(state).add_checkpoint(0, [], Log(0).signed())
    assert state.latest(ORIGIN) == TreeHead(0, merkle.EMPTY_ROOT)


def test_witness_exposes_its_cosignature_key() -> None:
    assert make_witness().verifier_key() == COSIGNER.verifier_key()


# --- refusals (tlog-witness add-checkpoint), each leaving the state unchanged -------------


@pytest.fixture
def recorded() -> tuple[Witness, MemoryWitnessState, Log]:
    """A witness that has cosigned size 10 of a 30-leaf log."""
    state = MemoryWitnessState()
    witness = make_witness(state)
    log = Log(30)
    witness.add_checkpoint(0, [], log.signed(10))
    return witness, state, log


def refuses(
    recorded: tuple[Witness, MemoryWitnessState, Log],
    error: type[BlockcityError],
    old: int,
    proof: list[bytes],
    signed: str,
) -> BlockcityError:
    witness, state, _ = recorded
    before = snapshot(state)
    with pytest.raises(error) as refused:
        witness.add_checkpoint(old, proof, signed)
    assert snapshot(state) == before
    return refused.value


def test_unknown_origin_is_refused_with_404(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    other = Signer.generate("other.example/log")
    signed = sign_checkpoint(Checkpoint("other.example/log", 1, bytes(32)), other)
    error = refuses(recorded, UnknownLog, 10, [], signed)
    assert error.status == 404


def test_checkpoint_signed_by_another_key_is_refused_with_403(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    impostor = Signer.generate(ORIGIN)
    error = refuses(recorded, UntrustedCheckpoint, 10, log.proof(10, 20), log.signed(20, impostor))
    assert error.status == 403


def test_tampered_checkpoint_is_refused(recorded: tuple[Witness, MemoryWitnessState, Log]) -> None:
    _, _, log = recorded
    tampered = log.signed(20).replace("\n20\n", "\n21\n", 1)
    refuses(recorded, UntrustedCheckpoint, 10, log.proof(10, 21), tampered)


def test_signed_text_that_is_not_a_checkpoint_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    refuses(recorded, MalformedCheckpoint, 10, [], sign_note(f"{ORIGIN}\n020\nroot\n", LOG))


def test_old_size_above_the_checkpoint_size_is_refused_with_400(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    error = refuses(recorded, OldSizeTooLarge, 25, [], log.signed(20))
    assert error.status == 400


def test_negative_old_size_is_refused(recorded: tuple[Witness, MemoryWitnessState, Log]) -> None:
    _, _, log = recorded
    refuses(recorded, InvalidInput, -1, [], log.signed(20))


def test_stale_old_size_is_a_conflict_that_reports_the_witness_size(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    error = refuses(recorded, WitnessConflict, 5, log.proof(5, 20), log.signed(20))
    assert isinstance(error, WitnessConflict)
    assert (error.size, error.status) == (10, 409)


def test_a_log_can_learn_the_witness_size_by_sending_old_size_zero(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    witness, _, log = recorded
    with pytest.raises(WitnessConflict) as conflict:
        witness.add_checkpoint(0, [], log.signed(20))
    witness.add_checkpoint(conflict.value.size, log.proof(conflict.value.size, 20), log.signed(20))


def test_rollback_to_a_smaller_size_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    error = refuses(recorded, RollbackRefused, 5, [], log.signed(5))
    assert isinstance(error, WitnessConflict) and error.size == 10


def test_fork_at_the_same_size_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    fork = Log(10, prefix=b"fork")
    error = refuses(recorded, ForkDetected, 10, [], fork.signed())
    assert error.status == 409


def test_fork_with_a_larger_size_is_refused_despite_its_own_valid_proof(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    # The fork's proof is valid for the fork's history, not for the one the witness cosigned.
    fork = Log(20, prefix=b"fork")
    error = refuses(recorded, InconsistentProof, 10, fork.proof(10, 20), fork.signed())
    assert error.status == 422


def test_fork_that_rewrites_one_old_leaf_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    fork = Log(0)
    for i in range(20):
        fork.tree.append(merkle.leaf_hash(b"rewritten" if i == 3 else b"leaf %d" % i))
    refuses(recorded, InconsistentProof, 10, log.proof(10, 20), fork.signed())


def test_valid_checkpoint_with_a_corrupted_proof_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    proof = log.proof(10, 20)
    proof[-1] = bytes(32)
    refuses(recorded, InconsistentProof, 10, proof, log.signed(20))
    refuses(recorded, InconsistentProof, 10, [], log.signed(20))
    refuses(recorded, InconsistentProof, 10, log.proof(10, 20)[:-1], log.signed(20))


def test_same_size_with_a_proof_is_refused(
    recorded: tuple[Witness, MemoryWitnessState, Log],
) -> None:
    _, _, log = recorded
    refuses(recorded, InconsistentProof, 10, [bytes(32)], log.signed(10))


def test_too_long_a_proof_is_refused(recorded: tuple[Witness, MemoryWitnessState, Log]) -> None:
    _, _, log = recorded
    proof = [*log.proof(10, 20), *[bytes(32)] * MAX_PROOF_HASHES]
    refuses(recorded, InconsistentProof, 10, proof, log.signed(20))


def test_nonempty_proof_from_size_zero_is_refused() -> None:
    state = MemoryWitnessState()
    log = Log(4)
    with pytest.raises(InconsistentProof):
        make_witness(state).add_checkpoint(0, log.proof(2, 4), log.signed())
    assert state.latest(ORIGIN) is None


def test_empty_checkpoint_with_a_nonempty_root_is_refused() -> None:
    state = MemoryWitnessState()
    bad = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), LOG)
    with pytest.raises(InconsistentProof):
        make_witness(state).add_checkpoint(0, [], bad)
    assert state.latest(ORIGIN) is None


def test_a_cosignature_key_cannot_be_configured_as_a_log_key() -> None:
    with pytest.raises(InvalidKey):
        Witness(COSIGNER, {ORIGIN: COSIGNER.verifier_key()}, MemoryWitnessState())


def test_concurrent_requests_from_one_old_size_cosign_only_one() -> None:
    # tlog-witness: the old-size check and the update are atomic, so no request can roll back
    # what another just recorded.
    state = MemoryWitnessState()
    witness = make_witness(state)
    log = Log(16)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def submit(size: int) -> None:
        barrier.wait()
        try:
            witness.add_checkpoint(0, [], log.signed(size))
            outcomes.append("cosigned")
        except WitnessConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=submit, args=(size,)) for size in range(9, 17)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["cosigned"]


# --- the JSON file store ---------------------------------------------------------------------


def test_json_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "witness.json"
    log = Log(12)
    make_witness(JsonFileWitnessState(path)).add_checkpoint(0, [], log.signed(12))
    reopened = JsonFileWitnessState(path)
    assert reopened.latest(ORIGIN) == TreeHead(12, log.checkpoint().root)
    # A restarted witness still refuses to roll back.
    with pytest.raises(RollbackRefused):
        make_witness(reopened).add_checkpoint(4, [], log.signed(4))
    assert os.listdir(tmp_path) == ["witness.json"]
    assert json.loads(path.read_text())["logs"][ORIGIN]["size"] == 12


def test_json_state_starts_empty_without_a_file(tmp_path: Path) -> None:
    assert JsonFileWitnessState(tmp_path / "none.json").latest(ORIGIN) is None


def test_failed_json_write_leaves_the_state_and_file_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "witness.json"
    state = JsonFileWitnessState(path)
    log = Log(12)
    witness = make_witness(state)
    witness.add_checkpoint(0, [], log.signed(6))
    before = path.read_bytes()

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StorageError):
        witness.add_checkpoint(6, log.proof(6, 12), log.signed(12))
    assert state.latest(ORIGIN) == TreeHead(6, log.checkpoint(6).root)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["witness.json"]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"logs": []}',
        b'{"logs": {"o": {"size": -1, "root": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}',
        b'{"logs": {"o": {"size": 1, "root": "AAAA"}}}',
        b'{"logs": {"o": {"size": 1.5, "root": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}',
        b'{"logs": {"o": {"size": 1, "root": "!"}}}',
    ],
)
def test_corrupt_json_state_is_a_storage_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "witness.json"
    path.write_bytes(content)
    with pytest.raises(StorageError):
        JsonFileWitnessState(path)
