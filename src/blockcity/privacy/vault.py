"""The personal-data vault: each person's data encrypted under their own key, every read
logged, erasure by destroying the key.

Each subject (an opaque id such as an account id) has one random 256-bit AES-GCM data key,
stored only wrapped by the node's master key with the subject bound into the wrap. A record is
the canonical JSON of its data and the salt of its commitment, encrypted under that key with
the subject, kind and record id as associated data, so a ciphertext moved to another subject
or record does not open. Records are immutable: a changed value is a new record.

Erasure (crypto-shredding) deletes the wrapped key and the ciphertexts, with SQLite's
``secure_delete`` so the bytes do not linger in free pages, and a truncating WAL checkpoint so
they do not linger in the write-ahead log. The ledger keeps only commitments, which nobody can
open or link once the salts are gone. Legal retention comes first: while any record must still
be kept, erasure is refused with the date it becomes possible.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from blockcity.crypto import b64url_decode, b64url_encode, canonical_json, parse_canonical
from blockcity.crypto.sealing import MasterKey, SealBroken
from blockcity.errors import (
    BlockcityError,
    Conflict,
    InvalidInput,
    NotFound,
    StorageError,
    VerificationFailed,
)
from blockcity.identity.db import IdentityDB
from blockcity.ledger.log import Clock, Receipt, utc_now
from blockcity.privacy.access_log import (
    AccessLog,
    LogEvent,
    LogVerification,
    Signer,
    Submit,
    transaction,
)
from blockcity.privacy.commitments import commit
from blockcity.privacy.consent import Consents

DATA_KEY_BYTES = 32
_NONCE_BYTES = 12
_SEOUL = ZoneInfo("Asia/Seoul")
"""Retention dates are calendar days in Seoul, where the law counts them."""
_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_MASTER_CHECK = b"blockcity vault master key check"

SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vault_keys (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vault_records (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retain_until TEXT,
    retention_basis TEXT,
    commitment TEXT,
    ciphertext BLOB
);
CREATE INDEX IF NOT EXISTS vault_records_subject ON vault_records (subject);
CREATE TABLE IF NOT EXISTS vault_erasures (
    subject TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    records INTEGER NOT NULL
);
"""


class Erased(BlockcityError):
    code = "erased"
    status = 410
    title_ko = "개인정보가 파기되었습니다"
    title_en = "Personal data erased"


class RecordNotFound(NotFound):
    code = "vault-record-not-found"
    title_ko = "개인정보 기록을 찾을 수 없습니다"
    title_en = "Vault record not found"


class RecordBroken(VerificationFailed):
    """A stored ciphertext or key does not open: the vault file was altered or rows moved."""

    code = "vault-integrity"
    status = 500
    title_ko = "보관된 개인정보의 무결성이 깨졌습니다"
    title_en = "Vault integrity failure"


class WrongMasterKey(StorageError):
    code = "vault-wrong-master-key"
    title_ko = "보관소의 마스터 키가 다릅니다"
    title_en = "Wrong master key for the vault"


class UnderRetention(Conflict):
    code = "vault-under-retention"
    title_ko = "법정 보존 기간 중입니다"
    title_en = "Under legal retention"


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """What the vault says about a record without decrypting it."""

    id: str
    subject: str
    kind: str
    created_at: datetime
    retain_until: date | None
    """The last day the record must be kept; erasure is possible from the day after."""
    retention_basis: str | None
    commitment: str | None
    """The commitment the ledger may carry for this record (None once erased)."""
    erased: bool


@dataclass(frozen=True, slots=True)
class Opening:
    """A record's data and the salt that opens its commitment."""

    data: dict[str, Any]
    salt: bytes

    def __repr__(self) -> str:
        return "Opening(<personal data>)"


@dataclass(frozen=True, slots=True)
class ErasureReport:
    subject: str
    erased_at: datetime
    actor: str
    reason: str
    records: int
    """How many records became unreadable."""
    already: bool
    """True when the subject had been erased before this call."""


def _record_aad(subject: str, kind: str, record_id: str) -> bytes:
    return b"blockcity.vault.record\x00" + canonical_json([subject, kind, record_id])


def _key_purpose(subject: str) -> bytes:
    return b"vault-data-key:" + subject.encode()


