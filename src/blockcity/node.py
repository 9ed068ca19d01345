"""One running blockcity node: the ledger, its sequencer, the entry registry and the keys,
wired from the configuration. The API, the web pages and the CLI all start from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blockcity.config import Config
from blockcity.credentials import anchor as credential_anchor
from blockcity.credentials import registry as issuer_registry
from blockcity.credentials.anchor import CREDENTIAL_ISSUED, Anchor, LedgerTrust, check_issued_entry
from blockcity.credentials.identity import CityIdentityCredentials, certificate_verifier
from blockcity.credentials.reader import IssuedRecords
from blockcity.credentials.registry import IssuerRegistry
from blockcity.credentials.service import Credentials
from blockcity.credentials.statuslist import StatusListCache
from blockcity.credentials.verifier import (
    STATUS_MAX_AGE,
    DocumentVerifier,
    Verifier,
    VerifierContext,
)
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, StorageError
from blockcity.identity import dids, proofing
from blockcity.identity.dids import DidRegistry
from blockcity.identity.seoulpass import SeoulPass
from blockcity.keystore import load_master_key, load_or_create_seed
from blockcity.ledger.checkpoint import Cosigner
from blockcity.ledger.entries import Entry, EntryTypes, EntryValidator, SignedHere
from blockcity.ledger.log import Clock, ConsistencyProof, Ledger, Receipt, utc_now
from blockcity.ledger.note import Signer
from blockcity.ledger.sequencer import Sequencer
from blockcity.ledger.store import NewEntry, open_sqlite
from blockcity.ledger.witness import JsonFileWitnessState, Witness
from blockcity.privacy import Vault
from blockcity.privacy import register_entry_types as register_privacy_entry_types
from blockcity.services import register_entry_types
from blockcity.services.attendance import Attendance
from blockcity.services.attendance.labor_source import LaborContractSource
from blockcity.services.labor.contracts import LaborContracts
from blockcity.services.labor.employers import ensure_employer_identity
from blockcity.services.wages.dispute import DISPUTE_BUNDLE_TYPE, verify_dispute_bundle
from blockcity.services.wages.service import WageStatements

CITY_DID_WEB = "did:web:seoul.blockcity.example"
"""The city's own did:web, registered with the city's key: it issues the city's credentials."""


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
    issuer_registry.register_entry_types(types)
    credential_anchor.register_entry_types(types)
    register_privacy_entry_types(types)
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
        issuers: IssuerRegistry | None = None,
        credentials: Credentials | None = None,
        vault: Vault | None = None,
    ) -> None:
        """``dids`` is the DID registry; it must be the one ``validator`` resolves keys with."""
        self.master = master
        self.dids = dids or DidRegistry(city.did if city else None)
        self.issuers = issuers or IssuerRegistry(city.did if city else None)
        self._seoul_pass = seoul_pass
        self._credentials = credentials
        self._verifier_caches: tuple[LedgerTrust, StatusListCache] | None = None
        self._certificates: DocumentVerifier | None = None
        self._records: IssuedRecords | None = None
        self._vault = vault
        self._labor: LaborContracts | None = None
        self._attendance: Attendance | None = None
        self._wages: WageStatements | None = None
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
        # A read-only verifier of this folder learns from it which DID is the city's.
        store.set_meta("city_did", city.did)
        registry = DidRegistry(city.did, clock=clock)
        issuers = IssuerRegistry(city.did, clock=clock)
        stored = list(ledger.store.entries(0, ledger.size))
        registry.replay(stored)
        issuers.replay(stored)
        del stored
        validator = EntryValidator(entry_types(), registry, clock=clock)
        sequencer = Sequencer(
            ledger,
            max_entries=config.block_max_entries,
            max_delay=config.block_max_delay_ms / 1000,
        )
        seoul_pass = SeoulPass(config.data_dir, master, clock=clock, keys=registry)
        node = cls(
            config, ledger, sequencer, validator, city, master, seoul_pass, registry, issuers
        )
        node._credentials = Credentials(
            config.data_dir / "credentials.sqlite",
            master,
            ledger,
            node.submit_many,
            issuers,
            public_url=config.public_url,
            clock=clock,
        )
        node._vault = Vault(config.data_dir / "vault.sqlite", master, clock=clock)
        node._labor = LaborContracts(
            config.data_dir / "labor.sqlite",
            seoul_pass=seoul_pass,
            vault=node._vault,
            credentials=node._credentials,
            ledger=ledger,
            submit=node.submit,
            submit_many=node.submit_many,
            employer_identity=lambda organization: ensure_employer_identity(node, organization),
            public_url=config.public_url,
            clock=clock,
        )
        node._attendance = Attendance(
            config.data_dir / "attendance.sqlite",
            master=master,
            seoul_pass=seoul_pass,
            vault=node._vault,
            ledger=ledger,
            submit_many=node.submit_many,
            contracts=LaborContractSource(node._labor, seoul_pass.accounts),
            organization_did=lambda organization_id: node._organization_did(organization_id),
            signer=node._credentials.issuer_signer,
            public_url=config.public_url,
            clock=clock,
        )
        # A concluded amendment or termination changes the terms attendance has cached.
        node._labor.concluded_listeners.append(node._attendance.forget_contract)
        node._wages = WageStatements(
            config.data_dir / "wages.sqlite",
            seoul_pass=seoul_pass,
            vault=node._vault,
            labor=node._labor,
            ledger=ledger,
            shifts=node._attendance.shifts,
            organization_did=lambda organization_id: node._organization_did(organization_id),
            signer=node._credentials.issuer_signer,
            submit_many=node.submit_many,
            public_url=config.public_url,
            clock=clock,
        )
        return node

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
        issuers = IssuerRegistry()
        stored = list(ledger.store.entries(0, ledger.size))
        registry.replay(stored)
        issuers.replay(stored)
        del stored
        # A read-only node re-checks what is stored (the audit): each entry as the ledger
        # judged it when it appended it (see blockcity.identity.dids).
        validator = EntryValidator(entry_types(), registry.as_recorded(), max_skew=None)
        config = Config(data_dir=data_dir, origin=origin)
        node = cls(config, ledger, None, validator, None, dids=registry, issuers=issuers)
        # What the node issued verifies offline from its data folder: anchors and the
        # status lists as last published, read without its keys.
        node._records = IssuedRecords.open_if_present(data_dir)
        return node

    def submit(self, data: bytes) -> Receipt:
        """Check a signed entry and wait until it is durably on the ledger.

        Identity entries go through the DID registry, which checks them against its state,
        has them appended and applies them once acknowledged; the ledger itself stays
        ignorant of identity.
        """
        entry = self.validator.check(data)
        self._check_rules(entry)
        return self._append(entry)

    def _check_rules(self, entry: Entry) -> None:
        """Rules that depend on the ledger's state and need no lock: a credential is anchored
        only while its issuer is trusted for its types (``blockcity.credentials.registry``)."""
        if entry.type == CREDENTIAL_ISSUED.name:
            check_issued_entry(entry, self.issuers.check_issuance)

    def _append(self, entry: Entry) -> Receipt:
        new = NewEntry(entry.data, entry.id, entry.type)
        if self.dids.watches(entry.type):
            return self.dids.record(entry, lambda: self._sequencer().append(new))
        if self.issuers.watches(entry.type):
            return self.issuers.record(entry, lambda: self._sequencer().append(new))
        return self._sequencer().append(new)

    def submit_many(self, items: Sequence[bytes | SignedHere]) -> list[Receipt | BlockcityError]:
        """Check a batch on both cores, then append every valid entry; errors stay per entry.

        Entries the node signed itself come as ``SignedHere``: their keys are checked against
        the registry, their fresh signatures are not verified again."""
        checked = self.validator.check_many(items)
        for i, c in enumerate(checked):
            if not isinstance(c, BlockcityError):
                try:
                    self._check_rules(c)
                except BlockcityError as exc:
                    checked[i] = exc
        futures = {
            i: self._sequencer().submit(NewEntry(c.data, c.id, c.type))
            for i, c in enumerate(checked)
            if not isinstance(c, BlockcityError)
            and not self.dids.watches(c.type)
            and not self.issuers.watches(c.type)
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

    @property
    def credentials(self) -> Credentials:
        if self._credentials is None:
            raise StorageError(
                "this node was opened read-only; issuing credentials is not available",
                "이 노드는 읽기 전용으로 열려 자격증명을 발급할 수 없습니다",
            )
        return self._credentials

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            raise StorageError(
                "this node was opened read-only; the personal-data vault is not available",
                "이 노드는 읽기 전용으로 열려 개인정보 보관소를 쓸 수 없습니다",
            )
        return self._vault

    @property
    def labor(self) -> LaborContracts:
        if self._labor is None:
            raise StorageError(
                "this node was opened read-only; labour contracts are not available",
                "이 노드는 읽기 전용으로 열려 근로계약 서비스를 쓸 수 없습니다",
            )
        return self._labor

    @property
    def attendance(self) -> Attendance:
        if self._attendance is None:
            raise StorageError(
                "this node was opened read-only; attendance is not available",
                "이 노드는 읽기 전용으로 열려 출퇴근 서비스를 쓸 수 없습니다",
            )
        return self._attendance

    @property
    def wages(self) -> WageStatements:
        if self._wages is None:
            raise StorageError(
                "this node was opened read-only; wage statements are not available",
                "이 노드는 읽기 전용으로 열려 임금명세서 서비스를 쓸 수 없습니다",
            )
        return self._wages

    def identity_credentials(self) -> CityIdentityCredentials:
        """The city as issuer of Seoul Pass identity credentials, for identity proofing."""
        if self.city is None:
            raise StorageError(
                "this node was opened read-only; it cannot issue identity credentials",
                "이 노드는 읽기 전용으로 열려 신원 자격증명을 발급할 수 없습니다",
            )
        return CityIdentityCredentials(
            self.credentials,
            self.dids,
            self.issuers,
            self.submit,
            (self.city.kid, self.city.key),
            CITY_DID_WEB,
            self.ledger.clock,
        )

    def identity_proofing(self) -> proofing.Proofing:
        """Seoul Pass identity proofing: the registration officer's checks, with the city as
        issuer of identity credentials; the web pages, the API and the CLI all use this one."""
        if self.city is None or self.master is None:
            raise StorageError(
                "this node was opened read-only; identity proofing is not available",
                "이 노드는 읽기 전용으로 열려 신원 확인을 쓸 수 없습니다",
            )
        return proofing.Proofing(
            self.seoul_pass.db,
            self.seoul_pass.accounts,
            self.master,
            self.city.key,
            self.submit,
            self.identity_credentials(),
            self.seoul_pass.clock,
        )

    def _city_dids(self) -> list[str]:
        """The city's DID that signed identity certificates: its key's, or in a read-only node
        the one its data folder recorded."""
        if self.city is not None:
            return [self.city.did]
        recorded = self.ledger.store.get_meta("city_did")
        return [recorded] if recorded else []

    def _organization_did(self, organization_id: str) -> str:
        """The employer's did:web, registered with a platform-held key on first use."""
        organization = self.seoul_pass.organizations.find(organization_id)
        if organization is None:
            raise StorageError(
                f"organization {organization_id} is not registered",
                f"기관 {organization_id}이(가) 등록되어 있지 않습니다",
            )
        return ensure_employer_identity(self, organization)

    def ledger_trust(self) -> LedgerTrust:
        """The ledger's key and its witnesses' keys, as this node's store records them; the
        current tree is offered as the newer checkpoint every anchor must be consistent with."""
        witness = self.ledger.store.get_meta("witness_verifier_key")

        def newer(size: int) -> tuple[int, ConsistencyProof] | None:
            current = self.ledger.size
            if not 0 < size < current:
                return None
            return current, self.ledger.consistency_proof(size, current)

        return LedgerTrust(
            self.ledger.origin,
            [self.ledger.verifier_key()],
            [witness] if witness else [],
            newer=newer,
        )

    def verifier(self, *, trusted_issuers: frozenset[str] = frozenset()) -> Verifier:
        """The one verifier, trusting this node's ledger, DID registry and issuer registry, and
        looking up anchors and status lists of credentials issued here."""
        records = self._credentials
        read_only = self._records

        def anchors(digest: str) -> Anchor | None:
            if records is not None:
                return records.anchor_for_digest(digest)
            index = read_only.ledger_index(digest) if read_only is not None else None
            return Anchor.of(self.ledger, index) if index is not None else None

        def status_lists(url: str) -> dict[str, Any] | None:
            if records is None:
                return read_only.status_list(url) if read_only is not None else None
            try:
                return records.status_list(url)
            except BlockcityError:
                return None

        if self._verifier_caches is None:
            # Shared by every verifier this node hands out: a checkpoint's signatures and a
            # status list's proof are checked once, not once per request.
            self._verifier_caches = (self.ledger_trust(), StatusListCache(max_age=STATUS_MAX_AGE))
        if self._certificates is None:
            self._certificates = certificate_verifier(self.ledger, self._city_dids)
        trust, status_cache = self._verifier_caches
        return Verifier(
            VerifierContext(
                keys=self.dids,
                ledger=trust,
                issuers=self.issuers,
                trusted_issuers=trusted_issuers,
                anchors=anchors,
                status_lists=status_lists,
                status_cache=status_cache,
                clock=self.ledger.clock,
                documents={
                    DISPUTE_BUNDLE_TYPE: verify_dispute_bundle,
                    proofing.CERTIFICATE_TYPE: self._certificates,
                },
            )
        )

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
        if self._credentials is not None:
            self._credentials.close()
        if self._records is not None:
            self._records.close()
        if self._vault is not None:
            self._vault.close()
        if self._labor is not None:
            self._labor.close()
        if self._wages is not None:
            self._wages.close()
        if self._attendance is not None:
            self._attendance.close()
