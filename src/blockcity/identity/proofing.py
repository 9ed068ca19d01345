"""Identity proofing: a registration officer confirms a person's real identity once, and the
city issues a Seoul Pass identity certificate to the person's DID, anchored on the ledger.

The legal name and birth date stay in the identity database, sealed under the master key. The
certificate and the ledger carry only a salted commitment to them, which the person can open to
a verifier of their choosing. Issue 4 turns the certificate into a W3C verifiable credential;
until then it is this small signed JSON document, kept apart from everything else.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
from blockcity.ledger.blocks import format_time
from blockcity.ledger.checkpoint import open_checkpoint
from blockcity.ledger.entries import EntryType, EntryTypes, sign_entry
from blockcity.ledger.log import Ledger, Receipt
from blockcity.privacy.commitments import commit

CERTIFICATE_TYPE = "SeoulPassIdentityCertificate"
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
    """The city issued an identity certificate to ``subject``, on ``officer``'s confirmation."""

    issuer: str = Field(pattern=_DID, max_length=200)
    officer: str = Field(pattern=_DID, max_length=200)
    subject: str = Field(pattern=_DID, max_length=200)
    commitment: str = Field(pattern=_DIGEST)
    certificate: str = Field(pattern=_DIGEST)
    """The certificate's digest (``certificate_digest``)."""


class CertificateRevoked(_Body):
    issuer: str = Field(pattern=_DID, max_length=200)
    subject: str = Field(pattern=_DID, max_length=200)
    certificate: str = Field(pattern=_DIGEST)
    reason: RevocationReason


CERTIFICATE_ISSUED = EntryType(
    name="identity.certificate.issued",
    version=1,
    body=CertificateIssued,
    description="The city issued a Seoul Pass identity certificate after an officer's check.",
    required_signers=lambda body: [body.issuer, body.officer],
)
CERTIFICATE_REVOKED = EntryType(
    name="identity.certificate.revoked",
    version=1,
    body=CertificateRevoked,
    description="The city revoked a Seoul Pass identity certificate.",
    required_signers=lambda body: [body.issuer],
)


def register_entry_types(types: EntryTypes) -> None:
    """Identity proofing's entry types, for ``node.entry_types()``."""
    types.register(CERTIFICATE_ISSUED)
    types.register(CERTIFICATE_REVOKED)


# The certificate document.


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
    """A Seoul Pass identity certificate as it is handed out and checked."""

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
    certificate's commitment: the selective reveal a verifier checks."""
    try:
        raw_salt = b64url_decode(salt)
        born = birth_date if isinstance(birth_date, date) else date.fromisoformat(birth_date)
        expected = commitment(raw_salt, name, born)
    except (InvalidInput, ValueError):
        return False
    claimed = doc.get("commitment") if isinstance(doc, dict) else None
    return isinstance(claimed, str) and secrets.compare_digest(expected, claimed)


# Verification: a list of named checks, each ok or with a reason.


CheckName = Literal["format", "signature", "issuer", "ledger", "status"]