def _text(value: str, field: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(
            f"{field} must be non-empty text of at most {limit} characters",
            f"{field}은(는) {limit}자 이하의 비어 있지 않은 글자여야 합니다",
        )
    return value


class Vault:
    def __init__(self, path: Path, master: MasterKey, *, clock: Clock = utc_now) -> None:
        # Deleted key bytes are overwritten with zeros rather than left in free pages.
        self._db = IdentityDB(path, secure_delete=True)
        self._master = master
        self._clock = clock
        try:
            self._db.schema(SCHEMA)
            self._check_master()
            self.log = AccessLog(self._db, clock)
            self.consents = Consents(self._db, self.log, clock)
        except BaseException:
            self._db.close()
            raise

    def _check_master(self) -> None:
        """Refuse at once a master key other than the one the vault was created with, rather
        than at the first read."""
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT value FROM vault_meta WHERE name = 'master_check'"
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO vault_meta (name, value) VALUES ('master_check', ?)",
                    (self._master.seal(_MASTER_CHECK, b"vault-master-check"),),
                )
                return
        try:
            opened = self._master.open(row["value"], b"vault-master-check")
        except SealBroken:
            opened = b""
        if opened != _MASTER_CHECK:
            raise WrongMasterKey(
                f"the vault {self._db.path} was created with another master key; start the node "
                "with the master key it was created with",
                f"보관소 {self._db.path}는 다른 마스터 키로 만들어졌습니다. 만들 때의 마스터 키로 "
                "노드를 시작하세요",
            )

    # Writing

    def put(
        self,
        subject: str,
        kind: str,
        data: Mapping[str, Any],
        *,
        retain_until: date | None = None,
        retention_basis: str | None = None,
        record_id: str | None = None,
    ) -> str:
        """Encrypt ``data`` for ``subject`` and return the record id. ``kind`` names what it is
        (``"labor.worker"``); ``retain_until`` is the last day the law requires keeping it,
        ``retention_basis`` the rule that says so (``"근로기준법 제42조"``)."""
        _text(subject, "subject")
        if not isinstance(kind, str) or not _KIND.match(kind) or len(kind) > 100:
            raise InvalidInput(
                f"kind {kind!r} must be a dotted lowercase name such as 'labor.worker'",
                f"종류 {kind!r}는 'labor.worker'처럼 점으로 구분된 소문자 이름이어야 합니다",
            )
        rid = record_id if record_id is not None else str(uuid.uuid4())
        if not _RECORD_ID.match(rid):
            raise InvalidInput(
                "a record id is 1 to 128 letters, digits, '.', '_', ':' or '-'",
                "기록 ID는 영문자·숫자·'.'·'_'·':'·'-' 1~128자여야 합니다",
            )
        if retention_basis is not None:
            _text(retention_basis, "retention_basis")
        commitment = commit(data)
        plaintext = canonical_json({"data": dict(data), "salt": b64url_encode(commitment.salt)})
        with transaction(self._db) as conn:
            self._refuse_erased(conn, subject)
            if conn.execute("SELECT 1 FROM vault_records WHERE id = ?", (rid,)).fetchone():
                raise Conflict(
                    f"the vault already holds a record {rid}; records never change, store a "
                    "new one",
                    f"보관소에 이미 기록 {rid}이(가) 있습니다. 기록은 바뀌지 않으니 "
                    "새로 저장하세요",
                )
            key = self._data_key(conn, subject)
            nonce = secrets.token_bytes(_NONCE_BYTES)
            sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, _record_aad(subject, kind, rid))
            conn.execute(
                "INSERT INTO vault_records (id, subject, kind, created_at, retain_until, "
                "retention_basis, commitment, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    subject,
                    kind,
                    self._clock().isoformat(),
                    retain_until.isoformat() if retain_until else None,
                    retention_basis,
                    commitment.digest,
                    sealed,
                ),
            )
        return rid

    def extend_retention(
        self, record_id: str, until: date, *, basis: str | None = None
    ) -> RecordInfo:
        """Keep a record at least until ``until`` (say, when employment ends, its end plus
        three years). Retention only grows: a shorter date is refused."""
        if basis is not None:
            _text(basis, "basis")
        with transaction(self._db) as conn:
            info = self._info(conn, record_id)
            if info.erased:
                raise self._erased_error(conn, info.subject)
            if info.retain_until is not None and until < info.retain_until:
                raise InvalidInput(
                    f"record {record_id} must already be kept until {info.retain_until}; "
                    f"retention cannot be shortened to {until}",
                    f"기록 {record_id}은(는) 이미 {info.retain_until}까지 보존해야 하므로 "
                    f"{until}(으)로 줄일 수 없습니다",
                )
            conn.execute(
                "UPDATE vault_records SET retain_until = ?, "
                "retention_basis = COALESCE(?, retention_basis) WHERE id = ?",
                (until.isoformat(), basis, record_id),
            )
            return self._info(conn, record_id)

    # Reading

    def get(self, record_id: str, *, actor: str, purpose: str) -> dict[str, Any]:
        """The record's data. The read (who, which record, whose, why) is logged durably
        before anything is decrypted."""
        return self.get_opening(record_id, actor=actor, purpose=purpose).data

    def get_opening(self, record_id: str, *, actor: str, purpose: str) -> Opening:
        """The record's data and its commitment's salt, for a person to open the commitment to
        a verifier of their choosing; logged like ``get``."""
        _text(actor, "actor")
        _text(purpose, "purpose")
        with transaction(self._db) as conn:
            info = self._info(conn, record_id)
            if info.erased:
                raise self._erased_error(conn, info.subject)
            self.log.append(
                conn,
                actor=actor,
                action="read",
                subject=info.subject,
                target=record_id,
                purpose=purpose,
            )
        row = self._db.one(
            "SELECT ciphertext, kind, subject FROM vault_records WHERE id = ?", (record_id,)
        )
        key_row = self._db.one("SELECT wrapped FROM vault_keys WHERE subject = ?", (info.subject,))
        if row is None or row["ciphertext"] is None or key_row is None:
            raise self._erased_error(None, info.subject)
        key = self._unwrap(info.subject, key_row["wrapped"])
        sealed: bytes = row["ciphertext"]
        try:
            plaintext = AESGCM(key).decrypt(
                sealed[:_NONCE_BYTES],
                sealed[_NONCE_BYTES:],
                _record_aad(info.subject, info.kind, record_id),
            )
        except (InvalidTag, ValueError) as exc:
            raise RecordBroken(
                f"record {record_id} does not decrypt: its ciphertext was altered or moved from "
                "another record or person",
                f"기록 {record_id}을(를) 복호화할 수 없습니다: 암호문이 변경되었거나 "
                "다른 기록·사람의 것이 옮겨졌습니다",
            ) from exc
        envelope = parse_canonical(plaintext)
        return Opening(envelope["data"], b64url_decode(envelope["salt"]))

    def records(self, subject: str) -> list[RecordInfo]:
        """The subject's records, metadata only, oldest first."""
        rows = self._db.query(
            "SELECT * FROM vault_records WHERE subject = ? ORDER BY created_at, id", (subject,)
        )
        return [_record_info(row) for row in rows]

    def record(self, record_id: str) -> RecordInfo:
        rows = self._db.query("SELECT * FROM vault_records WHERE id = ?", (record_id,))
        if not rows:
            raise _not_found(record_id)
        return _record_info(rows[0])

    # Erasure

    def erase(
        self, subject: str, *, actor: str, reason: str, now: datetime | None = None
    ) -> ErasureReport:
        """Crypto-shred ``subject``'s data once no record is under retention."""
        _text(actor, "actor")
        _text(reason, "reason")
        moment = now or self._clock()
        with transaction(self._db) as conn:
            done = conn.execute(
                "SELECT * FROM vault_erasures WHERE subject = ?", (subject,)
            ).fetchone()
            if done is not None:
                return ErasureReport(
                    subject,
                    datetime.fromisoformat(done["erased_at"]),
                    done["actor"],
                    done["reason"],
                    done["records"],
                    already=True,
                )
            if (
                conn.execute("SELECT 1 FROM vault_keys WHERE subject = ?", (subject,)).fetchone()
                is None
            ):
                raise RecordNotFound(
                    f"the vault holds no personal data of {subject}",
                    f"보관소에 {subject}의 개인정보가 없습니다",
                )
            rows = conn.execute(
                "SELECT * FROM vault_records WHERE subject = ?", (subject,)
            ).fetchall()
            _refuse_retained(
                subject, [_record_info(row) for row in rows], moment.astimezone(_SEOUL).date()
            )
            conn.execute("DELETE FROM vault_keys WHERE subject = ?", (subject,))
            conn.execute(
                "UPDATE vault_records SET ciphertext = NULL, commitment = NULL WHERE subject = ?",
                (subject,),
            )
            conn.execute(
                "INSERT INTO vault_erasures (subject, erased_at, actor, reason, records) "
                "VALUES (?, ?, ?, ?, ?)",
                (subject, moment.isoformat(), actor, reason, len(rows)),
            )
            self.log.append(
                conn, actor=actor, action="erase", subject=subject, target="", purpose=reason
            )
        self._db.purge_wal()
        return ErasureReport(subject, moment, actor, reason, len(rows), already=False)

    # The log

    def accesses(self, subject: str) -> list[LogEvent]:
        """Who read ``subject``'s personal data, when and why."""
        return self.log.accesses(subject)

    def verify_access_log(self) -> LogVerification:
        return self.log.verify()

    def anchor_access_log(
        self, submit: Submit, signer: Signer, *, at: datetime | None = None
    ) -> Receipt | None:
        return self.log.anchor(submit, signer, at=at)

    # Helpers

    def _data_key(self, conn: sqlite3.Connection, subject: str) -> bytes:
        """The subject's data key, made on their first record."""
        row = conn.execute(
            "SELECT wrapped FROM vault_keys WHERE subject = ?", (subject,)
        ).fetchone()
        if row is not None:
            return self._unwrap(subject, row["wrapped"])
        key = secrets.token_bytes(DATA_KEY_BYTES)
        conn.execute(
            "INSERT INTO vault_keys (subject, wrapped) VALUES (?, ?)",
            (subject, self._master.seal(key, _key_purpose(subject))),
        )
        return key

    def _unwrap(self, subject: str, wrapped: bytes) -> bytes:
        try:
            return self._master.open(wrapped, _key_purpose(subject))
        except SealBroken as exc:
            raise RecordBroken(
                f"the data key of {subject} does not open with this node's master key: it was "
                "altered or moved from another person",
                f"{subject}의 데이터 키가 이 노드의 마스터 키로 열리지 않습니다: 변경되었거나 "
                "다른 사람의 것이 옮겨졌습니다",
            ) from exc

    def _info(self, conn: sqlite3.Connection, record_id: str) -> RecordInfo:
        row = conn.execute("SELECT * FROM vault_records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise _not_found(record_id)
        return _record_info(row)

    def _refuse_erased(self, conn: sqlite3.Connection, subject: str) -> None:
        if conn.execute("SELECT 1 FROM vault_erasures WHERE subject = ?", (subject,)).fetchone():
            raise self._erased_error(conn, subject)

    def _erased_error(self, conn: sqlite3.Connection | None, subject: str) -> Erased | RecordBroken:
        """Erased, naming the day; or, if no erasure was ever recorded, the vault was altered."""
        sql = "SELECT erased_at FROM vault_erasures WHERE subject = ?"
        row = conn.execute(sql, (subject,)).fetchone() if conn else self._db.one(sql, (subject,))
        if row is None:
            return RecordBroken(
                f"the data of {subject} is missing from the vault although it was never erased: "
                "the vault file was altered",
                f"{subject}의 데이터가 파기된 적이 없는데 보관소에 없습니다: 보관소 파일이 "
                "변경되었습니다",
            )
        when = datetime.fromisoformat(row["erased_at"]).astimezone(_SEOUL).date().isoformat()
        return Erased(
            f"the personal data of {subject} was erased on {when}; it cannot be read or restored",
            f"{subject}의 개인정보는 {when}에 파기되어 열람하거나 복구할 수 없습니다",
            subject=subject,
            erased_on=when,
        )

    def close(self) -> None:
        self._db.close()


def _not_found(record_id: str) -> RecordNotFound:
    return RecordNotFound(
        f"the vault holds no record {record_id}", f"보관소에 기록 {record_id}이(가) 없습니다"
    )


def _record_info(row: sqlite3.Row) -> RecordInfo:
    return RecordInfo(
        row["id"],
        row["subject"],
        row["kind"],
        datetime.fromisoformat(row["created_at"]),
        date.fromisoformat(row["retain_until"]) if row["retain_until"] else None,
        row["retention_basis"],
        row["commitment"],
        row["ciphertext"] is None,
    )


def _refuse_retained(subject: str, infos: list[RecordInfo], today: date) -> None:
    """Raise UnderRetention naming the first day erasure is possible and the records that
    hold it back."""
    held = [i for i in infos if i.retain_until is not None and i.retain_until >= today]
    if not held:
        return
    last = max(i.retain_until for i in held if i.retain_until is not None)
    possible = last + timedelta(days=1)
    why_en = "; ".join(
        f"{i.kind} record {i.id} must be kept until {i.retain_until}"
        + (f" ({i.retention_basis})" if i.retention_basis else "")
        for i in held
    )
    why_ko = "; ".join(
        f"{i.kind} 기록 {i.id}은(는) {i.retain_until}까지 보존해야 합니다"
        + (f"({i.retention_basis})" if i.retention_basis else "")
        for i in held
    )
    raise UnderRetention(
        f"the personal data of {subject} cannot be erased before {possible}: {why_en}",
        f"{subject}의 개인정보는 {possible}부터 파기할 수 있습니다: {why_ko}",
        erasable_from=possible.isoformat(),
    )


__all__ = [
    "DATA_KEY_BYTES",
    "Erased",
    "ErasureReport",
    "Opening",
    "RecordBroken",
    "RecordInfo",
    "RecordNotFound",
    "UnderRetention",
    "Vault",
    "WrongMasterKey",
]
