"""Checkpoints and cosignatures: C2SP and Go formats, strict parsing, quorum counting, forgeries."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.errors import InvalidInput
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    CosignedOtherCheckpoint,
    Cosigner,
    MalformedCheckpoint,
    QuorumNotMet,
    check_quorum,
    cosign,
    open_checkpoint,
    sign_checkpoint,
    verify_cosignatures,
)
from blockcity.ledger.note import (
    MAX_TIMESTAMP,
    InvalidKey,
    InvalidNoteSignature,
    KeyType,
    NoteVerificationError,
    Signature,
    Signer,
    cosignature_message,
    sign_note,
    verify_note,
)
from tests.vectors import load

VECTORS: dict[str, Any] = load("ledger/signed_note_vectors.json")
C2SP: dict[str, Any] = VECTORS["c2sp_checkpoint_example"]
GOLDEN: dict[str, Any] = VECTORS["tree_note_golden"]

LOG = Signer.from_seed("example.com/log", bytes(range(32)))
W1 = Cosigner.from_seed("witness.example/w1", bytes([1]) * 32)
W2 = Cosigner.from_seed("witness.example/w2", bytes([2]) * 32)
W3 = Cosigner.from_seed("witness.example/w3", bytes([3]) * 32)
CP = Checkpoint("example.com/log", 5, hashlib.sha256(b"five").digest())


def cosigned(cp: Checkpoint, *lines: str) -> str:
    """The log's signed checkpoint with witness lines appended, as tlog-witness suggests."""
    return sign_checkpoint(cp, LOG) + "".join(lines)


# --- checkpoint text -----------------------------------------------------------------------


def test_c2sp_example_checkpoint_parses_and_formats_back() -> None:
    cp = Checkpoint.parse(C2SP["body"])
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert cp.body() == C2SP["body"]


def test_go_sumdb_tree_note_is_formatted_byte_for_byte() -> None:
    root = merkle.leaf_hash(GOLDEN["hash_input"].encode())
    assert base64.b64encode(root).decode() == GOLDEN["hash_b64"]
    cp = Checkpoint("go.sum database tree", GOLDEN["tree_size"], root)
    assert cp.body() == GOLDEN["body"]
    assert Checkpoint.parse(GOLDEN["body"]) == cp


def test_extension_lines_are_kept_in_order() -> None:
    cp = Checkpoint("o", 1, bytes(32), ("ext one", "ext two"))
    assert cp.body().endswith("\next one\next two\n")
    assert Checkpoint.parse(cp.body()) == cp