@dataclass(frozen=True, slots=True)
class Check:
    name: CheckName
    ok: bool
    message_en: str
    message_ko: str

    def message(self, lang: str = "ko") -> str:
        return self.message_ko if lang == "ko" else self.message_en


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    checks: tuple[Check, ...]
    revoked: bool = False
    """The city revoked the certificate (the status check says when and why)."""

    @property
    def ok(self) -> bool:
        """True only if there were checks and every one passed: no checks is no verification."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "revoked": self.revoked,
            "checks": [
                {"name": c.name, "ok": c.ok, "message_en": c.message_en, "message_ko": c.message_ko}
                for c in self.checks
            ],
        }


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


def _fail(name: CheckName, en: str, ko: str) -> Check:
    return Check(name, False, en, ko)


def _check_signature(
    doc: dict[str, Any], cert: IdentityCertificate, resolver: KeyResolver
) -> Check:
    try:
        key = resolver.resolve(cert.proof.kid)
        signature = b64url_decode(cert.proof.sig)
    except BlockcityError as exc:
        return _fail(
            "signature",
            f"the signing key cannot be found: {exc.message_en}",
            f"서명 키를 찾을 수 없습니다: {exc.message_ko}",
        )
    if not key.verify(signature, _signing_input(doc)):
        return _fail(
            "signature",
            "the signature does not match: the certificate was altered or forged",
            "서명이 맞지 않습니다. 인증서가 변경되었거나 위조되었습니다",
        )
    return Check(
        "signature", True, f"signed by {cert.proof.kid}", f"{cert.proof.kid}의 서명이 맞습니다"
    )


def _check_issuer(cert: IdentityCertificate, city_dids: set[str]) -> Check:
    signer = cert.proof.kid.split("#", 1)[0]
    if cert.issuer not in city_dids:
        return _fail(
            "issuer",
            f"the issuer {cert.issuer} is not the city",
            f"발급자 {cert.issuer}은(는) 서울시가 아닙니다",
        )
    if signer != cert.issuer:
        return _fail(
            "issuer",
            f"the certificate names the city as issuer but {signer} signed it",
            f"발급자는 서울시인데 서명은 {signer}이(가) 했습니다",
        )
    return Check("issuer", True, "issued by the city", "서울시가 발급했습니다")


def _check_ledger(cert: IdentityCertificate, ledger: Ledger) -> Check:
    anchor = cert.ledger
    try:
        checkpoint, _ = open_checkpoint(anchor.checkpoint, [ledger.verifier_key()])
    except BlockcityError as exc:
        return _fail(
            "ledger",
            f"the checkpoint is not signed by the ledger's key: {exc.message_en}",
            f"체크포인트가 원장의 키로 서명되지 않았습니다: {exc.message_ko}",
        )
    if checkpoint.origin != ledger.origin or checkpoint.size != anchor.tree_size:
        return _fail(
            "ledger",
            "the checkpoint is for another ledger or another tree size",
            "체크포인트가 다른 원장이나 다른 트리 크기의 것입니다",
        )
    if anchor.index >= anchor.tree_size or anchor.tree_size > ledger.size:
        return _fail(
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
        return _fail(
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
        return _fail(
            "ledger",
            "the inclusion proof does not lead to the signed checkpoint's root",
            "포함 증명으로 서명된 체크포인트의 루트를 얻을 수 없습니다",
        )
    return Check(
        "ledger",
        True,
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
        return _fail(
            "status",
            f"revoked by the city at {revocation.at} ({revocation.reason}), "
            f"ledger entry {revocation.index}",
            f"서울시가 {revocation.at}에 폐지했습니다 ({revocation.reason}), "
            f"원장 항목 {revocation.index}",
        )
    return Check("status", True, "not revoked", "폐지되지 않았습니다")


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
                _fail(
                    "format",
                    f"this is not a Seoul Pass identity certificate: {reason}",
                    f"서울패스 신원 인증서가 아닙니다: {reason}",
                ),
            )
        )
    revocation = _revocation(cert, revocations or RevocationIndex(ledger))
    return CertificateCheck(
        (
            Check(
                "format", True, "a Seoul Pass identity certificate", "서울패스 신원 인증서입니다"
            ),
            _check_signature(doc, cert, resolver or DidKeyResolver()),
            _check_issuer(cert, trusted),
            _check_ledger(cert, ledger),
            _check_status(revocation),
        ),
        revoked=revocation is not None,
    )


# The person's record: the certificate and the sealed opening of its commitment.

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
    id: str
    """The id of the ledger entry that anchors it."""
    account_id: str
    document: dict[str, Any]
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None

    @property
    def digest(self) -> str:
        return certificate_digest(self.document)


def create_officer(accounts: Accounts, username: str, password: str, display_name: str) -> Account:
    """A registration officer's account (for now made by whoever runs the platform)."""
    return accounts.create(username, password, display_name, kind=AccountKind.OFFICER)


