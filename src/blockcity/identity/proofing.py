"""Identity proofing: a registration officer confirms a person's real identity once, and the
city issues the person's DID a Seoul Pass identity credential, a W3C verifiable credential
(``SeoulPassIdentityCredential``) anchored on the ledger, which the one verifier checks like
every other credential.

The legal name and birth date stay in the identity database, sealed under the master key. The
credential and the ledger carry only a salted commitment to them, which the person can open to
a verifier of their choosing. This module knows nothing of the credentials layer: it asks an
``IdentityCredentialIssuer`` (wired by the node) to issue and revoke the credential, and records
the officer's confirmation itself, signed by the city and the officer. Certificates issued
before the credential existed (``SeoulPassIdentityCertificate``, a small signed JSON document)
still verify with ``verify_certificate``, which the node plugs into the one verifier.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from blockcity.checks import Check, all_passed
from blockcity.crypto import (
    DidKeyResolver,
    KeyResolver,
    SigningKey,
    b64url_decode,
    b64url_encode,
    canonical_json,
    did_key_from_public,
)
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account, AccountKind
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import open_checkpoint
from blockcity.ledger.entries import EntryType, EntryTypes, sign_entry
from blockcity.ledger.log import Ledger, Receipt
from blockcity.privacy.commitments import commit

CERTIFICATE_TYPE = "SeoulPassIdentityCertificate"
"""The type of the certificates issued before the identity credential: they still verify."""
IDENTITY_CREDENTIAL_TYPE = "SeoulPassIdentityCredential"
"""The credential type the city issues on an officer's confirmation (its VC ``type``'s last
member); the trusted-issuer registry must name the city for it."""
Assurance = Literal["in-person"]
"""How the identity was confirmed: in person, an officer holding the ID card."""
MAX_NAME_LENGTH = 100
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_SEOUL = ZoneInfo("Asia/Seoul")

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
_DIGEST = r"^[A-Za-z0-9_-]{43}$"
"""A SHA-256 digest in unpadded base64url."""
_REVOKED = b'"type":"identity.certificate.revoked"'

RevocationReason = Literal["issued-in-error", "identity-fraud", "subject-request", "superseded"]
"""Why a certificate was revoked: a closed list, so no free text (and no personal data) can
reach the ledger through it."""
REVOCATION_REASONS: tuple[RevocationReason, ...] = (
    "issued-in-error",
    "identity-fraud",
    "subject-request",
    "superseded",
)


class NotAnOfficer(BlockcityError):
    code = "not-an-officer"
    status = 403
    title_ko = "등록 담당자만 할 수 있습니다"
    title_en = "Registration officers only"

    def __init__(self) -> None:
        super().__init__(
            "only a registration officer can confirm identities or revoke certificates",
            "신원 확인과 인증서 폐지는 등록 담당자만 할 수 있습니다",
        )


# Ledger entries: DIDs, digests and commitments only, never a name or a birth date.


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CertificateIssued(_Body):
    """The city issued an identity certificate to ``subject``, on ``officer``'s confirmation
    (version 1: the certificates issued before the identity credential)."""

    issuer: str = Field(pattern=_DID, max_length=200)
    officer: str = Field(pattern=_DID, max_length=200)
    subject: str = Field(pattern=_DID, max_length=200)
    commitment: str = Field(pattern=_DIGEST)
    certificate: str = Field(pattern=_DIGEST)
    """The certificate's digest (``certificate_digest``)."""


class CredentialConfirmed(_Body):
    """The city issued ``subject`` the identity credential whose anchored digest is
    ``credential``, on ``officer``'s confirmation (version 2 of the issued entry)."""

    issuer: str = Field(pattern=_DID, max_length=200)
    officer: str = Field(pattern=_DID, max_length=200)
    subject: str = Field(pattern=_DID, max_length=200)
    commitment: str = Field(pattern=_DIGEST)
    credential: str = Field(pattern=_DIGEST)
    """The credential's digest, as its ``credentials.issued`` anchor names it."""


