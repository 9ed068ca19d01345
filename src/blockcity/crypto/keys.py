"""Ed25519 keys (RFC 8032) for signing ledger entries, checkpoints and credentials: thin
wrappers over pyca/cryptography that speak raw 32-byte keys and never print a secret."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from blockcity.errors import InvalidInput

SEED_SIZE = 32
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


class VerifyKey:
    """An Ed25519 public key; equal and hashed by its raw 32 bytes."""

    __slots__ = ("_key", "_raw")

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key
        self._raw = key.public_bytes_raw()

    @classmethod
    def from_raw(cls, raw: bytes) -> VerifyKey:
        """Load the 32-byte public key encoding of RFC 8032 §5.1.2."""
        if not isinstance(raw, bytes) or len(raw) != PUBLIC_KEY_SIZE:
            size = len(raw) if isinstance(raw, bytes) else type(raw).__name__
            raise InvalidInput(
                f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {size}",
                f"Ed25519 공개키는 {PUBLIC_KEY_SIZE}바이트여야 합니다 (받은 값: {size})",
            )
        return cls(Ed25519PublicKey.from_public_bytes(raw))

    @property
    def raw(self) -> bytes:
        return self._raw

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True if ``signature`` is a valid signature of ``data``; False for any bad signature.

        OpenSSL refuses non-canonical S values (RFC 8032 §5.1.7), so signatures are not
        malleable.
        """
        if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyKey):
            return NotImplemented
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"VerifyKey({self._raw.hex()})"


class SigningKey:
    """An Ed25519 private key. Its repr shows only the public key."""

    __slots__ = ("_key", "_public")

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = VerifyKey(key.public_key())

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """Load the 32-byte private key (the seed) of RFC 8032 §5.1.5."""
        if not isinstance(seed, bytes) or len(seed) != SEED_SIZE:
            size = len(seed) if isinstance(seed, bytes) else type(seed).__name__
            raise InvalidInput(
                f"an Ed25519 seed is {SEED_SIZE} bytes, got {size}",
                f"Ed25519 비밀키 시드는 {SEED_SIZE}바이트여야 합니다 (받은 값: {size})",
            )
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def seed(self) -> bytes:
        """The 32-byte secret seed. Handle with care: whoever has it can sign as this key."""
        return self._key.private_bytes_raw()

    @property
    def public(self) -> VerifyKey:
        return self._public

    def sign(self, data: bytes) -> bytes:
        """The 64-byte deterministic Ed25519 signature of ``data`` (RFC 8032 §5.1.6)."""
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"SigningKey(public={self._public.raw.hex()})"
