"""A software authenticator for tests: makes registration and assertion responses exactly as a
browser's ``PublicKeyCredential.toJSON()`` gives them (WebAuthn L3 §5.1), with ES256 or EdDSA
keys, a clock the tests move by hand, and a signed-in account to enrol devices for."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any, Literal

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from blockcity.crypto import b64url_decode, b64url_encode
from blockcity.identity.model import Account
from blockcity.identity.seoulpass import SeoulPass

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"

_UP, _UV, _AT = 0x01, 0x04, 0x40


class ManualClock:
    """A clock for SeoulPass(clock=...) that moves only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def signed_in(seoul_pass: SeoulPass, username: str = "minji") -> tuple[Account, str]:
    """A new account signed in: the account and its session token."""
    account = seoul_pass.accounts.create(username, "a long pass phrase", "김민지")
    token, _ = seoul_pass.sessions.start(account.id)
    return account, token


@dataclass
class SoftCredential:
    credential_id: bytes
    user_handle: bytes
    key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey
    counter: int = 0

    def cose_key(self) -> bytes:
        if isinstance(self.key, Ed25519PrivateKey):
            raw = self.key.public_key().public_bytes_raw()
            return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: raw})
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, Ed25519PrivateKey):
            return self.key.sign(data)
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))


@dataclass
class SoftAuthenticator:
    """One device holding discoverable credentials, for one RP."""

    alg: Literal["ES256", "EdDSA"] = "ES256"
    rp_id: str = RP_ID
    origin: str = ORIGIN
    user_verified: bool = True
    counts: bool = True
    """Whether the signature counter moves (many platform passkeys keep it at 0)."""
    credentials: dict[bytes, SoftCredential] = field(default_factory=dict)

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        """The response to ``navigator.credentials.create(options)``."""
        key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey = (
            Ed25519PrivateKey.generate()
            if self.alg == "EdDSA"
            else ec.generate_private_key(ec.SECP256R1())
        )
        credential = SoftCredential(
            secrets.token_bytes(16), b64url_decode(options["user"]["id"]), key
        )
        self.credentials[credential.credential_id] = credential
        client_data = self._client_data("webauthn.create", options["challenge"])
        auth_data = (
            self._auth_data(_UP | _AT | (_UV if self.user_verified else 0), credential.counter)
            + bytes(16)
            + len(credential.credential_id).to_bytes(2, "big")
            + credential.credential_id
            + credential.cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url_encode(credential.credential_id),
            "rawId": b64url_encode(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "attestationObject": b64url_encode(attestation),
                "transports": ["internal"],
            },
        }

    def get(self, options: dict[str, Any], credential_id: bytes | None = None) -> dict[str, Any]:
        """The response to ``navigator.credentials.get(options)`` from one of our credentials:
        ``credential_id``, else the first allowed one, else (discoverable) the first held."""
        if credential_id is None:
            allowed = [b64url_decode(c["id"]) for c in options.get("allowCredentials", [])]
            held = [c for c in allowed if c in self.credentials] or list(self.credentials)
            credential_id = held[0]
        credential = self.credentials[credential_id]
        if self.counts:
            credential.counter += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        flags = _UP | (_UV if self.user_verified else 0)
        auth_data = self._auth_data(flags, credential.counter)
        signature = credential.sign(auth_data + sha256(client_data).digest())
        return {
            "id": b64url_encode(credential_id),
            "rawId": b64url_encode(credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "authenticatorData": b64url_encode(auth_data),
                "signature": b64url_encode(signature),
                "userHandle": b64url_encode(credential.user_handle),
            },
        }

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    def _auth_data(self, flags: int, counter: int) -> bytes:
        return sha256(self.rp_id.encode()).digest() + bytes([flags]) + counter.to_bytes(4, "big")