class Proofing:
    """Issues, stores, revokes and verifies identity certificates for one city and ledger."""

    def __init__(
        self,
        db: IdentityDB,
        accounts: Accounts,
        master: MasterKey,
        ledger: Ledger,
        city_key: SigningKey,
        submit: Callable[[bytes], Receipt],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self._accounts = accounts
        self._master = master
        self.ledger = ledger
        self._city_key = city_key
        self.city_did = did_key_from_public(city_key.public)
        self.city_kid = f"{self.city_did}#{self.city_did.removeprefix('did:key:')}"
        self._submit = submit
        self.clock = clock
        self.revocations = RevocationIndex(ledger)
        db.schema(SCHEMA)

    def issue(
        self, officer_id: str, subject_id: str, legal_name: str, birth_date: date
    ) -> StoredCertificate:
        """The officer has seen the person's ID: issue, anchor and keep their certificate."""
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
        salt = secrets.token_bytes(32)
        statement: dict[str, Any] = {
            "type": CERTIFICATE_TYPE,
            "subject": subject.did,
            "issuer": self.city_did,
            "commitment": commitment(salt, name, born),
            "issued_at": format_time(now),
        }
        digest = certificate_digest(statement)
        entry_id = str(uuid.uuid4())
        body = CertificateIssued(
            issuer=self.city_did,
            officer=officer.did,
            subject=subject.did,
            commitment=statement["commitment"],
            certificate=digest,
        )
        entry = sign_entry(
            CERTIFICATE_ISSUED.name,
            body.model_dump(),
            [
                (self.city_kid, self._city_key),
                (officer.kid, self._accounts.custodial_key(officer.id)),
            ],
            entry_id=entry_id,
            at=now,
        )
        receipt = self._submit(entry)
        proof = self.ledger.inclusion_proof(receipt.index, receipt.tree_size)
        note = self.ledger.published_note(self.ledger.block(receipt.block_height))
        doc: dict[str, Any] = {
            **statement,
            "ledger": {
                "entry_id": entry_id,
                "index": receipt.index,
                "tree_size": receipt.tree_size,
                "inclusion_proof": [h.hex() for h in proof.path],
                "checkpoint": note,
            },
        }
        doc["proof"] = {
            "kid": self.city_kid,
            "sig": b64url_encode(self._city_key.sign(_signing_input(doc))),
        }
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
                    digest,
                    json.dumps(doc, ensure_ascii=False),
                    self._master.seal(opening, _purpose(subject.id, entry_id)),
                    now.isoformat(),
                ),
            )
            tx.execute(
                "UPDATE accounts SET proofed_at = ? WHERE id = ?", (now.isoformat(), subject.id)
            )
        return self.get(subject.id, entry_id)

    def revoke(self, actor_id: str, certificate_id: str, reason: RevocationReason) -> Receipt:
        """Revoke a certificate on the ledger (city-signed); its holder may be proofed again."""
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
        body = CertificateRevoked(
            issuer=self.city_did,
            subject=stored.document["subject"],
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
        """The account's valid (not revoked) certificate, if any."""
        row = self.db.one(
            "SELECT * FROM identity_certificates WHERE account_id = ? AND revoked_at IS NULL "
            "ORDER BY issued_at DESC LIMIT 1",
            (account_id,),
        )
        return _stored(row) if row else None

    def latest(self, account_id: str) -> StoredCertificate | None:
        """The account's newest certificate, revoked or not."""
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

    def verify(self, doc: object) -> CertificateCheck:
        return verify_certificate(doc, self.city_did, self.ledger, revocations=self.revocations)


def _purpose(account_id: str, certificate_id: str) -> bytes:
    return f"identity-opening:{account_id}:{certificate_id}".encode()


def _stored(row: Any) -> StoredCertificate:
    revoked = row["revoked_at"]
    return StoredCertificate(
        id=row["id"],
        account_id=row["account_id"],
        document=json.loads(row["document"]),
        issued_at=datetime.fromisoformat(row["issued_at"]),
        revoked_at=datetime.fromisoformat(revoked) if revoked else None,
        revocation_reason=row["revocation_reason"],
    )
