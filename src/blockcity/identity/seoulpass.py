"""Seoul Pass as one object: the identity modules wired to one database, master key and clock.
Each capability (accounts, sessions, passkeys, PINs, signing, recovery, organizations,
operators) is an attribute; the web, API and CLI layers reach them through here. The DID
registry is the node's (``Node.dids``): it is rebuilt from the ledger, which read-only nodes
need too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from blockcity.crypto import KeyResolver
from blockcity.crypto.sealing import MasterKey
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.operators import Operators
from blockcity.identity.organizations import Organizations
from blockcity.identity.passkeys import Passkeys
from blockcity.identity.passwords import Passwords, RateLimiter
from blockcity.identity.pins import Pins
from blockcity.identity.recovery import Recovery
from blockcity.identity.sessions import Sessions
from blockcity.identity.signing import Signing


class SeoulPass:
    def __init__(
        self,
        data_dir: Path,
        master: MasterKey,
        *,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        keys: KeyResolver | None = None,
    ) -> None:
        """``keys`` resolves the key ids of custodial signatures (the node's DID registry, so
        that a revoked key's later signatures fail); did:key alone when None."""
        self.db = IdentityDB(data_dir / "identity.sqlite3")
        self.clock = clock
        self.accounts = Accounts(self.db, master, passwords, clock=clock)
        self.sessions = Sessions(self.db, clock)
        self.passkeys = Passkeys(self.db, self.accounts, self.sessions, clock)
        self.pins = Pins(self.db, master, self.accounts.passwords, self.sessions, clock)
        self.signing = Signing(self.db, self.accounts, self.sessions, self.passkeys, keys, clock)
        self.organizations = Organizations(self.db, self.accounts, clock)
        self.authz = self.organizations.authz
        self.operators = Operators(self.db, self.organizations, clock)
        self.sign_in_limiter = RateLimiter()
        # Recovery attempts count against sign_in_limiter too: alternating between the two
        # forms must not double an attacker's guesses.
        self.recovery = Recovery(self.db, self.accounts, clock)

    def close(self) -> None:
        self.db.close()