class CertificateRevoked(_Body):
    issuer: str = Field(pattern=_DID, max_length=200)
    subject: str = Field(pattern=_DID, max_length=200)
    certificate: str = Field(pattern=_DIGEST)
    """The digest the issued entry names: a certificate's or an identity credential's."""
    reason: RevocationReason


CERTIFICATE_ISSUED = EntryType(
    name="identity.certificate.issued",
    version=1,
    body=CertificateIssued,
    description="The city issued a Seoul Pass identity certificate after an officer's check.",
    required_signers=lambda body: [body.issuer, body.officer],
)
CREDENTIAL_CONFIRMED = EntryType(
    name="identity.certificate.issued",
    version=2,
    body=CredentialConfirmed,
    description="The city issued a Seoul Pass identity credential after an officer's check.",
    required_signers=lambda body: [body.issuer, body.officer],
)
CERTIFICATE_REVOKED = EntryType(
    name="identity.certificate.revoked",
    version=1,
    body=CertificateRevoked,
    description="The city revoked a Seoul Pass identity certificate or credential.",
    required_signers=lambda body: [body.issuer],
)


def register_entry_types(types: EntryTypes) -> None:
    """Identity proofing's entry types, for ``node.entry_types()``."""
    types.register(CERTIFICATE_ISSUED)
    types.register(CREDENTIAL_CONFIRMED)
    types.register(CERTIFICATE_REVOKED)


# The identity credential, issued and revoked by the credentials layer on identity's behalf.


@dataclass(frozen=True, slots=True)
class IdentityCredential:
    """An identity credential as issued: its id, the secured VC and its anchored digest."""

    id: str
    document: dict[str, Any]
    digest: str


class IdentityCredentialIssuer(Protocol):
    """Issues and revokes the city's identity credentials. The node wires the credentials
    layer's implementation in (``blockcity.credentials.identity``); identity never imports it."""

    def issue(self, subject_did: str, claims: Mapping[str, Any]) -> IdentityCredential:
        """Issue a ``SeoulPassIdentityCredential`` to ``subject_did`` with ``claims`` as its
        subject's claims, anchored before it returns."""
        ...

    def revoke(self, credential_id: str) -> None:
        """Revoke the credential in its issuer's status list."""
        ...


# The certificate document of version 1.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LedgerAnchor(_Strict):
    entry_id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    index: int = Field(ge=0, le=2**53 - 1)
    tree_size: int = Field(ge=1, le=2**53 - 1)
    inclusion_proof: list[str] = Field(max_length=64)
    """Hex SHA-256 hashes, RFC 9162 section 2.1.3."""
    checkpoint: str = Field(max_length=10_000)
    """The signed note (C2SP tlog-checkpoint) of the block that holds the entry."""


class CertificateProof(_Strict):
    kid: str = Field(max_length=300)
    sig: str = Field(max_length=100)


class IdentityCertificate(_Strict):
    """A Seoul Pass identity certificate of version 1, as it was handed out and is checked."""

    type: Literal["SeoulPassIdentityCertificate"]
    subject: str = Field(pattern=_DID, max_length=200)
    issuer: str = Field(pattern=_DID, max_length=200)
    commitment: str = Field(pattern=_DIGEST)
    issued_at: str = Field(max_length=40)
    ledger: LedgerAnchor
    proof: CertificateProof

    @property
    def digest(self) -> str:
        return certificate_digest(self.model_dump())


def certificate_digest(doc: dict[str, Any]) -> str:
    """What the ledger entry names: SHA-256 over the canonical JSON of the certificate's
    statement (type, subject, issuer, commitment, issued_at), which exists before the entry
    does; the anchor and the proof are added after."""
    core = {k: doc[k] for k in ("type", "subject", "issuer", "commitment", "issued_at")}
    return b64url_encode(sha256(canonical_json(core)).digest())


def _signing_input(doc: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in doc.items() if k != "proof"})


