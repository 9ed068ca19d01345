"""Consent: a person lets one recipient use named kinds of their data for one purpose until a
date. Every grant and revocation joins the vault's hash-chained log."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from blockcity.errors import InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.ledger.blocks import format_time
from blockcity.privacy.access_log import AccessLog, transaction

MAX_TEXT = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS consents (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL,
    scope TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS consents_lookup ON consents (subject, recipient, purpose);
"""


class ConsentNotFound(NotFound):
    code = "consent-not-found"
    title_ko = "동의 기록을 찾을 수 없습니다"
    title_en = "Consent not found"


@dataclass(frozen=True, slots=True)
class Consent:
    id: str
    subject: str
    recipient: str
    purpose: str
    scope: tuple[str, ...]
    """The kinds of vault records the recipient may use, such as ``"labor.worker"``."""
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def active(self, at: datetime) -> bool:
        """In force at ``at``: granted, not yet expired, not yet revoked."""
        ends = self.expires_at if self.revoked_at is None else min(self.expires_at, self.revoked_at)
        return self.granted_at <= at < ends


def _text(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidInput(
            f"{field} must be non-empty text of at most {MAX_TEXT} characters",
            f"{field}은(는) {MAX_TEXT}자 이하의 비어 있지 않은 글자여야 합니다",
        )
    return value


def _consent(row: sqlite3.Row) -> Consent:
    return Consent(
        row["id"],
        row["subject"],
        row["recipient"],
        row["purpose"],
        tuple(json.loads(row["scope"])),
        datetime.fromisoformat(row["granted_at"]),
        datetime.fromisoformat(row["expires_at"]),
        datetime.fromisoformat(row["revoked_at"]) if row["revoked_at"] else None,
    )


class Consents:
    def __init__(self, db: IdentityDB, log: AccessLog, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._log = log
        self._clock = clock
        db.schema(SCHEMA)

    def grant(
        self, subject: str, recipient: str, purpose: str, scope: list[str], expires_at: datetime
    ) -> Consent:
        """Record that ``subject`` lets ``recipient`` use ``scope`` for ``purpose`` until
        ``expires_at`` (exclusive)."""
        for value, field in ((subject, "subject"), (recipient, "recipient"), (purpose, "purpose")):
            _text(value, field)
        if not isinstance(scope, list) or not scope:
            raise InvalidInput(
                "scope must list at least one kind of data",
                "동의 범위(scope)에 데이터 종류를 하나 이상 적어야 합니다",
            )
        kinds = tuple(sorted({_text(kind, "scope") for kind in scope}))
        now = self._clock()
        if expires_at.tzinfo is None or expires_at <= now:
            raise InvalidInput(
                f"a consent must expire at a time with a time zone after now ({format_time(now)})",
                f"동의 만료 시각은 시간대가 있고 지금({format_time(now)}) 이후여야 합니다",
            )
        consent = Consent(
            str(uuid.uuid4()), subject, recipient, purpose, kinds, now, expires_at, None
        )
        with transaction(self._db) as conn:
            conn.execute(
                "INSERT INTO consents (id, subject, recipient, purpose, scope, granted_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    consent.id,
                    subject,
                    recipient,
                    purpose,
                    json.dumps(list(kinds)),
                    now.isoformat(),
                    expires_at.isoformat(),
                ),
            )
            self._log.append(
                conn,
                actor=subject,
                action="consent.grant",
                subject=subject,
                target=consent.id,
                purpose=purpose,
            )
        return consent

    def revoke(self, consent_id: str) -> Consent:
        """Withdraw a consent from now on; revoking it again changes nothing."""
        with transaction(self._db) as conn:
            row = conn.execute("SELECT * FROM consents WHERE id = ?", (consent_id,)).fetchone()
            if row is None:
                raise ConsentNotFound(
                    f"no consent {consent_id}", f"동의 기록 {consent_id}이(가) 없습니다"
                )
            consent = _consent(row)
            if consent.revoked_at is not None:
                return consent
            now = self._clock()
            conn.execute(
                "UPDATE consents SET revoked_at = ? WHERE id = ?", (now.isoformat(), consent_id)
            )
            self._log.append(
                conn,
                actor=consent.subject,
                action="consent.revoke",
                subject=consent.subject,
                target=consent_id,
                purpose=consent.purpose,
            )
        return replace(consent, revoked_at=now)

    def check(self, subject: str, recipient: str, purpose: str, at: datetime) -> Consent | None:
        """The consent in force at ``at`` for exactly this subject, recipient and purpose (the
        one lasting longest if several are), or None."""
        rows = self._db.query(
            "SELECT * FROM consents WHERE subject = ? AND recipient = ? AND purpose = ?",
            (subject, recipient, purpose),
        )
        active = [c for c in map(_consent, rows) if c.active(at)]
        return max(active, key=lambda c: c.expires_at, default=None)


__all__ = ["Consent", "ConsentNotFound", "Consents"]
