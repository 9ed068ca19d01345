"""Text encodings for bytes: unpadded base64url (signatures, digests) and base58btc (Multibase
``z`` values such as did:key identifiers). Decoders are strict: one byte string, one text."""

from __future__ import annotations

import base64
import re

from blockcity.errors import InvalidInput

_B64URL_FOREIGN = re.compile(r"[^A-Za-z0-9_-]")

# The Bitcoin alphabet, as draft-msporny-base58 section 2 and Multibase "base58btc" use it: no
# 0, O, I or l, so that no two digits look alike.
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_DIGITS = {char: value for value, char in enumerate(_B58_ALPHABET)}
_B58_TEXT = re.compile(f"[{_B58_ALPHABET}]*")
_B58_CHUNK_DIGITS = 10
_B58_CHUNK = 58**_B58_CHUNK_DIGITS
_B58_PAIRS = [a + b for a in _B58_ALPHABET for b in _B58_ALPHABET]
"""Every two-digit base58 string, by value: half as many small divisions when encoding."""


def b64url_encode(data: bytes) -> str:
    """Encode with the URL- and filename-safe alphabet, without ``=`` padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing every text that ``b64url_encode`` would not produce.

    Refused: ``=`` padding, characters outside the alphabet (including whitespace), a length
    that leaves one lone character, and non-zero unused bits in the last character (RFC 4648
    §3.5 lets decoders reject these; accepting them would give one signature several texts).
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"base64url input must be text, not {type(text).__name__}",
            f"base64url 입력은 문자열이어야 합니다 ({type(text).__name__} 형식은 안 됩니다)",
        )
    if "=" in text:
        raise InvalidInput(
            "base64url text must not carry '=' padding",
            "base64url 문자열에는 '=' 채움 문자를 쓰지 않습니다",
        )
    foreign = _B64URL_FOREIGN.search(text)
    if foreign is not None:
        raise InvalidInput(
            f"base64url text has the character {foreign.group()!r} at position "
            f"{foreign.start()}; only A-Z, a-z, 0-9, '-' and '_' are allowed",
            f"base64url 문자열의 {foreign.start()}번째 위치에 허용되지 않는 문자 "
            f"{foreign.group()!r}가 있습니다 (A-Z, a-z, 0-9, '-', '_'만 허용)",
        )
    if len(text) % 4 == 1:
        raise InvalidInput(
            f"base64url text of length {len(text)} cannot encode whole bytes",
            f"길이가 {len(text)}인 base64url 문자열은 바이트열을 나타낼 수 없습니다",
        )
    # The checks above leave only texts that urlsafe_b64decode accepts once re-padded.
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:
        raise InvalidInput(
            "base64url text is not canonical: its last character has non-zero unused bits",
            "base64url 문자열이 정규형이 아닙니다: 마지막 문자의 남는 비트가 0이 아닙니다",
        )
    return data


def b58btc_encode(data: bytes) -> str:
    """Encode in base58btc; each leading zero byte becomes a leading ``1``."""
    body = data.lstrip(b"\x00")
    number = int.from_bytes(body, "big")
    # Big-integer division is the cost: peel off ten digits per division (58**10 < 2**63),
    # then split each chunk with machine-sized arithmetic.
    chunks: list[int] = []
    while number:
        number, chunk = divmod(number, _B58_CHUNK)
        chunks.append(chunk)
    pairs: list[str] = []
    for chunk in chunks:
        for _ in range(_B58_CHUNK_DIGITS // 2):
            chunk, pair = divmod(chunk, 58 * 58)
            pairs.append(_B58_PAIRS[pair])
    encoded = "".join(reversed(pairs)).lstrip("1")
    return "1" * (len(data) - len(body)) + encoded


def b58btc_decode(text: str) -> bytes:
    """Decode base58btc; each leading ``1`` becomes a leading zero byte.

    Every text over the alphabet decodes to exactly one byte string and back, so no separate
    canonical-form check is needed.
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"base58btc input must be text, not {type(text).__name__}",
            f"base58btc 입력은 문자열이어야 합니다 ({type(text).__name__} 형식은 안 됩니다)",
        )
    if not _B58_TEXT.fullmatch(text):
        position, char = next((i, c) for i, c in enumerate(text) if c not in _B58_DIGITS)
        raise InvalidInput(
            f"base58btc text has the character {char!r} at position {position}, "
            "which is not in the Bitcoin alphabet",
            f"base58btc 문자열의 {position}번째 위치에 비트코인 알파벳이 아닌 문자 "
            f"{char!r}가 있습니다",
        )
    number = 0
    head = len(text) % _B58_CHUNK_DIGITS
    # Ten digits at a time with small integers, then one big-integer step per chunk.
    bounds = [(0, head)] if head else []
    bounds += [(i, i + _B58_CHUNK_DIGITS) for i in range(head, len(text), _B58_CHUNK_DIGITS)]
    for start, end in bounds:
        chunk = 0
        for char in text[start:end]:
            chunk = chunk * 58 + _B58_DIGITS[char]
        number = number * 58 ** (end - start) + chunk
    body = text.lstrip("1")
    zeros = len(text) - len(body)
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
