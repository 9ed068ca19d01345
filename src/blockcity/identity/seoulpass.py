"""Seoul Pass as one object: the identity modules wired to one database, master key and clock.
Each capability (accounts, sessions, passkeys, PINs, organizations, operators, the DID
registry) is an attribute; the web, API and CLI layers reach them through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from blockcity.crypto.sealing import MasterKey
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.passwords import Passwords, RateLimiter
from blockcity.identity.sessions import Sessions


class SeoulPass:
    def __init__(
        self,
        data_dir: Path,
        master: MasterKey,
        *,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = IdentityDB(data_dir / "identity.sqlite3")
        self.clock = clock
        self.accounts = Accounts(self.db, master, passwords, clock=clock)
        self.sessions = Sessions(self.db, clock)
        self.sign_in_limiter = RateLimiter()

    def close(self) -> None:
        self.db.close()
