"""One running blockcity node: the ledger, its sequencer, the entry registry and the keys,
wired from the configuration. The API, the web pages and the CLI all start from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from blockcity.config import Config
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, StorageError
from blockcity.identity import dids, proofing
from blockcity.identity.dids import DidRegistry
from blockcity.identity.seoulpass import SeoulPass
from blockcity.keystore import load_master_key, load_or_create_seed
from blockcity.ledger.checkpoint import Cosigner
from blockcity.ledger.entries import Entry, EntryTypes, EntryValidator
from blockcity.ledger.log import Clock, Ledger, Receipt, utc_now
from blockcity.ledger.note import Signer
from blockcity.ledger.sequencer import Sequencer
from blockcity.ledger.store import NewEntry, open_sqlite
from blockcity.ledger.witness import JsonFileWitnessState, Witness
from blockcity.services import register_entry_types


@dataclass(frozen=True, slots=True)
class CityIdentity:
    """The city's own signing key (did:key until Seoul Pass registers its did:web)."""

    key: SigningKey

    @property
    def did(self) -> str:
        return did_key_from_public(self.key.public)

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"


def entry_types() -> EntryTypes:
    types = EntryTypes()
    register_entry_types(types)
    proofing.register_entry_types(types)
    dids.register_entry_types(types)
    return types


class Node:
    def __init__(
        self,
        config: Config,
        ledger: Ledger,
        sequencer: Sequencer | None,
        validator: EntryValidator,
        city: CityIdentity | None,
        master: MasterKey | None = None,
        seoul_pass: SeoulPass | None = None,
        dids: DidRegistry | None = None,
    ) -> None:
        """``dids`` is the DID registry; it must be the one ``validator`` resolves keys with."""
        self.master = master
        self.dids = dids or DidRegistry(city.did if city else None)
        self._seoul_pass = seoul_pass
        self.config = config
        self.ledger = ledger
        self.sequencer = sequencer
        self.validator = validator
        self.city = city

    @classmethod
    def open(cls, config: Config, *, clock: Clock = utc_now) -> Node:
        """Open the node for writing: takes the data folder's writer lock."""
        keys = config.data_dir / "keys"
        store = open_sqlite(config.data_dir)
        try:
            master = load_master_key(config.master_key, config.master_key_file, keys / "master.key")
            signer = Signer.from_seed(config.origin, load_or_create_seed(keys / "log.seed", master))
            # A demo witness in the same process: in production each witness is another
            # organization's server (C2SP tlog-witness), configured instead of this one.
            witness = Witness(
                Cosigner.from_seed(
                    "witness.demo.blockcity.example",
                    load_or_create_seed(keys / "witness.seed", master),
                ),
                {config.origin: signer.verifier_key()},
                JsonFileWitnessState(config.data_dir / "witness" / "state.json"),
                clock=lambda: int(clock().timestamp()),
            )
            store.set_meta("origin", config.origin)
            store.set_meta("log_verifier_key", signer.verifier_key())
            store.set_meta("witness_verifier_key", witness.verifier_key())
            ledger = Ledger(
                store,
                config.origin,
                signer.verifier_key(),
                signer=signer,
                clock=clock,
                witnesses=[witness],
            )
        except BaseException:
            store.close()
            raise
        city = CityIdentity(SigningKey.from_seed(load_or_create_seed(keys / "city.seed", master)))
        registry = DidRegistry(city.did, clock=clock)
        registry.replay(ledger.store.entries(0, ledger.size))
        validator = EntryValidator(entry_types(), registry, clock=clock)
        sequencer = Sequencer(
            ledger,
            max_entries=config.block_max_entries,
            max_delay=config.block_max_delay_ms / 1000,
        )
        seoul_pass = SeoulPass(config.data_dir, master, clock=clock, keys=registry)
        return cls(config, ledger, sequencer, validator, city, master, seoul_pass, registry)

    @classmethod
    def open_readonly(cls, data_dir: Path) -> Node:
        """Open an existing ledger for reading while a server may be writing it."""
        store = open_sqlite(data_dir, readonly=True)
        origin = store.get_meta("origin")
        verifier_key = store.get_meta("log_verifier_key")
        if origin is None or verifier_key is None:
            store.close()
            raise StorageError(
                f"{data_dir} holds no initialised ledger; start it once with `blockcity serve`",
                f"{data_dir}에 초기화된 원장이 없습니다. `blockcity serve`로 한 번 시작하세요",
            )
        ledger = Ledger(store, origin, verifier_key)
        registry = DidRegistry()
        registry.replay(ledger.store.entries(0, ledger.size))
        # A read-only node re-checks what is stored (the audit): each entry as the ledger
        # judged it when it appended it (see blockcity.identity.dids).
        validator = EntryValidator(entry_types(), registry.as_recorded(), max_skew=None)
        config = Config(data_dir=data_dir, origin=origin)
        return cls(config, ledger, None, validator, None, dids=registry)

    def submit(self, data: bytes) -> Receipt:
        """Check a signed entry and wait until it is durably on the ledger.

        Identity entries go through the DID registry, which checks them against its state,
        has them appended and applies them once acknowledged; the ledger itself stays
        ignorant of identity.
        """
        entry = self.validator.check(data)
        return self._append(entry)

    def _append(self, entry: Entry) -> Receipt:
        new = NewEntry(entry.data, entry.id, entry.type)
        if self.dids.watches(entry.type):
            return self.dids.record(entry, lambda: self._sequencer().append(new))
        return self._sequencer().append(new)

    def submit_many(self, items: Sequence[bytes]) -> list[Receipt | BlockcityError]:
        """Check a batch on both cores, then append every valid entry; errors stay per entry."""
        checked = self.validator.check_many(items)
        futures = {
            i: self._sequencer().submit(NewEntry(c.data, c.id, c.type))
            for i, c in enumerate(checked)
            if not isinstance(c, BlockcityError) and not self.dids.watches(c.type)
        }
        results: list[Receipt | BlockcityError] = []
        for i, c in enumerate(checked):
            if isinstance(c, BlockcityError):
                results.append(c)
                continue
            try:
                results.append(futures[i].result(60) if i in futures else self._append(c))
            except BlockcityError as exc:
                results.append(exc)
        return results

    @property
    def seoul_pass(self) -> SeoulPass:
        if self._seoul_pass is None:
            raise StorageError(
                "this node was opened read-only; Seoul Pass is not available",
                "이 노드는 읽기 전용으로 열려 서울패스를 쓸 수 없습니다",
            )
        return self._seoul_pass

    def _sequencer(self) -> Sequencer:
        if self.sequencer is None:
            raise StorageError(
                "this node was opened read-only", "이 노드는 읽기 전용으로 열렸습니다"
            )
        return self.sequencer

    def close(self) -> None:
        if self.sequencer is not None:
            self.sequencer.close()
        self.validator.close()
        self.ledger.close()
        if self._seoul_pass is not None:
            self._seoul_pass.close()
