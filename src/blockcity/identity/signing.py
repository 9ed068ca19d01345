"""Signing a document in a person's name: the signature record, its one verifier, and the two
ways Seoul Pass makes one (DESIGN.md section 4).

- **passkey**: a WebAuthn assertion whose challenge is the document's SHA-256 digest. The record
  keeps the assertion's exact bytes (authenticatorData, clientDataJSON, signature) and the
  credential's COSE public key, so anyone holding the registered key can check it later,
  offline, exactly as a relying party checks an assertion (WebAuthn L2 §7.2).
- **custodial**: an Ed25519 signature over the digest by the account's custodial key, made
  only within a few minutes of a step-up (PIN or passkey).

Both are checked by ``verify_signature_record``, which the credentials and services layers
call the same way; the record's ``signed_at`` is Seoul Pass's statement of when, not covered by
the signature (anchoring a record on the ledger is what fixes its time).
"""

from __future__ import annotations

import enum
import hmac
import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from webauthn.helpers import (
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    verify_signature,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException

from blockcity.crypto import (
    DidKeyResolver,
    KeyResolver,
    VerifyKey,
    b64url_decode,
    b64url_encode,
    canonical_json,
    parse_did_url,
)
from blockcity.errors import BlockcityError, InvalidInput, NotFound, VerificationFailed
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.passkeys import Ceremony, PasskeyRejected, Passkeys, RelyingParty
from blockcity.identity.sessions import Sessions
from blockcity.identity.stepup import current_session, require_step_up

Clock = Callable[[], datetime]

RECORD_TYPE = "seoulpass-signature"
RECORD_VERSION = 1
DIGEST_SIZE = 32
MAX_RECORD_BYTES = 32_768

# WebAuthn L2 §6.1 authenticator data: rpIdHash (32), flags (1), signCount (4), then optional
# attested credential data and extensions.
_AUTH_DATA_MIN = 37
_FLAG_UP = 0x01
_FLAG_UV = 0x04

_DID = re.compile(r"did:(?:key|web):[A-Za-z0-9._:%-]{1,200}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_LIMITS = {
    "credential_id": 1023,
    "public_key": 2048,
    "authenticator_data": 1024,
    "client_data_json": 4096,
    "signature": 1024,
}
"""Largest byte sizes accepted per field: WebAuthn caps credential ids at 1023 bytes; the
others are generous for RSA keys and long origins."""


class SignatureKind(enum.StrEnum):
    PASSKEY = "passkey"
    CUSTODIAL = "custodial"


class SignatureRejected(VerificationFailed):
    """A signature record that does not hold; ``check`` names the check that failed."""

    code = "signature-rejected"
    title_ko = "서명을 확인할 수 없습니다"
    title_en = "Signature not valid"

    def __init__(self, check: str, message_en: str, message_ko: str) -> None:
        super().__init__(message_en, message_ko, check=check)
        self.check = check


@dataclass(frozen=True, slots=True)
class WebAuthnProof:
    """The parts of a passkey assertion that prove a signature, byte for byte."""

    credential_id: bytes
    public_key: bytes
    """The credential's COSE_Key as registered."""
    authenticator_data: bytes
    client_data_json: bytes

    def __post_init__(self) -> None:
        for name in ("credential_id", "public_key", "authenticator_data", "client_data_json"):
            _check_size(name, getattr(self, name))
        if len(self.authenticator_data) < _AUTH_DATA_MIN:
            raise InvalidInput(
                f"authenticator data is at least {_AUTH_DATA_MIN} bytes",
                f"인증기 데이터는 {_AUTH_DATA_MIN}바이트 이상이어야 합니다",
            )

    def to_dict(self) -> dict[str, str]:
        return {
            "authenticator_data": b64url_encode(self.authenticator_data),
            "client_data_json": b64url_encode(self.client_data_json),
            "credential_id": b64url_encode(self.credential_id),
            "public_key": b64url_encode(self.public_key),
        }

    @classmethod
    def from_dict(cls, data: object) -> WebAuthnProof:
        fields = _exact(
            data,
            "webauthn",
            {"authenticator_data", "client_data_json", "credential_id", "public_key"},
        )
        return cls(
            credential_id=_b64(fields, "credential_id"),
            public_key=_b64(fields, "public_key"),
            authenticator_data=_b64(fields, "authenticator_data"),
            client_data_json=_b64(fields, "client_data_json"),
        )


@dataclass(frozen=True, slots=True)
class SignatureRecord:
    """One person's signature over one document digest, of either kind.

    ``to_dict`` and ``from_dict`` round-trip exactly: the canonical JSON of
    ``SignatureRecord.from_dict(d).to_dict()`` is that of ``d``.
    """

    kind: SignatureKind
    digest: bytes
    """SHA-256 of the exact document signed."""
    signer: str
    """The signer's DID."""
    signed_at: datetime
    signature: bytes
    kid: str | None = None
    """Custodial only: the DID URL of the key that signed (the account's did:key key)."""
    webauthn: WebAuthnProof | None = field(default=None)
    """Passkey only: the assertion."""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, SignatureKind):
            raise InvalidInput("unknown signature kind", "알 수 없는 서명 종류입니다")
        check_digest(self.digest)
        if not isinstance(self.signer, str) or not _DID.fullmatch(self.signer):
            raise InvalidInput(
                "the signer must be a did:key or did:web DID",
                "서명자는 did:key 또는 did:web DID여야 합니다",
            )
        at = self.signed_at
        if at.utcoffset() != timedelta(0) or at.microsecond:
            raise InvalidInput(
                "the signing time must be UTC, to the second",
                "서명 시각은 초 단위의 UTC여야 합니다",
            )
        _check_size("signature", self.signature)
        if self.kind is SignatureKind.CUSTODIAL:
            if self.kid is None or self.webauthn is not None:
                raise InvalidInput(
                    "a custodial signature names its key (kid) and carries no passkey assertion",
                    "보관 키 서명에는 키 식별자(kid)가 있고 패스키 응답은 없어야 합니다",
                )
            did, fragment = parse_did_url(self.kid)
            if did != self.signer or fragment is None:
                raise InvalidInput(
                    "the key id must name a key of the signer's own DID",
                    "키 식별자는 서명자 DID의 키를 가리켜야 합니다",
                )
        elif self.webauthn is None or self.kid is not None:
            raise InvalidInput(
                "a passkey signature carries its WebAuthn assertion and no kid",
                "패스키 서명에는 WebAuthn 응답이 있고 kid는 없어야 합니다",
            )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": RECORD_TYPE,
            "v": RECORD_VERSION,
            "kind": self.kind.value,
            "sha256": self.digest.hex(),
            "signer": self.signer,
            "signed_at": self.signed_at.replace(tzinfo=None).isoformat() + "Z",
            "signature": b64url_encode(self.signature),
        }
        if self.kid is not None:
            data["kid"] = self.kid
        if self.webauthn is not None:
            data["webauthn"] = self.webauthn.to_dict()
        return data

    def to_json(self) -> bytes:
        """The record as RFC 8785 canonical JSON: the form to store, send and download."""
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, data: object) -> SignatureRecord:
        """Read a record, refusing anything ``to_dict`` would not have written."""
        if not isinstance(data, dict):
            raise InvalidInput(
                "the signature record must be a JSON object", "서명 기록은 JSON 객체여야 합니다"
            )
        kind_text = data.get("kind")
        if kind_text not in (SignatureKind.PASSKEY.value, SignatureKind.CUSTODIAL.value):
            raise InvalidInput(
                "the record's kind must be 'passkey' or 'custodial'",
                "서명 기록의 kind는 'passkey' 또는 'custodial'이어야 합니다",
            )
        kind = SignatureKind(kind_text)
        extra = "kid" if kind is SignatureKind.CUSTODIAL else "webauthn"
        fields = _exact(
            data,
            "record",
            {"type", "v", "kind", "sha256", "signer", "signed_at", "signature", extra},
        )
        version = fields["v"]
        if fields["type"] != RECORD_TYPE or type(version) is not int or version != RECORD_VERSION:
            raise InvalidInput(
                f"this is not a Seoul Pass signature record (type {RECORD_TYPE}, v 1)",
                f"서울패스 서명 기록(type {RECORD_TYPE}, v 1)이 아닙니다",
            )
        digest_text = _text(fields, "sha256")
        if not _HEX_DIGEST.fullmatch(digest_text):
            raise InvalidInput(
                "sha256 must be 64 lowercase hexadecimal digits",
                "sha256은 소문자 16진수 64자리여야 합니다",
            )
        time_text = _text(fields, "signed_at")
        if not _TIME.fullmatch(time_text):
            raise InvalidInput(
                "signed_at must read YYYY-MM-DDTHH:MM:SSZ",
                "signed_at은 YYYY-MM-DDTHH:MM:SSZ 형식이어야 합니다",
            )
        try:
            signed_at = datetime.strptime(time_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise InvalidInput(
                "signed_at is not a real time", "signed_at이 실제 시각이 아닙니다"
            ) from exc
        return cls(
            kind=kind,
            digest=bytes.fromhex(digest_text),
            signer=_text(fields, "signer"),
            signed_at=signed_at,
            signature=_b64(fields, "signature"),
            kid=_text(fields, "kid") if kind is SignatureKind.CUSTODIAL else None,
            webauthn=(
                WebAuthnProof.from_dict(fields["webauthn"])
                if kind is SignatureKind.PASSKEY
                else None
            ),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> SignatureRecord:
        """Read a record from JSON text (any whitespace; duplicate names refused)."""
        if len(data) > MAX_RECORD_BYTES:
            raise InvalidInput("the signature record is too large", "서명 기록이 너무 큽니다")
        try:
            parsed = json.loads(data, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(
                "the signature record is not valid JSON", "서명 기록이 올바른 JSON이 아닙니다"
            ) from exc
        return cls.from_dict(parsed)


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    """The key a record's signer registered: for a custodial record the raw 32-byte Ed25519
    key; for a passkey its COSE_Key, the RP ID it belongs to and the origins it may sign on."""

    public_key: bytes
    rp_id: str | None = None
    origins: frozenset[str] = frozenset()


ResolvePublicKey = Callable[[SignatureRecord], RegisteredKey]
"""Finds the key the record's signer had registered under the record's key (its kid, or its
passkey credential id) when it signed; raises a BlockcityError if there is none."""


def check_digest(digest: bytes) -> bytes:
    if not isinstance(digest, bytes) or len(digest) != DIGEST_SIZE:
        raise InvalidInput(
            "a document digest is the 32 bytes of its SHA-256",
            "문서 다이제스트는 SHA-256 값 32바이트입니다",
        )
    return digest


def parse_digest(text: str) -> bytes:
    """A SHA-256 digest written as 64 hexadecimal digits (as ``sha256sum`` prints it)."""
    cleaned = text.strip().lower()
    if not _HEX_DIGEST.fullmatch(cleaned):
        raise InvalidInput(
            "give the document's SHA-256 digest as 64 hexadecimal digits",
            "문서의 SHA-256 다이제스트를 16진수 64자리로 주세요",
        )
    return bytes.fromhex(cleaned)


def verify_signature_record(
    record: SignatureRecord, digest: bytes, resolve_public_key: ResolvePublicKey
) -> bool:
    """True if ``record`` is a valid signature over ``digest`` by the key its signer
    registered; otherwise raises SignatureRejected naming the failed check and why."""
    if not hmac.compare_digest(record.digest, check_digest(digest)):
        raise SignatureRejected(
            "digest",
            "this signature is for a different document (its SHA-256 differs)",
            "이 서명은 다른 문서에 대한 것입니다 (SHA-256 값이 다릅니다)",
        )
    try:
        key = resolve_public_key(record)
    except SignatureRejected:
        raise
    except BlockcityError as exc:
        raise SignatureRejected("key", exc.message_en, exc.message_ko) from exc
    if record.kind is SignatureKind.CUSTODIAL:
        _verify_custodial(record, key)
    else:
        _verify_passkey(record, key)
    return True


def _verify_custodial(record: SignatureRecord, key: RegisteredKey) -> None:
    try:
        verify_key = VerifyKey.from_raw(key.public_key)
    except InvalidInput as exc:
        raise SignatureRejected(
            "key",
            "the signer's registered key is not an Ed25519 key",
            "서명자의 등록된 키가 Ed25519 키가 아닙니다",
        ) from exc
    if not verify_key.verify(record.signature, record.digest):
        raise _signature_invalid()


def _verify_passkey(record: SignatureRecord, key: RegisteredKey) -> None:
    proof = record.webauthn
    assert proof is not None  # the constructor guarantees it for passkey records
    if key.rp_id is None or not hmac.compare_digest(proof.public_key, key.public_key):
        raise SignatureRejected(
            "key",
            "the record's passkey is not the one the signer registered",
            "기록의 패스키가 서명자가 등록한 패스키가 아닙니다",
        )
    client = _client_data(proof.client_data_json)
    if client.get("type") != "webauthn.get":
        raise SignatureRejected(
            "type",
            "the passkey answer is not an assertion (webauthn.get)",
            "패스키 응답이 인증 응답(webauthn.get)이 아닙니다",
        )
    challenge = client.get("challenge")
    try:
        signed_digest = b64url_decode(challenge) if isinstance(challenge, str) else b""
    except InvalidInput:
        signed_digest = b""
    if not hmac.compare_digest(signed_digest, record.digest):
        raise SignatureRejected(
            "challenge",
            "the passkey signed something other than this document's digest",
            "패스키가 이 문서의 다이제스트가 아닌 다른 값에 서명했습니다",
        )
    if client.get("origin") not in key.origins or client.get("crossOrigin") is True:
        raise SignatureRejected(
            "origin",
            "the passkey signed on a page that is not Seoul Pass's",
            "패스키가 서울패스가 아닌 페이지에서 서명했습니다",
        )
    data = proof.authenticator_data
    if not hmac.compare_digest(data[:32], sha256(key.rp_id.encode()).digest()):
        raise SignatureRejected(
            "rp", "the passkey signed for another site", "패스키가 다른 사이트를 위해 서명했습니다"
        )
    flags = data[32]
    if not flags & _FLAG_UP or not flags & _FLAG_UV:
        raise SignatureRejected(
            "user-verified",
            "the passkey signed without checking the person (fingerprint, face or screen lock)",
            "패스키가 본인 확인(지문, 얼굴 또는 화면 잠금) 없이 서명했습니다",
        )
    alg, public_key = _cose_key(key.public_key)
    signed = data + sha256(proof.client_data_json).digest()
    try:
        verify_signature(
            public_key=public_key, signature_alg=alg, signature=record.signature, data=signed
        )
    except (InvalidSignature, WebAuthnException, ValueError) as exc:
        raise _signature_invalid() from exc


@lru_cache(maxsize=4096)
def _cose_key(data: bytes) -> tuple[COSEAlgorithmIdentifier, PublicKeyTypes]:
    """A COSE_Key as a ``cryptography`` key; remembered, as one signer signs many times."""
    try:
        decoded = decode_credential_public_key(data)
        return decoded.alg, decoded_public_key_to_cryptography(decoded)
    except (WebAuthnException, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SignatureRejected(
            "key",
            "the passkey's public key cannot be read (unsupported type or malformed)",
            "패스키 공개키를 읽을 수 없습니다 (지원하지 않는 형식이거나 손상됨)",
        ) from exc


def _client_data(data: bytes) -> dict[str, Any]:
    try:
        client = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise SignatureRejected(
            "type",
            "the passkey's client data is not JSON",
            "패스키의 클라이언트 데이터가 JSON이 아닙니다",
        ) from exc
    if not isinstance(client, dict):
        raise SignatureRejected(
            "type",
            "the passkey's client data is not a JSON object",
            "패스키의 클라이언트 데이터가 JSON 객체가 아닙니다",
        )
    return client


def _signature_invalid() -> SignatureRejected:
    return SignatureRejected(
        "signature",
        "the signature does not match: the record was altered or made with another key",
        "서명이 맞지 않습니다. 기록이 변경되었거나 다른 키로 만들어졌습니다",
    )


# Reading records


def _exact(data: object, what: str, names: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput(f"{what} must be a JSON object", f"{what}은(는) JSON 객체여야 합니다")
    missing, extra = sorted(names - data.keys()), sorted(data.keys() - names)
    if missing or extra:
        raise InvalidInput(
            f"{what} fields do not match: missing {missing}, unexpected {extra}",
            f"{what}의 항목이 맞지 않습니다: 빠진 항목 {missing}, 예상하지 못한 항목 {extra}",
        )
    return data


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", f"{name}은(는) 문자열이어야 합니다")
    return value


def _b64(fields: Mapping[str, Any], name: str) -> bytes:
    return b64url_decode(_text(fields, name))


def _check_size(name: str, value: bytes) -> None:
    if not isinstance(value, bytes) or not 1 <= len(value) <= _LIMITS[name]:
        raise InvalidInput(
            f"{name} must hold 1 to {_LIMITS[name]} bytes",
            f"{name}은(는) 1~{_LIMITS[name]}바이트여야 합니다",
        )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate member name")
    return found


# Making signatures

SCHEMA = """
CREATE TABLE IF NOT EXISTS signatures (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    digest BLOB NOT NULL,
    proof_hash BLOB UNIQUE,
    record BLOB NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signatures_by_account ON signatures(account_id, signed_at);
"""


@dataclass(frozen=True, slots=True)
class StoredSignature:
    """A signature Seoul Pass made, under the id its owner can fetch it by again."""

    id: str
    record: SignatureRecord


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Signing:
    def __init__(
        self,
        db: IdentityDB,
        accounts: Accounts,
        sessions: Sessions,
        passkeys: Passkeys,
        keys: KeyResolver | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self.db = db
        self.accounts = accounts
        self.sessions = sessions
        self.passkeys = passkeys
        self.keys: KeyResolver = keys or DidKeyResolver()
        self.clock = clock
        db.schema(SCHEMA)

    def passkey_options(self, token: str, digest: bytes, rp: RelyingParty) -> dict[str, Any]:
        """Options for ``navigator.credentials.get()`` whose challenge is ``digest``."""
        session = current_session(self.sessions, token)
        return self.passkeys.assertion_options(
            Ceremony.SIGN, session.account_id, check_digest(digest), rp
        )

    def sign_with_passkey(
        self, token: str, credential: Mapping[str, Any], rp: RelyingParty
    ) -> StoredSignature:
        """The signature record of a passkey assertion made for ``passkey_options``."""
        session = current_session(self.sessions, token)
        assertion = self.passkeys.verify_assertion(
            Ceremony.SIGN, session.account_id, credential, rp
        )
        account = self.accounts.get(session.account_id)
        # verify_assertion matched this challenge to one issued by passkey_options, which
        # only ever issues a document digest.
        challenge = _client_data(assertion.client_data_json)["challenge"]
        record = SignatureRecord(
            kind=SignatureKind.PASSKEY,
            digest=b64url_decode(challenge),
            signer=account.did,
            signed_at=self._now(),
            signature=assertion.signature,
            webauthn=WebAuthnProof(
                credential_id=assertion.passkey.credential_id,
                public_key=assertion.passkey.public_key,
                authenticator_data=assertion.authenticator_data,
                client_data_json=assertion.client_data_json,
            ),
        )
        verify_signature_record(record, record.digest, self.resolve_public_key)
        return self._store(account.id, record, sha256(record.signature).digest())

    def sign_with_custodial_key(self, token: str, digest: bytes) -> StoredSignature:
        """Sign ``digest`` with the account's custodial key; needs a fresh step-up."""
        session = current_session(self.sessions, token)
        require_step_up(session, self.clock())
        account = self.accounts.get(session.account_id)
        key = self.accounts.custodial_key(account.id)
        record = SignatureRecord(
            kind=SignatureKind.CUSTODIAL,
            digest=check_digest(digest),
            signer=account.did,
            signed_at=self._now(),
            signature=key.sign(digest),
            kid=account.kid,
        )
        return self._store(account.id, record, None)

    def get(self, account_id: str, signature_id: str) -> SignatureRecord:
        """One of the account's own signatures; another account's id is not found either."""
        row = self.db.one(
            "SELECT record FROM signatures WHERE id = ? AND account_id = ?",
            (signature_id, account_id),
        )
        if row is None:
            raise NotFound("you have no such signature", "그런 서명이 없습니다")
        return SignatureRecord.from_json(bytes(row["record"]))

    def recent(self, account_id: str, limit: int = 20) -> list[StoredSignature]:
        rows = self.db.query(
            "SELECT id, record FROM signatures WHERE account_id = ? "
            "ORDER BY signed_at DESC, rowid DESC LIMIT ?",
            (account_id, limit),
        )
        return [_stored(row) for row in rows]

    def resolve_public_key(self, record: SignatureRecord) -> RegisteredKey:
        """The key registered in this Seoul Pass for the record's signer and key."""
        if record.kind is SignatureKind.CUSTODIAL:
            assert record.kid is not None  # the constructor guarantees it for custodial records
            try:
                return RegisteredKey(self.keys.resolve(record.kid, self._now()).raw)
            except BlockcityError:
                # The key is revoked or retired now; only a record this Seoul Pass made and
                # kept proves it was signed before then, since nothing signs ``signed_at``.
                self._require_witnessed(record)
                return RegisteredKey(self.keys.resolve(record.kid, record.signed_at).raw)
        assert record.webauthn is not None
        passkey = self.passkeys.by_credential_id(record.webauthn.credential_id)
        owner = self.accounts.get(passkey.account_id) if passkey is not None else None
        if passkey is None or owner is None or owner.did != record.signer:
            raise SignatureRejected(
                "key",
                "this passkey is not registered to the signer",
                "이 패스키는 서명자에게 등록된 것이 아닙니다",
            )
        if passkey.removed_at is not None:
            if passkey.removed_at <= record.signed_at:
                raise SignatureRejected(
                    "key",
                    "the signer had removed this passkey before the time of signing",
                    "서명자가 서명 시각 전에 이 패스키를 삭제했습니다",
                )
            self._require_witnessed(record)
        return RegisteredKey(passkey.public_key, passkey.rp_id, frozenset({passkey.origin}))

    def _require_witnessed(self, record: SignatureRecord) -> None:
        """Refuse a record of a key that is no longer valid unless this Seoul Pass stored that
        very record when it was made: whoever holds a leaked key could otherwise sign anything
        and back-date ``signed_at`` to before the removal or revocation."""
        if self.db.one("SELECT 1 FROM signatures WHERE record = ?", (record.to_json(),)) is None:
            raise SignatureRejected(
                "key",
                "this key is no longer valid and this Seoul Pass holds no record of the "
                "signature being made while it was",
                "이 키는 더 이상 유효하지 않으며, 유효할 때 서명되었다는 기록이 서울패스에 "
                "없습니다",
            )

    def verify(self, record: SignatureRecord, digest: bytes) -> bool:
        """``verify_signature_record`` against the keys registered here."""
        return verify_signature_record(record, digest, self.resolve_public_key)

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def _store(
        self, account_id: str, record: SignatureRecord, proof_hash: bytes | None
    ) -> StoredSignature:
        signature_id = str(uuid.uuid4())
        with self.db.transaction() as tx:
            if (
                proof_hash is not None
                and tx.execute(
                    "SELECT 1 FROM signatures WHERE proof_hash = ?", (proof_hash,)
                ).fetchone()
            ):
                replayed = True
            else:
                replayed = False
                tx.execute(
                    "INSERT INTO signatures (id, account_id, kind, digest, proof_hash, record, "
                    "signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        signature_id,
                        account_id,
                        record.kind.value,
                        record.digest,
                        proof_hash,
                        record.to_json(),
                        record.to_dict()["signed_at"],
                    ),
                )
        if replayed:
            raise PasskeyRejected(
                "this passkey answer was already used for a signature; sign again",
                "이 패스키 응답은 이미 서명에 쓰였습니다. 다시 서명하세요",
            )
        return StoredSignature(signature_id, record)


def _stored(row: sqlite3.Row) -> StoredSignature:
    return StoredSignature(row["id"], SignatureRecord.from_json(bytes(row["record"])))
