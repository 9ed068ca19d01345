"""base64url (RFC 4648 §5, unpadded) and base58btc (draft-msporny-base58) encode and decode."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.crypto import b58btc_decode, b58btc_encode, b64url_decode, b64url_encode
from blockcity.errors import InvalidInput

B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# RFC 4648 §10 test vectors, with the padding removed as base64url without padding requires.
RFC4648_VECTORS = [
    (b"", ""),
    (b"f", "Zg"),
    (b"fo", "Zm8"),
    (b"foo", "Zm9v"),
    (b"foob", "Zm9vYg"),
    (b"fooba", "Zm9vYmE"),
    (b"foobar", "Zm9vYmFy"),
]

# draft-msporny-base58-03 §5 test vectors.
BASE58_VECTORS = [
    (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
    (
        b"The quick brown fox jumps over the lazy dog.",
        "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
    ),
    (bytes.fromhex("0000287fb4cd"), "11233QC4"),
]


@pytest.mark.parametrize(("data", "text"), RFC4648_VECTORS)
def test_b64url_matches_rfc4648_vectors(data: bytes, text: str) -> None:
    assert b64url_encode(data) == text
    assert b64url_decode(text) == data


def test_b64url_uses_the_url_safe_alphabet() -> None:
    assert b64url_encode(b"\xfb\xff\xbf") == "-_-_"
    assert b64url_decode("-_-_") == b"\xfb\xff\xbf"


@given(st.binary(max_size=200))
def test_b64url_round_trips_any_bytes(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Zg==", "padding"),
        ("Zm8=", "padding"),
        ("Zm9v+w", "'+'"),
        ("Zm9v/w", "'/'"),
        ("Zm9v Yg", "' '"),
        ("Zm9vYg\n", "'\\n'"),
        ("Zm9vYé", "'é'"),
        ("Zm9vY", "length 5"),
        ("Z", "length 1"),
        ("Zh", "unused bits"),
        ("Zm9", "unused bits"),
    ],
)
def test_b64url_decode_refuses_non_canonical_text(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        b64url_decode(text)
    assert reason in caught.value.message_en
    assert caught.value.message_ko != caught.value.message_en


@given(st.text(alphabet=B64URL_ALPHABET, max_size=40))
def test_b64url_decode_accepts_exactly_the_texts_encode_produces(text: str) -> None:
    try:
        data = b64url_decode(text)
    except InvalidInput:
        # A refused text is one no byte string encodes to: a lone last character, or a last
        # character whose unused bits a lenient decoder would silently drop.
        if len(text) % 4 != 1:
            lenient = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            assert b64url_encode(lenient) != text
        return
    assert b64url_encode(data) == text


def test_b64url_decode_refuses_bytes_input() -> None:
    with pytest.raises(InvalidInput):
        b64url_decode(b"Zm9v")  # type: ignore[arg-type]


@pytest.mark.parametrize(("data", "text"), BASE58_VECTORS)
def test_b58btc_matches_draft_vectors(data: bytes, text: str) -> None:
    assert b58btc_encode(data) == text
    assert b58btc_decode(text) == data


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"\x00", "1"), (b"\x00\x00\x00", "111"), (b"\x00\x01", "12"), (b"\x39", "z")],
)
def test_b58btc_keeps_leading_zero_bytes(data: bytes, text: str) -> None:
    assert b58btc_encode(data) == text
    assert b58btc_decode(text) == data


@given(st.binary(max_size=80))
def test_b58btc_round_trips_any_bytes(data: bytes) -> None:
    assert b58btc_decode(b58btc_encode(data)) == data


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+", " ", "é"])
def test_b58btc_decode_refuses_characters_outside_the_bitcoin_alphabet(char: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        b58btc_decode("2NEpo" + char + "7TZ")
    assert "position 5" in caught.value.message_en