ROOT_B64 = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"o\n05\n{ROOT_B64}\n",  # leading zero
        f"o\n+5\n{ROOT_B64}\n",
        f"o\n 5\n{ROOT_B64}\n",
        f"o\n5 \n{ROOT_B64}\n",
        f"o\n0x5\n{ROOT_B64}\n",
        f"o\n\u0665\n{ROOT_B64}\n",  # ARABIC-INDIC DIGIT FIVE: int() would accept it
        f"o\n-1\n{ROOT_B64}\n",
        f"o\n{2**63}\n{ROOT_B64}\n",
        f"o\n{'9' * 5000}\n{ROOT_B64}\n",
        f"\n5\n{ROOT_B64}\n",  # empty origin
        f"o\n5\n{ROOT_B64}",  # no final newline
        f"o\n5\n{ROOT_B64}\n\n",  # empty extension line
        "o\n5\n",
        f"o\n5\n{base64.b64encode(bytes(31)).decode()}\n",
        f"o\n5\n{ROOT_B64[:-2]}B=\n",  # non-canonical padding bits
        f"o\n5\n{ROOT_B64} \n",
        "o\n5\nnot base64!\n",
    ],
    ids=repr,
)
def test_malformed_checkpoint_bodies_are_refused(body: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, bytes(32), ()),
        ("two\nlines", 1, bytes(32), ()),
        ("o", -1, bytes(32), ()),
        ("o", MAX_TREE_SIZE + 1, bytes(32), ()),
        ("o", True, bytes(32), ()),
        ("o", 1, bytes(31), ()),
        ("o", 1, bytes(32), ("",)),
        ("o", 1, bytes(32), ("tab\there",)),
        ("\ud800", 1, bytes(32), ()),
    ],
)
def test_invalid_checkpoints_cannot_be_constructed(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint(origin, size, root, extensions)


lines = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(
    lines,
    st.integers(0, MAX_TREE_SIZE),
    st.binary(min_size=32, max_size=32),
    st.lists(lines, max_size=3).map(tuple),
)
def test_any_checkpoint_round_trips_through_its_body(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    cp = Checkpoint(origin, size, root, extensions)
    assert Checkpoint.parse(cp.body()) == cp


# --- signed checkpoints ------------------------------------------------------------------


def test_signed_checkpoint_opens_with_the_log_key() -> None:
    cp, note = open_checkpoint(sign_checkpoint(CP, LOG), [LOG.verifier_key()])
    assert cp == CP
    assert note.verified == ("example.com/log",)


def test_checkpoint_signed_by_another_key_is_refused() -> None:
    other = Signer.generate("example.com/log")
    with pytest.raises(NoteVerificationError):
        open_checkpoint(sign_checkpoint(CP, other), [LOG.verifier_key()])


def test_tampered_checkpoint_is_refused() -> None:
    tampered = sign_checkpoint(CP, LOG).replace("\n5\n", "\n6\n", 1)
    with pytest.raises(InvalidNoteSignature):
        open_checkpoint(tampered, [LOG.verifier_key()])


def test_signed_text_that_is_not_a_checkpoint_is_refused() -> None:
    with pytest.raises(MalformedCheckpoint):
        open_checkpoint(sign_note("hello\n", LOG), [LOG.verifier_key()])


# --- cosignatures ------------------------------------------------------------------------


def test_cosignature_message_matches_the_c2sp_example() -> None:
    message = cosignature_message(C2SP["body"], 1679315147)
    assert message == C2SP["cosignature_v1_signed_message"].encode()


def test_c2sp_cosignature_line_has_the_structure_we_produce() -> None:
    # No public key is published for the example, so only the layout can be compared.
    _, name, encoded = C2SP["witness_cosignature_line"].split(" ")
    raw = base64.b64decode(encoded)
    assert name == "witness.example.com/w1"
    assert len(raw) == 4 + 8 + 64
    assert int.from_bytes(raw[4:12], "big") == 1679315147
    ours = base64.b64decode(cosign(Checkpoint.parse(C2SP["body"]), W1, 1679315147).split()[2])
    assert len(ours) == len(raw)
    assert ours[4:12] == raw[4:12]


def test_cosigner_key_id_uses_type_0x04() -> None:
    public = W1.private_key.public_key().public_bytes_raw()
    expected = hashlib.sha256(b"witness.example/w1\n\x04" + public).digest()[:4]
    assert W1.key_id == expected
    assert base64.b64decode(W1.verifier_key().split("+")[2])[0] == KeyType.COSIGNATURE_V1
    assert W1.verifier_key().split("+")[1] == expected.hex()


def test_cosignatures_verify_with_their_timestamps() -> None:
    note = cosigned(CP, cosign(CP, W1, 1_700_000_000), cosign(CP, W2, 1_700_000_001))
    found = verify_cosignatures(note, CP, [W1.verifier_key(), W2.verifier_key()])
    assert [(c.name, c.timestamp) for c in found] == [
        ("witness.example/w1", 1_700_000_000),
        ("witness.example/w2", 1_700_000_001),
    ]
    check_quorum(found, 2)
    with pytest.raises(QuorumNotMet):
        check_quorum(found, 3)


def test_a_client_can_verify_cosignatures_as_a_plain_note() -> None:
    # tlog-witness: concatenate the response to the checkpoint and open it with witness keys.
    note = cosigned(CP, cosign(CP, W1, 1))
    assert verify_note(note, [W1.verifier_key()]).verified == ("witness.example/w1",)


def test_unknown_witnesses_and_the_log_signature_do_not_count() -> None:
    note = cosigned(CP, cosign(CP, W1, 1), cosign(CP, W3, 1))
    found = verify_cosignatures(note, CP, [W1.verifier_key(), W2.verifier_key()])
    assert [c.name for c in found] == ["witness.example/w1"]


def test_no_cosignature_counts_as_zero_not_as_an_error() -> None:
    found = verify_cosignatures(sign_checkpoint(CP, LOG), CP, [W1.verifier_key()])
    assert found == []
    with pytest.raises(QuorumNotMet):
        check_quorum(found, 1)


def test_a_witness_counts_once_however_many_times_it_cosigned() -> None:
    note = cosigned(CP, cosign(CP, W1, 1), cosign(CP, W1, 2), cosign(CP, W1, 2))
    found = verify_cosignatures(note, CP, [W1.verifier_key()])
    assert [c.timestamp for c in found] == [1]
    with pytest.raises(QuorumNotMet):
        check_quorum([*found, *found], 2)


def test_quorum_below_one_is_a_misuse() -> None:
    with pytest.raises(InvalidInput):
        check_quorum([], 0)


def test_cosignature_of_another_checkpoint_is_refused() -> None:
    fork = Checkpoint(CP.origin, CP.size, hashlib.sha256(b"fork").digest())
    note = cosigned(CP, cosign(fork, W1, 1))
    with pytest.raises(InvalidNoteSignature):
        verify_cosignatures(note, CP, [W1.verifier_key()])


def test_cosignature_with_a_changed_timestamp_is_refused() -> None:
    line = cosign(CP, W1, 1_700_000_000)
    raw = bytearray(base64.b64decode(line.split()[2]))
    raw[11] ^= 1
    forged = Signature(W1.name, bytes(raw[:4]), bytes(raw[4:])).line()
    with pytest.raises(InvalidNoteSignature):
        verify_cosignatures(cosigned(CP, forged), CP, [W1.verifier_key()])


def test_cosignature_over_a_timestamp_beyond_2_63_is_refused() -> None:
    timestamp = MAX_TIMESTAMP + 1
    sig = W1.private_key.sign(cosignature_message(CP.body(), timestamp))
    line = Signature(W1.name, W1.key_id, timestamp.to_bytes(8, "big") + sig).line()
    with pytest.raises(InvalidNoteSignature):
        verify_cosignatures(cosigned(CP, line), CP, [W1.verifier_key()])


@pytest.mark.parametrize("timestamp", [-1, MAX_TIMESTAMP + 1])
def test_cosigning_refuses_timestamps_out_of_range(timestamp: int) -> None:
    with pytest.raises(InvalidInput):
        cosign(CP, W1, timestamp)


def test_largest_timestamp_is_accepted() -> None:
    note = cosigned(CP, cosign(CP, W1, MAX_TIMESTAMP))
    assert verify_cosignatures(note, CP, [W1.verifier_key()])[0].timestamp == MAX_TIMESTAMP


def test_cosignatures_cover_extension_lines() -> None:
    cp = Checkpoint(CP.origin, CP.size, CP.root, ("ext",))
    stripped = Checkpoint(CP.origin, CP.size, CP.root)
    line = cosign(cp, W1, 1)
    assert verify_cosignatures(cosigned(cp, line), cp, [W1.verifier_key()])
    with pytest.raises(InvalidNoteSignature):
        verify_cosignatures(cosigned(stripped, line), stripped, [W1.verifier_key()])


def test_cosigned_note_must_be_the_checkpoint_checked() -> None:
    other = Checkpoint(CP.origin, CP.size + 1, CP.root)
    with pytest.raises(CosignedOtherCheckpoint):
        verify_cosignatures(cosigned(CP, cosign(CP, W1, 1)), other, [W1.verifier_key()])


def test_a_plain_ed25519_key_is_not_a_witness_key() -> None:
    with pytest.raises(InvalidKey):
        verify_cosignatures(cosigned(CP), CP, [LOG.verifier_key()])


def test_a_log_signature_cannot_pass_for_a_cosignature_from_the_same_key() -> None:
    # The same Ed25519 key as a note signer (0x01) and as a cosigner (0x04) has two key IDs,
    # so a plain signature is never read as a cosignature (signed-note "Signatures").
    same_key = Cosigner(LOG.name, LOG.private_key)
    assert same_key.key_id != LOG.key_id
    assert verify_cosignatures(cosigned(CP), CP, [same_key.verifier_key()]) == []