# Commitments.


def normalize_name(name: str) -> str:
    """A legal name as committed: NFC, trimmed, inner whitespace as one space."""
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH or not cleaned.isprintable():
        raise InvalidInput(
            f"write the legal name as on the ID card, 1 to {MAX_NAME_LENGTH} characters",
            f"법적 이름을 신분증에 적힌 대로 1~{MAX_NAME_LENGTH}자로 입력하세요",
        )
    return cleaned


def check_birth_date(born: date, today: date) -> date:
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise InvalidInput(
            f"the birth date must be between {EARLIEST_BIRTH_DATE} and today",
            f"생년월일은 {EARLIEST_BIRTH_DATE}부터 오늘 사이여야 합니다",
        )
    return born


def parse_birth_date(text: str, today: date) -> date:
    """A birth date written YYYY-MM-DD, from 1900-01-01 to ``today``."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise InvalidInput(
            "write the birth date as YYYY-MM-DD", "생년월일을 YYYY-MM-DD 형식으로 입력하세요"
        )
    try:
        born = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(
            f"{text.strip()} is not a date in the calendar",
            f"{text.strip()}은(는) 달력에 없는 날짜입니다",
        ) from exc
    return check_birth_date(born, today)


def commitment(salt: bytes, name: str, birth_date: date) -> str:
    """base64url SHA-256 over the salt followed by the canonical JSON of {name, birth_date}.

    The 32-byte random salt makes the commitment hiding: nobody can test guesses of a name and
    birth date against it without the salt, which only the person and the city hold.
    """
    statement = {"name": normalize_name(name), "birth_date": birth_date.isoformat()}
    # The empty domain tag keeps the digests of certificates already on the ledger.
    return commit(statement, salt=salt, domain=b"").digest


def open_commitment(doc: dict[str, Any], salt: str, name: str, birth_date: str | date) -> bool:
    """Whether the person's revealed salt (base64url), name and birth date open the
    commitment of an identity credential or certificate: the selective reveal a verifier
    checks."""
    try:
        raw_salt = b64url_decode(salt)
        born = birth_date if isinstance(birth_date, date) else date.fromisoformat(birth_date)
        expected = commitment(raw_salt, name, born)
    except (InvalidInput, ValueError):
        return False
    claimed = committed(doc) if isinstance(doc, dict) else None
    return isinstance(claimed, str) and secrets.compare_digest(expected, claimed)


def committed(doc: dict[str, Any]) -> object:
    """The commitment a document states: an identity credential's subject's
    ``identityCommitment``, or a version 1 certificate's ``commitment``."""
    subject = doc.get("credentialSubject")
    if isinstance(subject, dict):
        return subject.get("identityCommitment")
    return doc.get("commitment")


# Verification: a list of named checks, each ok or with a reason.


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """The checks of one version 1 certificate, in order: ``format``, ``signature``,
    ``issuer``, ``ledger`` and ``status`` (only ``format`` when it is no certificate)."""

    checks: tuple[Check, ...]
    revoked: bool = False
    """The city revoked the certificate (the status check says when and why)."""

    @property
    def ok(self) -> bool:
        """True only if there were checks and every one passed: no checks is no verification."""
        return all_passed(self.checks)


@dataclass(frozen=True, slots=True)
class Revocation:
    issuer: str
    reason: str
    at: str
    index: int


