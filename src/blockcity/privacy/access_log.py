"""The vault's log: every read of personal data, every erasure and every consent change, in a
hash chain whose head is anchored on the ledger.

Each row carries the SHA-256 of the previous row's canonical form (RFC 8785 JSON of its
fields), and its own. Altering, removing or reordering a row breaks the chain at that row;
rewriting every digest after it still disagrees with the heads anchored on the ledger, which
hold only a row range and a digest, never who read what.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from blockcity.crypto import SigningKey, canonical_json
from blockcity.errors import StorageError
from blockcity.identity.db import IdentityDB
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import EntryType, EntryTypes, sign_entry
from blockcity.ledger.log import Receipt

Action = Literal["read", "erase", "consent.grant", "consent.revoke"]
Submit = Callable[[bytes], Receipt]
Signer = tuple[str, SigningKey]
"""A key id (DID URL) and its key, as ``sign_entry`` takes them."""

GENESIS = "0" * 64
"""The ``prev`` of the first row: no row comes before it."""

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"

SCHEMA = """
CREATE TABLE IF NOT EXISTS privacy_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    target TEXT NOT NULL,
    purpose TEXT NOT NULL,
    prev TEXT NOT NULL,
    digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS privacy_log_subject ON privacy_log (subject, seq);
CREATE TABLE IF NOT EXISTS privacy_log_anchors (
    last INTEGER PRIMARY KEY,
    head TEXT NOT NULL,
    entry_index INTEGER NOT NULL
);
"""


class AccessLogAnchored(BaseModel):
    """Rows ``first`` to ``last`` of a node's privacy log end in the chain digest ``head``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    authority: str = Field(pattern=_DID, max_length=200)
    first: int = Field(ge=1)
    last: int = Field(ge=1)
    head: str = Field(pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _range(self) -> AccessLogAnchored:
        if self.last < self.first:
            raise ValueError("last must not come before first")
        return self


ACCESS_LOG_ANCHORED = EntryType(
    name="privacy.access_log.anchored",
    version=1,
    body=AccessLogAnchored,
    description="The head of a node's personal-data access log, so its history cannot change.",
    required_signers=lambda body: [body.authority],
)


def register_entry_types(types: EntryTypes) -> None:
    types.register(ACCESS_LOG_ANCHORED)


@dataclass(frozen=True, slots=True)
class LogEvent:
    seq: int
    at: str
    """RFC 3339 UTC, as chained."""
    actor: str
    action: str
    subject: str
    target: str
    """The record or consent concerned ("" when the event is about the whole subject)."""
    purpose: str
    """Why: the purpose of a read, the reason for an erasure, the purpose of a consent."""
    prev: str
    digest: str

    def canonical(self) -> bytes:
        return canonical_json(
            {
                "seq": self.seq,
                "at": self.at,
                "actor": self.actor,
                "action": self.action,
                "subject": self.subject,
                "target": self.target,
                "purpose": self.purpose,
                "prev": self.prev,
            }
        )


@dataclass(frozen=True, slots=True)
class LogVerification:
    """The result of recomputing the chain: ``broken_row`` is the first row that fails."""

    rows: int
    broken_row: int | None = None
    reason_en: str = ""
    reason_ko: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_row is None


@contextmanager
def transaction(db: IdentityDB) -> Iterator[sqlite3.Connection]:
    """``db.transaction()``, with a failure inside it (a full disk, a trigger refusing a row)
    reported as a StorageError like a failure to begin or commit."""
    try:
        with db.transaction() as conn:
            yield conn
    except sqlite3.Error as exc:
        raise StorageError(
            f"the vault {db.path} failed: {exc}", f"보관소 {db.path} 오류: {exc}"
        ) from exc


def _event(row: sqlite3.Row) -> LogEvent:
    return LogEvent(
        row["seq"],
        row["at"],
        row["actor"],
        row["action"],
        row["subject"],
        row["target"],
        row["purpose"],
        row["prev"],
        row["digest"],
    )


class AccessLog:
    """The chain in the vault's database; ``append`` joins the caller's transaction so an
    event and the change it records happen together or not at all."""

    def __init__(self, db: IdentityDB, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._anchor_lock = threading.Lock()
        db.schema(SCHEMA)

    def append(
        self,
        conn: sqlite3.Connection,
        *,
        actor: str,
        action: Action,
        subject: str,
        target: str,
        purpose: str,
    ) -> LogEvent:
        last = conn.execute(
            "SELECT seq, digest FROM privacy_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev = (last["seq"] + 1, last["digest"]) if last else (1, GENESIS)
        unsigned = LogEvent(
            seq, format_time(self._clock()), actor, action, subject, target, purpose, prev, ""
        )
        digest = sha256(unsigned.canonical()).hexdigest()
        conn.execute(
            "INSERT INTO privacy_log (seq, at, actor, action, subject, target, purpose, prev, "
            "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, unsigned.at, actor, action, subject, target, purpose, prev, digest),
        )
        return LogEvent(seq, unsigned.at, actor, action, subject, target, purpose, prev, digest)

    def accesses(self, subject: str) -> list[LogEvent]:
        """Who read ``subject``'s personal data, when and why, oldest first."""
        rows = self._db.query(
            "SELECT * FROM privacy_log WHERE subject = ? AND action = 'read' ORDER BY seq",
            (subject,),
        )
        return [_event(row) for row in rows]

    def head(self) -> tuple[int, str]:
        """The number of rows and the last row's digest (``GENESIS`` for an empty log)."""
        row = self._db.one("SELECT seq, digest FROM privacy_log ORDER BY seq DESC LIMIT 1")
        return (row["seq"], row["digest"]) if row else (0, GENESIS)

    def verify(self) -> LogVerification:
        """Recompute the chain from the first row, and compare it with every anchored head."""
        anchored = {
            row["last"]: row["head"]
            for row in self._db.query("SELECT last, head FROM privacy_log_anchors")
        }
        expected_seq, prev = 1, GENESIS
        for row in self._db.query("SELECT * FROM privacy_log ORDER BY seq"):
            event = _event(row)
            problem = _check_row(event, expected_seq, prev, anchored.get(event.seq))
            if problem is not None:
                return LogVerification(expected_seq - 1, expected_seq, *problem)
            expected_seq, prev = event.seq + 1, event.digest
        rows = expected_seq - 1
        beyond = [last for last in anchored if last > rows]
        if beyond:
            return LogVerification(
                rows,
                rows + 1,
                f"the log ends at row {rows} but row {max(beyond)} was anchored: rows were removed",
                f"기록이 {rows}번째 행에서 끝나지만 {max(beyond)}번째 행까지 원장에 "
                "고정되었습니다: 행이 삭제되었습니다",
            )
        return LogVerification(rows)

    def anchor(
        self, submit: Submit, signer: Signer, *, at: datetime | None = None
    ) -> Receipt | None:
        """Write the current head to the ledger, signed by ``signer``; None if no row was
        added since the last anchor."""
        with self._anchor_lock:
            last, head = self.head()
            previous = self._db.one("SELECT MAX(last) AS last FROM privacy_log_anchors")
            anchored_until = previous["last"] if previous and previous["last"] else 0
            if last == anchored_until:
                return None
            kid, _ = signer
            body = AccessLogAnchored(
                authority=kid.split("#", 1)[0], first=anchored_until + 1, last=last, head=head
            )
            receipt = submit(
                sign_entry(
                    ACCESS_LOG_ANCHORED.name, body.model_dump(), [signer], at=at or self._clock()
                )
            )
            with transaction(self._db) as conn:
                conn.execute(
                    "INSERT INTO privacy_log_anchors (last, head, entry_index) VALUES (?, ?, ?)",
                    (last, head, receipt.index),
                )
            return receipt


def _check_row(
    event: LogEvent, expected_seq: int, prev: str, anchored_head: str | None
) -> tuple[str, str] | None:
    """Why ``event`` breaks the chain (English, Korean), or None."""
    n = expected_seq
    if event.seq != n:
        return (
            f"row {n} is missing (the next row is {event.seq})",
            f"{n}번째 행이 없습니다(다음 행은 {event.seq}번째)",
        )
    if event.prev != prev:
        return (
            f"row {n} does not link to row {n - 1}: a row was removed, inserted or rewritten",
            f"{n}번째 행이 {n - 1}번째 행과 이어지지 않습니다: 행이 삭제·삽입·변경되었습니다",
        )
    if sha256(event.canonical()).hexdigest() != event.digest:
        return (
            f"row {n} was altered after it was written",
            f"{n}번째 행이 기록된 뒤 변경되었습니다",
        )
    if anchored_head is not None and anchored_head != event.digest:
        return (
            f"row {n} differs from the head anchored on the ledger: the log was rewritten",
            f"{n}번째 행이 원장에 고정된 값과 다릅니다: 기록이 다시 쓰였습니다",
        )
    return None


__all__ = [
    "ACCESS_LOG_ANCHORED",
    "GENESIS",
    "AccessLog",
    "AccessLogAnchored",
    "Action",
    "LogEvent",
    "LogVerification",
    "register_entry_types",
    "transaction",
]
