"""Account recovery with one-time recovery codes, shown once at sign-up.

A code replaces a forgotten password: it sets a new password, ends every session of the
account (an attacker who held one is thrown out) and then is spent. A wrong username and a
wrong code fail alike, so recovery tells nobody which accounts exist.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from hashlib import sha256

from blockcity.errors import BlockcityError
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account
from blockcity.identity.passwords import check_policy

CODES_PER_ACCOUNT = 10
CODE_BYTES = 10
"""80 random bits per code."""

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_CHARS = CODE_BYTES * 8 // 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    code_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (account_id, code_hash)
) WITHOUT ROWID;
"""


class RecoveryFailed(BlockcityError):
    """Deliberately vague, like a failed sign-in: it never says whether the account exists."""

    code = "recovery-failed"
    status = 401
    title_ko = "계정을 복구하지 못했습니다"
    title_en = "Recovery failed"

    def __init__(self) -> None:
        super().__init__(
            "the username or the recovery code is wrong; each code works only once",
            "아이디 또는 복구 코드가 올바르지 않습니다. 복구 코드는 한 번만 쓸 수 있습니다",
        )


def _format(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_CODE_CHARS)))
    return "-".join(chars[i : i + 4] for i in range(0, _CODE_CHARS, 4))


def _normalize(code: str) -> str | None:
    """The code's 16 characters, forgiving case, spaces, dashes and look-alike letters."""
    cleaned = "".join(c for c in code.upper() if c not in " -").translate(_CONFUSABLE)
    if len(cleaned) != _CODE_CHARS or any(c not in _ALPHABET for c in cleaned):
        return None
    return cleaned


def _digest(account_id: str, normalized: str) -> bytes:
    # SHA-256, not argon2: a code holds 80 random bits, so even a fast hash leaves 2**80
    # guesses to someone who steals the table; slow hashing only pays off for secrets people
    # choose, which are guessable. The account id keeps equal codes of two accounts apart.
    return sha256(f"seoul-pass-recovery:{account_id}:{normalized}".encode()).digest()


class Recovery:
    def __init__(self, db: IdentityDB, accounts: Accounts, clock: Callable[[], datetime]) -> None:
        self.db = db
        self._accounts = accounts
        self.clock = clock
        db.schema(SCHEMA)

    def issue(self, account_id: str) -> list[str]:
        """Ten new codes for the account, replacing all earlier ones. Show them once: only
        their hashes are kept."""
        self._accounts.get(account_id)
        codes = [_format(secrets.token_bytes(CODE_BYTES)) for _ in range(CODES_PER_ACCOUNT)]
        now = self.clock().isoformat()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM recovery_codes WHERE account_id = ?", (account_id,))
            tx.executemany(
                "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?, ?, ?)",
                [(account_id, _digest(account_id, code.replace("-", "")), now) for code in codes],
            )
        return codes

    def remaining(self, account_id: str) -> int:
        row = self.db.one(
            "SELECT count(*) AS n FROM recovery_codes WHERE account_id = ? AND used_at IS NULL",
            (account_id,),
        )
        return int(row["n"]) if row else 0

    def recover(self, username: str, code: str, new_password: str) -> Account:
        """Spend one code of ``username`` to set ``new_password``; every session, passkey and
        PIN of the account ends and any lockout is lifted. Raises RecoveryFailed for a wrong
        username or code."""
        check_policy(new_password, username.strip().lower())
        # Hashed before the account is looked up, so an unknown username takes as long.
        hashed = self._accounts.passwords.hash(new_password)
        account = self._accounts.by_username(username)
        normalized = _normalize(code)
        if account is None or normalized is None:
            raise RecoveryFailed()
        digest = _digest(account.id, normalized)
        now = self.clock().isoformat()
        # One transaction: the code is spent only if the password changes and the sessions end.
        with self.db.transaction() as tx:
            spent = tx.execute(
                "UPDATE recovery_codes SET used_at = ? "
                "WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
                (now, account.id, digest),
            ).rowcount
            if spent != 1:
                raise RecoveryFailed()
            tx.execute(
                "UPDATE accounts SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL "
                "WHERE id = ?",
                (hashed, account.id),
            )
            tx.execute("DELETE FROM sessions WHERE account_id = ?", (account.id,))
            # Whoever held the account before recovery may have enrolled a passkey or a PIN of
            # their own; both would outlive the new password, so recovery removes every one
            # and the person enrols theirs again (found by the security review).
            tx.execute(
                "UPDATE passkeys SET removed_at = ? WHERE account_id = ? AND removed_at IS NULL",
                (now, account.id),
            )
            tx.execute("DELETE FROM pins WHERE account_id = ?", (account.id,))
        return account
