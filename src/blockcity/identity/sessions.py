"""Web sessions: opaque random tokens stored only as hashes, a CSRF token per session, and the
time of the last step-up (PIN or passkey) that unlocks signing.

A new session is created at every sign-in, so a token planted before sign-in (session
fixation) never becomes a signed-in session.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256

from blockcity.identity.db import IdentityDB

SESSION_LIFETIME = timedelta(hours=12)
STEP_UP_LIFETIME = timedelta(minutes=5)
"""How long a step-up (PIN or passkey) keeps signing unlocked."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    stepped_up_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_account ON sessions(account_id);
"""


def _digest(token: str) -> bytes:
    return sha256(token.encode()).digest()


def csrf_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True, slots=True)
class Session:
    account_id: str
    csrf: str
    created_at: datetime
    expires_at: datetime
    stepped_up_at: datetime | None

    def stepped_up(self, now: datetime) -> bool:
        return self.stepped_up_at is not None and now - self.stepped_up_at <= STEP_UP_LIFETIME


class Sessions:
    def __init__(
        self, db: IdentityDB, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)

    def start(self, account_id: str) -> tuple[str, Session]:
        """A fresh session for a successful sign-in: its token (for the cookie) and itself."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(account_id, secrets.token_urlsafe(32), now, now + SESSION_LIFETIME, None)
        with self.db.transaction() as tx:
            tx.execute(
                "DELETE FROM sessions WHERE account_id = ? AND expires_at < ?",
                (account_id, now.isoformat()),
            )
            tx.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)",
                (
                    _digest(token),
                    account_id,
                    session.csrf,
                    now.isoformat(),
                    session.expires_at.isoformat(),
                ),
            )
        return token, session

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        row = self.db.one("SELECT * FROM sessions WHERE token_hash = ?", (_digest(token),))
        if row is None:
            return None
        session = _session(row)
        return session if session.expires_at > self.clock() else None

    def step_up(self, token: str) -> None:
        """Record that the session's owner just proved presence again (PIN or passkey)."""
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE sessions SET stepped_up_at = ? WHERE token_hash = ?",
                (self.clock().isoformat(), _digest(token)),
            )

    def end(self, token: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    def end_all(self, account_id: str) -> None:
        """Sign out everywhere: after a password change or an account recovery."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE account_id = ?", (account_id,))


def _session(row: sqlite3.Row) -> Session:
    stepped = row["stepped_up_at"]
    return Session(
        account_id=row["account_id"],
        csrf=row["csrf"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        stepped_up_at=datetime.fromisoformat(stepped) if stepped else None,
    )
