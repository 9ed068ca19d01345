"""Ed25519 signing and verification keys against RFC 8032 §7.1 and under tampering."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.crypto import SigningKey, VerifyKey
from blockcity.errors import InvalidInput
from tests.vectors import load

VECTORS: list[dict[str, Any]] = load("ledger/ed25519_rfc8032_vectors.json")["vectors"]
NAMES = [vector["name"] for vector in VECTORS]

# One fixed key for the property tests: Ed25519 is deterministic, so the signature is too.
KEY = SigningKey.from_seed(bytes(range(32)))
MESSAGE = b"labor.contract.concluded"
SIGNATURE = KEY.sign(MESSAGE)


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_rfc8032_public_key_derives_from_seed(vector: dict[str, Any]) -> None:
    key = SigningKey.from_seed(bytes.fromhex(vector["secret_key_hex"]))
    assert key.public.raw == bytes.fromhex(vector["public_key_hex"])
    assert key.seed == bytes.fromhex(vector["secret_key_hex"])


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_rfc8032_signature_is_reproduced_byte_for_byte(vector: dict[str, Any]) -> None:
    key = SigningKey.from_seed(bytes.fromhex(vector["secret_key_hex"]))
    assert key.sign(bytes.fromhex(vector["message_hex"])) == bytes.fromhex(vector["signature_hex"])


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_rfc8032_signature_verifies(vector: dict[str, Any]) -> None:
    public = VerifyKey.from_raw(bytes.fromhex(vector["public_key_hex"]))
    signature = bytes.fromhex(vector["signature_hex"])
    assert public.verify(signature, bytes.fromhex(vector["message_hex"])) is True


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
@pytest.mark.parametrize("bit", [0, 7, 255, 256, 511])
def test_signature_with_one_flipped_bit_is_rejected(vector: dict[str, Any], bit: int) -> None:
    public = VerifyKey.from_raw(bytes.fromhex(vector["public_key_hex"]))
    signature = bytearray.fromhex(vector["signature_hex"])
    signature[bit // 8] ^= 1 << (bit % 8)
    assert public.verify(bytes(signature), bytes.fromhex(vector["message_hex"])) is False


@given(st.integers(0, len(SIGNATURE) - 1), st.integers(1, 255))
def test_any_single_byte_change_to_the_signature_fails(index: int, delta: int) -> None:
    forged = bytearray(SIGNATURE)
    forged[index] = (forged[index] + delta) % 256
    assert KEY.public.verify(bytes(forged), MESSAGE) is False


@given(st.integers(0, len(MESSAGE) - 1), st.integers(1, 255))
def test_any_single_byte_change_to_the_message_fails(index: int, delta: int) -> None:
    altered = bytearray(MESSAGE)
    altered[index] = (altered[index] + delta) % 256
    assert KEY.public.verify(SIGNATURE, bytes(altered)) is False


def test_signature_from_another_key_is_rejected() -> None:
    other = SigningKey.generate()
    assert KEY.public.verify(other.sign(MESSAGE), MESSAGE) is False


@pytest.mark.parametrize("signature", [b"", SIGNATURE[:63], SIGNATURE + b"\x00", "sig", None])
def test_malformed_signature_is_rejected_without_raising(signature: Any) -> None:
    assert KEY.public.verify(signature, MESSAGE) is False


@pytest.mark.parametrize("raw", [b"", b"\x01" * 31, b"\x01" * 33, "a" * 32, None])
def test_public_key_of_wrong_length_or_type_is_refused(raw: Any) -> None:
    with pytest.raises(InvalidInput, match="32 bytes"):
        VerifyKey.from_raw(raw)


@pytest.mark.parametrize("seed", [b"", b"\x01" * 31, b"\x01" * 64, None])
def test_seed_of_wrong_length_or_type_is_refused(seed: Any) -> None:
    with pytest.raises(InvalidInput, match="32 bytes"):
        SigningKey.from_seed(seed)


def test_generated_keys_sign_and_verify() -> None:
    key = SigningKey.generate()
    assert key.public.verify(key.sign(b"data"), b"data")
    assert SigningKey.from_seed(key.seed).public == key.public


def test_verify_keys_are_equal_and_hashed_by_raw_bytes() -> None:
    same = VerifyKey.from_raw(KEY.public.raw)
    assert same == KEY.public
    assert hash(same) == hash(KEY.public)
    assert len({same, KEY.public, SigningKey.generate().public}) == 2
    assert same != KEY.public.raw


def test_repr_never_shows_the_seed() -> None:
    text = repr(KEY) + str(KEY)
    assert KEY.seed.hex() not in text
    assert KEY.public.raw.hex() in text
    assert repr(KEY.public) == f"VerifyKey({KEY.public.raw.hex()})"