class RevocationIndex:
    """Which certificates the ledger says are revoked, read from the ledger itself and kept
    current incrementally (each refresh reads only entries appended since the last)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seen = 0
        self._revoked: dict[str, list[Revocation]] = {}
        self._lock = threading.Lock()

    def revocations(self, digest: str) -> list[Revocation]:
        with self._lock:
            size = self._ledger.size
            if size > self._seen:
                for stored in self._ledger.store.entries(self._seen, size):
                    # Entries are canonical JSON, so the type appears in exactly this form.
                    if _REVOKED in stored.data:
                        self._add(stored.index, json.loads(stored.data))
                self._seen = size
            return list(self._revoked.get(digest, ()))

    def _add(self, index: int, entry: dict[str, Any]) -> None:
        if entry.get("type") != CERTIFICATE_REVOKED.name:
            return
        # The ledger validated the body against CertificateRevoked when it took the entry.
        body = entry["body"]
        self._revoked.setdefault(body["certificate"], []).append(
            Revocation(body["issuer"], body["reason"], entry["at"], index)
        )


def _check_signature(
    doc: dict[str, Any], cert: IdentityCertificate, resolver: KeyResolver
) -> Check:
    try:
        key = resolver.resolve(cert.proof.kid)
        signature = b64url_decode(cert.proof.sig)
    except BlockcityError as exc:
        return Check.fail(
            "signature",
            f"the signing key cannot be found: {exc.message_en}",
            f"서명 키를 찾을 수 없습니다: {exc.message_ko}",
        )
    if not key.verify(signature, _signing_input(doc)):
        return Check.fail(
            "signature",
            "the signature does not match: the certificate was altered or forged",
            "서명이 맞지 않습니다. 인증서가 변경되었거나 위조되었습니다",
        )
    return Check.pass_(
        "signature", f"signed by {cert.proof.kid}", f"{cert.proof.kid}의 서명이 맞습니다"
    )


def _check_issuer(cert: IdentityCertificate, city_dids: set[str]) -> Check:
    signer = cert.proof.kid.split("#", 1)[0]
    if cert.issuer not in city_dids:
        return Check.fail(
            "issuer",
            f"the issuer {cert.issuer} is not the city",
            f"발급자 {cert.issuer}은(는) 서울시가 아닙니다",
        )
    if signer != cert.issuer:
        return Check.fail(
            "issuer",
            f"the certificate names the city as issuer but {signer} signed it",
            f"발급자는 서울시인데 서명은 {signer}이(가) 했습니다",
        )
    return Check.pass_("issuer", "issued by the city", "서울시가 발급했습니다")


def _check_ledger(cert: IdentityCertificate, ledger: Ledger) -> Check:
    anchor = cert.ledger
    try:
        checkpoint, _ = open_checkpoint(anchor.checkpoint, [ledger.verifier_key()])
    except BlockcityError as exc:
        return Check.fail(
            "ledger",
            f"the checkpoint is not signed by the ledger's key: {exc.message_en}",
            f"체크포인트가 원장의 키로 서명되지 않았습니다: {exc.message_ko}",
        )
    if checkpoint.origin != ledger.origin or checkpoint.size != anchor.tree_size:
        return Check.fail(
            "ledger",
            "the checkpoint is for another ledger or another tree size",
            "체크포인트가 다른 원장이나 다른 트리 크기의 것입니다",
        )
    if anchor.index >= anchor.tree_size or anchor.tree_size > ledger.size:
        return Check.fail(
            "ledger", "the entry index is outside the tree", "항목 번호가 트리 밖에 있습니다"
        )
    data = ledger.entry(anchor.index).data
    entry = json.loads(data)
    body = entry.get("body", {})
    if (
        entry.get("type") != CERTIFICATE_ISSUED.name
        or entry.get("id") != anchor.entry_id
        or body.get("subject") != cert.subject
        or body.get("issuer") != cert.issuer
        or body.get("commitment") != cert.commitment
        or body.get("certificate") != cert.digest
    ):
        return Check.fail(
            "ledger",
            f"ledger entry {anchor.index} does not record this certificate",
            f"원장 항목 {anchor.index}에 이 인증서가 기록되어 있지 않습니다",
        )
    try:
        path = [bytes.fromhex(h) for h in anchor.inclusion_proof]
    except ValueError:
        path = []
    if not merkle.verify_inclusion(
        merkle.leaf_hash(data), anchor.index, anchor.tree_size, path, checkpoint.root
    ):
        return Check.fail(
            "ledger",
            "the inclusion proof does not lead to the signed checkpoint's root",
            "포함 증명으로 서명된 체크포인트의 루트를 얻을 수 없습니다",
        )
    return Check.pass_(
        "ledger",
        f"recorded as ledger entry {anchor.index}, proven against the signed checkpoint of "
        f"tree size {anchor.tree_size}",
        f"원장 항목 {anchor.index}로 기록되어 있고, 트리 크기 {anchor.tree_size}의 서명된 "
        "체크포인트로 증명됩니다",
    )


def _revocation(cert: IdentityCertificate, index: RevocationIndex) -> Revocation | None:
    """The city's revocation of ``cert``; one written by anyone else does not count."""
    return next((r for r in index.revocations(cert.digest) if r.issuer == cert.issuer), None)


