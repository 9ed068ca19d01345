"""Salted commitments: what the ledger holds in place of personal data.

A commitment is SHA-256 over a domain tag, a 32-byte random salt and the RFC 8785 canonical
JSON of the value. The salt makes it hiding (nobody can test guesses of a name or a birth date
without it); the fixed salt length makes it binding (salt and value cannot be re-split to open
it to another value). The salt lives in the vault, never on the ledger, so once the vault
forgets it the commitment can be neither opened nor linked to the person.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from blockcity.crypto import b64url_decode, b64url_encode, canonical_json
from blockcity.errors import BlockcityError

SALT_BYTES = 32
"""256 bits: twice the 128 bits that make guessing the salt hopeless."""

COMMITMENT_DOMAIN = b"blockcity.privacy.commitment.v1\x00"
"""Separates these commitments from every other SHA-256 digest the platform writes. Identity
certificates (``blockcity.identity.proofing``) predate it and use the empty tag, so their
digests stay those already on the ledger."""


@dataclass(frozen=True, slots=True)
class Commitment:
    digest: str
    """Unpadded base64url SHA-256: the part that goes on the ledger."""
    salt: bytes
    """The opening secret: kept in the vault, shown only to whoever may open the commitment."""

    def __repr__(self) -> str:
        return f"Commitment(digest={self.digest!r}, salt=<secret>)"


def _digest(value: Mapping[str, Any] | str, salt: bytes, domain: bytes) -> str:
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a commitment salt has exactly {SALT_BYTES} bytes, not {len(salt)}")
    payload = dict(value) if isinstance(value, Mapping) else value
    return b64url_encode(sha256(domain + salt + canonical_json(payload)).digest())


def commit(
    value: Mapping[str, Any] | str,
    *,
    salt: bytes | None = None,
    domain: bytes = COMMITMENT_DOMAIN,
) -> Commitment:
    """Commit to ``value`` (a JSON object or a string) under a fresh random salt, or under
    ``salt`` to recompute a known commitment."""
    chosen = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return Commitment(_digest(value, chosen, domain), chosen)


def open_commitment(
    digest: str,
    salt: bytes | str,
    value: Mapping[str, Any] | str,
    *,
    domain: bytes = COMMITMENT_DOMAIN,
) -> bool:
    """Whether ``salt`` (bytes, or unpadded base64url as a person would show it) and ``value``
    open ``digest``. Any malformed input is simply a failed opening."""
    try:
        raw = b64url_decode(salt) if isinstance(salt, str) else salt
        expected = _digest(value, raw, domain)
    except (BlockcityError, ValueError, TypeError):
        return False
    # Constant time, so a verifier's timing reveals nothing about how close a guess was.
    return hmac.compare_digest(expected.encode(), digest.encode())


__all__ = ["COMMITMENT_DOMAIN", "SALT_BYTES", "Commitment", "commit", "open_commitment"]
