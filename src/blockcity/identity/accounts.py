"""Accounts of people: sign-up with a custodial did:key, password sign-in with lockout.

Every account gets an Ed25519 key in custody at sign-up: its did:key is the person's DID on the
ledger, and its seed is stored only sealed under the node's master key, bound to the account.
Passwords are argon2id hashes; after repeated failures the account locks for a growing time.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account, AccountKind
from blockcity.identity.passwords import (
    LockoutPolicy,
    Passwords,
    SignInFailed,
    check_policy,
    locked_error,
)

Clock = Callable[[], datetime]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    did TEXT NOT NULL UNIQUE,
    sealed_key BLOB NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL,
    proofed_at TEXT,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
"""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Accounts:
    def __init__(
        self,
        db: IdentityDB,
        master: MasterKey,
        passwords: Passwords | None = None,
        lockout: LockoutPolicy | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self.db = db
        self._master = master
        self.passwords = passwords or Passwords()
        self.lockout = lockout or LockoutPolicy()
        self.clock = clock
        db.schema(SCHEMA)

    def create(
        self,
        username: str,
        password: str,
        display_name: str,
        kind: AccountKind = AccountKind.CITIZEN,
    ) -> Account:
        """A new account with its own custodial key and DID."""
        username = username.strip().lower()
        if not _USERNAME.fullmatch(username):
            raise InvalidInput(
                "a username is 3 to 32 characters: lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter or digit",
                "아이디는 3~32자의 영문 소문자, 숫자, '.', '_', '-'로 정하고 영문이나 숫자로 "
                "시작하세요",
            )
        display_name = display_name.strip()
        if not 1 <= len(display_name) <= 50:
            raise InvalidInput("give a name of 1 to 50 characters", "이름을 1~50자로 입력하세요")
        if not display_name.isprintable():
            raise InvalidInput(
                "a name cannot hold line breaks or control characters",
                "이름에는 줄바꿈이나 제어 문자를 넣을 수 없습니다",
            )
        check_policy(password, username)
        key = SigningKey.generate()
        account_id = str(uuid.uuid4())
        sealed = self._master.seal(key.seed, _purpose(account_id))
        hashed = self.passwords.hash(password)
        now = self.clock()
        with self.db.transaction() as tx:
            if tx.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise Conflict(
                    f"the username {username!r} is taken; choose another",
                    f"아이디 {username!r}는 이미 쓰이고 있습니다. 다른 아이디를 정하세요",
                )
            tx.execute(
                "INSERT INTO accounts (id, username, display_name, kind, did, sealed_key, "
                "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    username,
                    display_name,
                    kind.value,
                    did_key_from_public(key.public),
                    sealed,
                    hashed,
                    now.isoformat(),
                ),
            )
        return self.get(account_id)

    def get(self, account_id: str) -> Account:
        row = self.db.one("SELECT * FROM accounts WHERE id = ?", (account_id,))
        if row is None:
            raise NotFound("no such account", "그런 계정이 없습니다")
        return _account(row)

    def by_username(self, username: str) -> Account | None:
        row = self.db.one("SELECT * FROM accounts WHERE username = ?", (username.strip().lower(),))
        return _account(row) if row else None

    def by_did(self, did: str) -> Account | None:
        row = self.db.one("SELECT * FROM accounts WHERE did = ?", (did,))
        return _account(row) if row else None

    def sign_in(self, username: str, password: str) -> Account:
        """The account if the password is right; every failure counts toward a lockout and
        looks the same to the caller whether or not the account exists."""
        now = self.clock()
        row = self.db.one("SELECT * FROM accounts WHERE username = ?", (username.strip().lower(),))
        locked_until = _time(row["locked_until"]) if row else None
        if locked_until is not None and locked_until > now:
            raise locked_error(locked_until, now)
        stored = row["password_hash"] if row else None
        if not self.passwords.verify(stored, password) or row is None:
            if row is not None:
                self._count_failure(row["id"], now)
            raise SignInFailed()
        # Hashed before the transaction: argon2 takes ~70 ms, too long to hold the database.
        outdated = self.passwords.needs_rehash(row["password_hash"])
        rehashed = self.passwords.hash(password) if outdated else None
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL"
                + (", password_hash = ?" if rehashed else "")
                + " WHERE id = ?",
                ((rehashed, row["id"]) if rehashed else (row["id"],)),
            )
        return _account(row)

    def _count_failure(self, account_id: str, now: datetime) -> None:
        with self.db.transaction() as tx:
            (failures,) = tx.execute(
                "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? "
                "RETURNING failed_sign_ins",
                (account_id,),
            ).fetchone()
            lock = self.lockout.lock_for(failures)
            if lock is not None:
                tx.execute(
                    "UPDATE accounts SET locked_until = ? WHERE id = ?",
                    ((now + lock).isoformat(), account_id),
                )

    def set_password(self, account_id: str, password: str) -> None:
        account = self.get(account_id)
        check_policy(password, account.username)
        hashed = self.passwords.hash(password)
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE accounts SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL "
                "WHERE id = ?",
                (hashed, account_id),
            )

    def mark_proofed(self, account_id: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE accounts SET proofed_at = ? WHERE id = ?",
                (self.clock().isoformat(), account_id),
            )

    def custodial_key(self, account_id: str) -> SigningKey:
        """The account's signing key, unsealed. Only the signing module may call this, after a
        fresh step-up (DESIGN.md section 4)."""
        row = self.db.one("SELECT sealed_key FROM accounts WHERE id = ?", (account_id,))
        if row is None:
            raise NotFound("no such account", "그런 계정이 없습니다")
        return SigningKey.from_seed(self._master.open(row["sealed_key"], _purpose(account_id)))


def _purpose(account_id: str) -> bytes:
    return f"custodial-key:{account_id}".encode()


def _account(row: sqlite3.Row) -> Account:
    return Account(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        kind=AccountKind(row["kind"]),
        did=row["did"],
        created_at=datetime.fromisoformat(row["created_at"]),
        proofed_at=_time(row["proofed_at"]),
    )