def _check_status(revocation: Revocation | None) -> Check:
    if revocation is not None:
        return Check.fail(
            "status",
            f"revoked by the city at {revocation.at} ({revocation.reason}), "
            f"ledger entry {revocation.index}",
            f"서울시가 {revocation.at}에 폐지했습니다 ({revocation.reason}), "
            f"원장 항목 {revocation.index}",
        )
    return Check.pass_("status", "not revoked", "폐지되지 않았습니다")


def verify_certificate(
    doc: object,
    city_did: str | Iterable[str],
    ledger: Ledger,
    *,
    revocations: RevocationIndex | None = None,
    resolver: KeyResolver | None = None,
) -> CertificateCheck:
    """Check a certificate: its form, the city's signature, that the city issued it, that the
    ledger recorded it (inclusion against a checkpoint the log's key signed) and that the city
    has not revoked it. Every check is reported; the certificate is good only if all pass."""
    trusted = {city_did} if isinstance(city_did, str) else set(city_did)
    try:
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        cert = IdentityCertificate.model_validate(doc)
    except (ValidationError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200]
        return CertificateCheck(
            (
                Check.fail(
                    "format",
                    f"this is not a Seoul Pass identity certificate: {reason}",
                    f"서울패스 신원 인증서가 아닙니다: {reason}",
                ),
            )
        )
    revocation = _revocation(cert, revocations or RevocationIndex(ledger))
    return CertificateCheck(
        (
            Check.pass_(
                "format", "a Seoul Pass identity certificate", "서울패스 신원 인증서입니다"
            ),
            _check_signature(doc, cert, resolver or DidKeyResolver()),
            _check_issuer(cert, trusted),
            _check_ledger(cert, ledger),
            _check_status(revocation),
        ),
        revoked=revocation is not None,
    )


# The person's record: the credential (or older certificate) and the sealed opening of its
# commitment.

SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_certificates (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    officer_id TEXT NOT NULL REFERENCES accounts(id),
    digest TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    sealed_opening BLOB NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT,
    revocation_reason TEXT
);
CREATE INDEX IF NOT EXISTS identity_certificates_by_account
    ON identity_certificates(account_id, issued_at);
"""


@dataclass(frozen=True, slots=True)
class Opening:
    """What opens a certificate's commitment: shown only to the certificate's owner."""

    name: str
    birth_date: str
    salt: str


@dataclass(frozen=True, slots=True)
class StoredCertificate:
    """A person's identity credential, or a certificate of version 1 issued before it."""

    id: str
    """The id of the ledger entry that records the officer's confirmation."""
    account_id: str
    document: dict[str, Any]
    digest: str
    """What the confirmation entry names: the credential's anchored digest (a certificate's
    statement digest for version 1)."""
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None

    @property
    def credential_id(self) -> str | None:
        """The identity credential's id; None for a certificate of version 1."""
        if self.document.get("type") == CERTIFICATE_TYPE:
            return None
        return str(self.document["id"])

    @property
    def commitment(self) -> str:
        return str(committed(self.document))


def create_officer(accounts: Accounts, username: str, password: str, display_name: str) -> Account:
    """A registration officer's account (for now made by whoever runs the platform)."""
    return accounts.create(username, password, display_name, kind=AccountKind.OFFICER)


