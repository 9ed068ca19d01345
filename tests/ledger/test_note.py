"""Signed notes: the Go sumdb/note and C2SP vectors, Go's own test cases, and forgery attempts."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.errors import InvalidInput, VerificationFailed
from blockcity.ledger.note import (
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    InvalidKey,
    InvalidNoteSignature,
    KeyType,
    MalformedNote,
    NoteVerificationError,
    Signature,
    Signer,
    UnsignableNote,
    UnverifiedNote,
    Verifier,
    add_signatures,
    sign_note,
    verify_note,
)
from tests.vectors import load

VECTORS: dict[str, Any] = load("ledger/signed_note_vectors.json")
BY_ID = {v["id"]: v for v in VECTORS["vectors"]}
PETER = BY_ID["go-note-peterneumann"]
TWO = BY_ID["go-note-two-signatures"]
C2SP = BY_ID["c2sp-signed-note-example"]
TEXT: str = PETER["text"]
PETER_SIG = PETER["signed_note"].removeprefix(TEXT + "\n")
ENOCH_SIG = TWO["signed_note"].removeprefix(PETER["signed_note"])
PETER_KEY: str = PETER["verifier_key"]
ENOCH_KEY: str = TWO["verifier_keys"][1]


def peter() -> Signer:
    return Signer.from_seed("PeterNeumann", bytes.fromhex(PETER["seed_hex"]))


def enoch() -> Signer:
    return Signer.from_seed("EnochRoot", bytes.fromhex(TWO["enoch_seed_hex"]))


# --- vectors -------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["id"])
def test_positive_vectors_verify(vector: dict[str, Any]) -> None:
    keys = vector.get("verifier_keys") or [vector["verifier_key"]]
    note = verify_note(vector["signed_note"], keys)
    assert note.text + "\n" == vector["signed_note"][: len(note.text) + 1]
    assert len(note.verified) == len(keys)
    assert (
        "".join(sig.line() for sig in note.signatures)
        == vector["signed_note"][len(note.text) + 1 :]
    )
    if "text" in vector:
        assert note.text == vector["text"]


def test_peter_neumann_key_material_matches_the_vector() -> None:
    signer = peter()
    assert signer.private_key.public_key().public_bytes_raw().hex() == PETER["public_key_hex"]
    assert signer.key_id.hex() == PETER["key_id_hex"]
    assert signer.verifier_key() == PETER_KEY
    assert signer.signer_key() == PETER["signer_key"]
    assert Signer.from_signer_key(PETER["signer_key"]).verifier_key() == PETER_KEY


def test_signing_reproduces_the_go_signature_byte_for_byte() -> None:
    assert sign_note(TEXT, peter()) == PETER["signed_note"]
    assert sign_note(TEXT, Signer.from_signer_key(PETER["signer_key"])) == PETER["signed_note"]


def test_enoch_root_key_from_the_zero_seed_matches_the_vector() -> None:
    signer = enoch()
    assert signer.private_key.public_key().public_bytes_raw().hex() == TWO["enoch_public_key_hex"]
    assert signer.verifier_key() == ENOCH_KEY


def test_adding_a_signature_reproduces_the_doubly_signed_vector() -> None:
    assert add_signatures(PETER["signed_note"], enoch()) == TWO["signed_note"]
    assert sign_note(TEXT, [peter(), enoch()]) == TWO["signed_note"]


@pytest.mark.parametrize("vector", VECTORS["negative"], ids=lambda v: v["id"])
def test_negative_vectors_are_rejected(vector: dict[str, Any]) -> None:
    msg = vector.get("signed_note") or vector["msg"]
    expected = (
        MalformedNote if vector["want"].startswith("reject (malformed") else NoteVerificationError
    )
    with pytest.raises(expected):
        verify_note(msg, [vector.get("verifier_key", PETER_KEY)])


@pytest.mark.parametrize(
    "vkey", [PETER_KEY, ENOCH_KEY, C2SP["verifier_key"]], ids=["peter", "enoch", "c2sp"]
)
def test_verifier_keys_from_the_vectors_parse_and_round_trip(vkey: str) -> None:
    verifier = Verifier.from_key(vkey)
    assert verifier.key == vkey
    assert verifier.key_type is KeyType.ED25519
    assert verifier.key_id.hex() == vkey.split("+")[1]


# --- Go's NewVerifier / NewSigner tests ----------------------------------------------------


def _manglings(key: str) -> list[str]:
    """Every proper substring, and every single byte incremented (Go TestNewVerifier)."""
    raw = key.encode()
    substrings = [raw[i:j] for i in range(len(raw) + 1) for j in range(i + 1, len(raw) + 1)]
    bumped = [raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :] for i in range(len(raw))]
    return [m.decode() for m in substrings + bumped if m != raw]


def test_every_mangled_verifier_key_is_rejected() -> None:
    for mangled in _manglings(PETER_KEY):
        with pytest.raises(InvalidKey):
            Verifier.from_key(mangled)


def test_every_mangled_signer_key_is_rejected() -> None:
    for mangled in _manglings(PETER["signer_key"]):
        with pytest.raises(InvalidKey):
            Signer.from_signer_key(mangled)


@pytest.mark.parametrize(
    "vkey",
    [
        # From Go TestNewVerifier: wrong key length and unknown algorithm, each with a key ID
        # recomputed so only the named defect remains.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
    ids=["wrong-length", "unknown-algorithm"],
)
def test_verifier_key_with_a_consistent_id_but_bad_key_is_rejected(vkey: str) -> None:
    with pytest.raises(InvalidKey):
        Verifier.from_key(vkey)


def test_verifier_key_is_an_invalid_input_error() -> None:
    with pytest.raises(InvalidInput):
        Verifier.from_key("no-plus-signs")


def test_uppercase_key_id_is_accepted_as_go_parses_hex() -> None:
    name, key_id, key = PETER_KEY.split("+", 2)
    assert Verifier.from_key(f"{name}+{key_id.upper()}+{key}").key == PETER_KEY


@pytest.mark.parametrize("name", ["", "Bad Name", "a+b", "tab\tname", "nbsp\u00a0", "ideo\u3000"])
def test_invalid_key_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidKey):
        Signer.from_seed(name, bytes(32))


def test_generated_signer_key_round_trips() -> None:
    signer = Signer.generate("example.com/log")
    again = Signer.from_signer_key(signer.signer_key())
    assert again.verifier_key() == signer.verifier_key()
    assert verify_note(sign_note("hi\n", again), [signer.verifier_key()]).verified == (
        "example.com/log",
    )


def test_seed_of_wrong_length_is_rejected() -> None:
    with pytest.raises(InvalidKey):
        Signer.from_seed("example.com/log", bytes(31))


def test_cosignature_key_type_parses_but_cannot_be_a_signer_key() -> None:
    public = peter().private_key.public_key().public_bytes_raw()
    cosigner_key = Verifier("w.example", KeyType.COSIGNATURE_V1, public).key
    assert Verifier.from_key(cosigner_key).key_type is KeyType.COSIGNATURE_V1
    typed_seed = b"\x04" + bytes.fromhex(PETER["seed_hex"])
    skey = f"PRIVATE+KEY+w.example+{Verifier.from_key(cosigner_key).key_id.hex()}+"
    with pytest.raises(InvalidKey):
        Signer.from_signer_key(skey + base64.b64encode(typed_seed).decode())


# --- Go's TestOpen ---------------------------------------------------------------------------


def test_one_trusted_signature_verifies_and_an_unknown_one_is_kept_unverified() -> None:
    note = verify_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_KEY])
    assert note.text == TEXT
    assert note.verified == ("PeterNeumann",)
    assert [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]


def test_no_trusted_signature_is_refused_with_the_parsed_note() -> None:
    with pytest.raises(UnverifiedNote) as refused:
        verify_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])
    assert refused.value.note.verified == ()
    assert [s.name for s in refused.value.note.signatures] == ["PeterNeumann", "EnochRoot"]
    assert isinstance(refused.value, VerificationFailed)


def test_too_many_signatures_are_refused() -> None:
    for keys in ([PETER_KEY], []):
        with pytest.raises(MalformedNote):
            verify_note(TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1), keys)


def test_repeated_lines_count_once() -> None:
    corrupted_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    msg = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + corrupted_enoch
    note = verify_note(msg, [PETER_KEY])
    assert note.verified == ("PeterNeumann",)
    assert [s.line() for s in note.signatures] == [PETER_SIG, ENOCH_SIG, corrupted_enoch]


def test_signature_line_with_a_space_in_the_name_is_malformed() -> None:
    line = PETER_SIG.replace("PeterNeumann", "Bad Name")
    with pytest.raises(MalformedNote):
        verify_note(TEXT + "\n" + line, [PETER_KEY])


@pytest.mark.parametrize(
    "msg",
    [
        b"\xff" + PETER["signed_note"].encode(),
        TEXT + "\n" + PETER_SIG.replace("\u2014", "-"),
        TEXT + "\n" + PETER_SIG.replace(" x08", " "),
        TEXT + "\n" + "\u2014 PeterNeumann AAAAAA==\n",  # four bytes: a key ID, no signature
        TEXT + "\n" + PETER_SIG.replace("AM=", "AN="),  # non-canonical base64 padding bits
        "\ud800" + PETER["signed_note"],
        "x" * MAX_NOTE_SIZE + "\n\n" + PETER_SIG,
    ],
    ids=[
        "invalid-utf8",
        "hyphen",
        "truncated-base64",
        "short",
        "noncanonical",
        "surrogate",
        "huge",
    ],
)
def test_malformed_notes_are_refused(msg: str | bytes) -> None:
    with pytest.raises(MalformedNote):
        verify_note(msg, [PETER_KEY])


def test_note_bytes_verify_like_the_string() -> None:
    assert verify_note(PETER["signed_note"].encode(), [PETER_KEY]).text == TEXT


def test_two_different_keys_with_the_same_name_and_id_are_ambiguous() -> None:
    # Seeds found by a birthday search: their key IDs collide under this name (c74a9c71).
    first = Signer.from_seed("collide.example", (69106).to_bytes(32, "big"))
    second = Signer.from_seed("collide.example", (91005).to_bytes(32, "big"))
    assert first.key_id == second.key_id
    assert first.verifier_key() != second.verifier_key()
    with pytest.raises(InvalidKey):
        verify_note(sign_note("hi\n", first), [first.verifier_key(), second.verifier_key()])
    # The same key listed twice is not ambiguous.
    assert verify_note(sign_note("hi\n", first), [first.verifier_key()] * 2).verified


# --- attacks ---------------------------------------------------------------------------------


def test_tampered_body_is_refused() -> None:
    tampered = PETER["signed_note"].replace("answer", "solution")
    with pytest.raises(InvalidNoteSignature):
        verify_note(tampered, [PETER_KEY])


def test_signature_by_another_key_with_the_same_name_is_ignored() -> None:
    impostor = Signer.generate("PeterNeumann")
    with pytest.raises(UnverifiedNote):
        verify_note(sign_note(TEXT, impostor), [PETER_KEY])


def test_impostor_signature_claiming_the_trusted_key_id_is_refused() -> None:
    impostor = Signer.generate("PeterNeumann")
    forged = Signature("PeterNeumann", peter().key_id, impostor.sign(TEXT.encode()))
    with pytest.raises(InvalidNoteSignature):
        verify_note(TEXT + "\n" + forged.line(), [PETER_KEY])


def test_swapped_key_ids_are_refused() -> None:
    note = verify_note(TWO["signed_note"], TWO["verifier_keys"])
    p, e = note.signatures
    swapped = [Signature(p.name, e.key_id, p.signature), Signature(e.name, p.key_id, e.signature)]
    # With the names kept, swapped IDs match no trusted key: nothing verifies.
    with pytest.raises(UnverifiedNote):
        verify_note(TEXT + "\n" + "".join(s.line() for s in swapped), TWO["verifier_keys"])
    # With the signatures swapped under each other's identity, each fails its key.
    exchanged = Signature(p.name, p.key_id, e.signature).line()
    with pytest.raises(InvalidNoteSignature):
        verify_note(TEXT + "\n" + exchanged + ENOCH_SIG, TWO["verifier_keys"])


def test_a_bad_signature_by_a_trusted_key_refuses_the_note_even_beside_a_good_one() -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidNoteSignature):
        verify_note(TEXT + "\n" + PETER_SIG + bad, [PETER_KEY])


# --- signing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["no final newline", "", "bell\x07\n", "cr\r\n", "\ud800\n"], ids=repr
)
def test_unsignable_texts_are_refused(text: str) -> None:
    with pytest.raises(UnsignableNote):
        sign_note(text, peter())


def test_signing_needs_a_signer() -> None:
    with pytest.raises(UnsignableNote):
        sign_note(TEXT, [])


def test_text_with_blank_lines_round_trips() -> None:
    # The C2SP signed-note example: the last blank line separates text from signatures.
    text = (
        "Ognuno sta solo sul cuor della terra\n"
        "trafitto da un raggio di sole:\n"
        "\n"
        "ed è subito sera.\n"
    )
    for t in (text, "\n", "a\n\n"):
        assert verify_note(sign_note(t, peter()), [PETER_KEY]).text == t


def test_adding_a_signature_replaces_the_same_keys_old_one() -> None:
    corrupted = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    assert add_signatures(corrupted, peter()) == PETER["signed_note"]


def test_adding_signatures_keeps_unknown_lines_and_drops_repeats() -> None:
    doubled = PETER["signed_note"] + PETER_SIG
    assert add_signatures(doubled, enoch()) == TWO["signed_note"]


def test_signing_refuses_to_exceed_the_signature_limit() -> None:
    crowded = sign_note(TEXT, [Signer.from_seed(f"s{i}", bytes([i]) * 32) for i in range(100)])
    with pytest.raises(UnsignableNote):
        add_signatures(crowded, peter())


# --- properties ----------------------------------------------------------------------------

note_texts = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs",),
        exclude_characters=[chr(c) for c in range(0x20) if c != 0x0A],
    ),
    max_size=200,
).map(lambda t: t + "\n")


@given(note_texts)
def test_any_text_round_trips(text: str) -> None:
    assert verify_note(sign_note(text, peter()), [PETER_KEY]).text == text


@given(note_texts, st.data())
def test_any_single_byte_change_fails_verification(text: str, data: st.DataObject) -> None:
    # The whole note, text and signature line: every byte is covered by the signature or by
    # the syntax, so no single-byte change may still verify.
    signed = sign_note(text, peter()).encode()
    index = data.draw(st.integers(0, len(signed) - 1), label="index")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != signed[index]), label="byte")
    changed = signed[:index] + bytes([value]) + signed[index + 1 :]
    with pytest.raises(NoteVerificationError):
        verify_note(changed, [PETER_KEY])
