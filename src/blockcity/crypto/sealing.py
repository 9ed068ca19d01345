"""Secrets at rest: AES-256-GCM under the node's master key.

Private keys (the node's own and custodial keys of people) are stored only sealed. A sealed
value is ``nonce (12 bytes) || ciphertext || tag``; the associated data names what the value
is for (say ``b"custodial-key:<account id>"``), so a sealed value copied into another row
does not open there.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from blockcity.errors import StorageError, VerificationFailed

MASTER_KEY_BYTES = 32
_NONCE_BYTES = 12


class SealBroken(VerificationFailed):
    code = "seal-broken"
    title_ko = "암호화된 값을 열 수 없습니다"
    title_en = "Sealed value cannot be opened"


class MasterKey:
    """The node's key-encryption key. Never printed, never stored beside what it protects in
    production (see ``load_master_key``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_BYTES:
            raise ValueError(f"the master key must be {MASTER_KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "MasterKey(<secret>)"

    def seal(self, plaintext: bytes, purpose: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, purpose)

    def open(self, sealed: bytes, purpose: bytes) -> bytes:
        if len(sealed) < _NONCE_BYTES + 16:
            raise SealBroken("the sealed value is truncated", "암호화된 값이 잘려 있습니다")
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], purpose)
        except InvalidTag as exc:
            raise SealBroken(
                "a sealed value does not open with this master key (wrong key, or the value "
                "was altered or moved)",
                "이 마스터 키로 암호화된 값을 열 수 없습니다(키가 다르거나 값이 변경·이동됨)",
            ) from exc


def parse_master_key(text: str) -> MasterKey:
    """A master key written as base64 (standard or URL-safe) or 64 hex digits."""
    text = text.strip()
    try:
        raw = (
            bytes.fromhex(text)
            if len(text) == 2 * MASTER_KEY_BYTES
            else base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        )
    except (ValueError, binascii.Error) as exc:
        raise StorageError(
            "the master key is not base64 or hex", "마스터 키가 base64나 16진수가 아닙니다"
        ) from exc
    if len(raw) != MASTER_KEY_BYTES:
        raise StorageError(
            f"the master key has {len(raw)} bytes; it must have {MASTER_KEY_BYTES}",
            f"마스터 키가 {len(raw)}바이트입니다. {MASTER_KEY_BYTES}바이트여야 합니다",
        )
    return MasterKey(raw)


def create_master_key_file(path: Path) -> MasterKey:
    """Write a new random master key to ``path`` (mode 0600, atomically, fsynced)."""
    raw = secrets.token_bytes(MASTER_KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(base64.urlsafe_b64encode(raw).decode().rstrip("=") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return MasterKey(raw)