class Proofing:
    """Issues, stores and revokes identity credentials for one city and ledger."""

    def __init__(
        self,
        db: IdentityDB,
        accounts: Accounts,
        master: MasterKey,
        city_key: SigningKey,
        submit: Callable[[bytes], Receipt],
        credentials: IdentityCredentialIssuer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self._accounts = accounts
        self._master = master
        self._city_key = city_key
        self.city_did = did_key_from_public(city_key.public)
        self.city_kid = f"{self.city_did}#{self.city_did.removeprefix('did:key:')}"
        self._submit = submit
        self._credentials = credentials
        self.clock = clock
        db.schema(SCHEMA)

    def issue(
        self, officer_id: str, subject_id: str, legal_name: str, birth_date: date
    ) -> StoredCertificate:
        """The officer has seen the person's ID: issue, anchor and keep their credential, and
        record the officer's confirmation on the ledger."""
        officer = self._accounts.get(officer_id)
        if officer.kind is not AccountKind.OFFICER:
            raise NotAnOfficer()
        subject = self._accounts.get(subject_id)
        if subject.id == officer.id:
            raise Conflict(
                "an officer cannot confirm their own identity; ask another officer",
                "담당자는 자신의 신원을 확인할 수 없습니다. 다른 담당자에게 요청하세요",
            )
        if self.current(subject.id) is not None:
            raise Conflict(
                f"{subject.username} already holds a valid identity certificate; revoke it first",
                f"{subject.username}님은 이미 유효한 신원 인증서가 있습니다. 먼저 폐지하세요",
            )
        name = normalize_name(legal_name)
        now = self.clock()
        born = check_birth_date(birth_date, now.astimezone(_SEOUL).date())
        # The officer's key is opened before anything is issued: an officer whose key cannot
        # sign leaves no credential behind.
        officer_key = self._accounts.custodial_key(officer.id)
        salt = secrets.token_bytes(32)
        identity_commitment = commitment(salt, name, born)
        assurance: Assurance = "in-person"
        credential = self._credentials.issue(
            subject.did, {"identityCommitment": identity_commitment, "assurance": assurance}
        )
        entry_id = str(uuid.uuid4())
        body = CredentialConfirmed(
            issuer=self.city_did,
            officer=officer.did,
            subject=subject.did,
            commitment=identity_commitment,
            credential=credential.digest,
        )
        try:
            self._submit(
                sign_entry(
                    CREDENTIAL_CONFIRMED.name,
                    body.model_dump(),
                    [(self.city_kid, self._city_key), (officer.kid, officer_key)],
                    version=CREDENTIAL_CONFIRMED.version,
                    entry_id=entry_id,
                    at=now,
                )
            )
        except BlockcityError:
            # Without the officer's confirmation on the ledger the credential must not stand.
            self._credentials.revoke(credential.id)
            raise
        opening = canonical_json(
            {"name": name, "birth_date": born.isoformat(), "salt": b64url_encode(salt)}
        )
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO identity_certificates (id, account_id, officer_id, digest, document, "
                "sealed_opening, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id,
                    subject.id,
                    officer.id,
                    credential.digest,
                    json.dumps(credential.document, ensure_ascii=False),
                    self._master.seal(opening, _purpose(subject.id, entry_id)),
                    now.isoformat(),
                ),
            )
            tx.execute(
                "UPDATE accounts SET proofed_at = ? WHERE id = ?", (now.isoformat(), subject.id)
            )
        return self.get(subject.id, entry_id)

    def revoke(self, actor_id: str, certificate_id: str, reason: RevocationReason) -> Receipt:
        """Revoke a credential in the city's status list and record why on the ledger
        (city-signed); its holder may be proofed again. A certificate of version 1 is revoked
        by the ledger entry alone."""
        actor = self._accounts.get(actor_id)
        if actor.kind not in (AccountKind.OFFICER, AccountKind.ADMIN):
            raise NotAnOfficer()
        if reason not in REVOCATION_REASONS:
            raise InvalidInput(
                f"the reason must be one of {', '.join(REVOCATION_REASONS)}",
                f"폐지 사유는 {', '.join(REVOCATION_REASONS)} 중 하나여야 합니다",
            )
        row = self.db.one("SELECT * FROM identity_certificates WHERE id = ?", (certificate_id,))
        if row is None:
            raise NotFound("no such certificate", "그런 인증서가 없습니다")
        if row["revoked_at"] is not None:
            raise Conflict("the certificate is already revoked", "이미 폐지된 인증서입니다")
        stored = _stored(row)
        now = self.clock()
        if stored.credential_id is not None:
            self._credentials.revoke(stored.credential_id)
        body = CertificateRevoked(
            issuer=self.city_did,
            subject=_subject(stored.document),
            certificate=stored.digest,
            reason=reason,
        )
        receipt = self._submit(
            sign_entry(
                CERTIFICATE_REVOKED.name,
                body.model_dump(),
                [(self.city_kid, self._city_key)],
                at=now,
            )
        )
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE identity_certificates SET revoked_at = ?, revocation_reason = ? "
                "WHERE id = ?",
                (now.isoformat(), reason, certificate_id),
            )
            tx.execute("UPDATE accounts SET proofed_at = NULL WHERE id = ?", (stored.account_id,))
        return receipt

    def current(self, account_id: str) -> StoredCertificate | None:
        """The account's valid (not revoked) credential or certificate, if any."""
        row = self.db.one(
            "SELECT * FROM identity_certificates WHERE account_id = ? AND revoked_at IS NULL "
            "ORDER BY issued_at DESC LIMIT 1",
            (account_id,),
        )
        return _stored(row) if row else None

    def latest(self, account_id: str) -> StoredCertificate | None:
        """The account's newest credential or certificate, revoked or not."""
        row = self.db.one(
            "SELECT * FROM identity_certificates WHERE account_id = ? "
            "ORDER BY issued_at DESC LIMIT 1",
            (account_id,),
        )
        return _stored(row) if row else None

    def get(self, account_id: str, certificate_id: str) -> StoredCertificate:
        """One of the account's own certificates. Another account's certificate is "not found",
        exactly like one that does not exist, so nobody learns which ids are real."""
        row = self.db.one(
            "SELECT * FROM identity_certificates WHERE id = ? AND account_id = ?",
            (certificate_id, account_id),
        )
        if row is None:
            raise NotFound("no such certificate", "그런 인증서가 없습니다")
        return _stored(row)

    def opening(self, account_id: str, certificate_id: str) -> Opening:
        """The name, birth date and salt that open the account's own certificate."""
        row = self.db.one(
            "SELECT sealed_opening FROM identity_certificates WHERE id = ? AND account_id = ?",
            (certificate_id, account_id),
        )
        if row is None:
            raise NotFound("no such certificate", "그런 인증서가 없습니다")
        opened = json.loads(
            self._master.open(row["sealed_opening"], _purpose(account_id, certificate_id))
        )
        return Opening(opened["name"], opened["birth_date"], opened["salt"])


def _purpose(account_id: str, certificate_id: str) -> bytes:
    return f"identity-opening:{account_id}:{certificate_id}".encode()


def _subject(document: dict[str, Any]) -> str:
    """The holder's DID, as a credential or a certificate of version 1 names it."""
    subject = document.get("credentialSubject")
    return str(subject["id"] if isinstance(subject, dict) else document["subject"])


def _stored(row: Any) -> StoredCertificate:
    revoked = row["revoked_at"]
    return StoredCertificate(
        id=row["id"],
        account_id=row["account_id"],
        document=json.loads(row["document"]),
        digest=row["digest"],
        issued_at=datetime.fromisoformat(row["issued_at"]),
        revoked_at=datetime.fromisoformat(revoked) if revoked else None,
        revocation_reason=row["revocation_reason"],
    )
