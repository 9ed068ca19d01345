"""What the DID registry tests share: a clock the test moves, organizations with keys, and a
ledger in memory that takes entries the way ``Node.submit`` does (the validator, then the DID
registry for identity entries), without a block's wait per entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from blockcity.crypto import SigningKey, VerifyKey, did_key_from_public, verification_method_id
from blockcity.identity.dids import DidRegistry, register_did
from blockcity.ledger import merkle
from blockcity.ledger.entries import EntryValidator, sign_entry
from blockcity.ledger.log import Receipt
from blockcity.ledger.store import StoredEntry
from blockcity.node import entry_types

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def did_key_kid(key: SigningKey) -> str:
    return verification_method_id(did_key_from_public(key.public))


@dataclass
class Org:
    """An organization's did:web and the keys it holds, by fragment."""

    did: str
    keys: dict[str, SigningKey] = field(default_factory=dict)

    def kid(self, fragment: str) -> str:
        return f"{self.did}#{fragment}"

    def signer(self, fragment: str) -> tuple[str, SigningKey]:
        return self.kid(fragment), self.keys[fragment]

    def new_key(self, fragment: str) -> SigningKey:
        self.keys[fragment] = SigningKey.generate()
        return self.keys[fragment]


class MemoryLedger:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.city_key = SigningKey.generate()
        self.city_did = did_key_from_public(self.city_key.public)
        self.city = (did_key_kid(self.city_key), self.city_key)
        self.registry = DidRegistry(self.city_did, clock=self.clock)
        self.validator = EntryValidator(entry_types(), self.registry, clock=self.clock)
        self.entries: list[StoredEntry] = []

    def submit(self, data: bytes) -> Receipt:
        entry = self.validator.check(data)
        if self.registry.watches(entry.type):
            return self.registry.record(entry, lambda: self._append(entry.data))
        return self._append(data)

    def _append(self, data: bytes) -> Receipt:
        index = len(self.entries)
        self.entries.append(StoredEntry(index, data))
        return Receipt(index, index, index + 1, merkle.leaf_hash(data))

    def register(self, name: str, *fragments: str) -> Org:
        org = Org(f"did:web:seoul.blockcity.example:org:{name}")
        self.register_did(
            org.did,
            [(f, org.new_key(f).public) for f in fragments or ("key-1",)],
            name_ko=f"{name} 기관",
            name_en=f"{name} organization",
        )
        return org

    def register_did(
        self,
        did: str,
        keys: Sequence[tuple[str, VerifyKey]],
        *,
        name_ko: str,
        name_en: str,
        controller: str | None = None,
    ) -> Receipt:
        """``register_did`` signed by the city, now by the ledger's clock."""
        return register_did(
            self.submit,
            self.city,
            did,
            keys,
            name_ko=name_ko,
            name_en=name_en,
            controller=controller,
            at=self.clock.now,
        )

    def replayed(self) -> DidRegistry:
        fresh = DidRegistry(self.city_did, clock=self.clock)
        fresh.replay(self.entries)
        return fresh


def notice(signer: tuple[str, SigningKey], at: datetime) -> bytes:
    """A public notice signed by ``signer``, published in its DID's name."""
    kid, key = signer
    body = {
        "publisher": kid.partition("#")[0],
        "title_ko": "공지",
        "title_en": "Notice",
        "summary_ko": "",
        "summary_en": "",
    }
    return sign_entry("notices.notice.published", body, [(kid, key)], at=at)
