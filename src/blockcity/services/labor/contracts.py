"""The labour contract service (issue 5): drafting from a standard form with the law checked,
sending a signing link, the worker's signature with their personal details put in the vault,
the employer's countersignature, the concluded version anchored on the ledger and handed to
both parties as PDFs, amendments and terminations as new versions, declines, career
certificates and erasure after the legal retention.

Employer actions need an owner or manager of the organization; the worker acts through their
own invitation link or as the contract's worker DID. Anyone else is told the contract does not
exist, so an id never reveals whether it does.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from blockcity.credentials.anchor import Anchor
from blockcity.credentials.service import Credentials
from blockcity.crypto import SigningKey
from blockcity.documents import Lang
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.authz import Actor, OperatorActor
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account, Role
from blockcity.identity.organizations import Organization
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.signing import SignatureRecord
from blockcity.ledger.entries import sign_entry
from blockcity.ledger.log import Ledger, Receipt
from blockcity.privacy.vault import ErasureReport, Vault
from blockcity.services.labor.check import ContractCheck, check_contract
from blockcity.services.labor.documents import (
    Job,
    Signatory,
    career_certificate,
    contract_digest,
    contract_document,
    contract_pdf,
)
from blockcity.services.labor.eligibility import Eligibility, certificate_eligibility
from blockcity.services.labor.employers import employer_did
from blockcity.services.labor.entries import (
    CONTRACT_CONCLUDED,
    CONTRACT_DECLINED,
    ContractConcluded,
    ContractDeclined,
    DeclineReason,
    VersionKind,
)
from blockcity.services.labor.model import ContractDraft, Period
from blockcity.services.labor.records import (
    Contract,
    ContractState,
    Invitation,
    OutboxMessage,
    PersonalDetails,
    TerminationReason,
)
from blockcity.services.labor.rules import Certificate, LaborRules

PERSONAL_KIND = "labor.contract.personal"
RETENTION_BASIS = "근로기준법 제42조 (Labor Standards Act Art. 42)"
INVITATION_DAYS = 7
"""How long a signing link stays valid: the platform's choice, long enough for a worker to ask
questions before signing and short enough that a leaked old SMS is useless."""

_SEOUL = ZoneInfo("Asia/Seoul")
_EMPLOYER_ROLES = frozenset({Role.OWNER, Role.MANAGER})

SCHEMA = """
CREATE TABLE IF NOT EXISTS contracts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    worker_did TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contracts_by_worker ON contracts(worker_did);
CREATE INDEX IF NOT EXISTS contracts_by_organization ON contracts(organization_id);
CREATE TABLE IF NOT EXISTS contract_versions (
    contract_id TEXT NOT NULL REFERENCES contracts(id),
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    draft TEXT NOT NULL,
    findings TEXT NOT NULL,
    previous_digest TEXT,
    termination_reason TEXT,
    document BLOB,
    digest TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    worker_signature BLOB,
    employer_signature BLOB,
    employer_signatory TEXT,
    decline_reason TEXT,
    ledger_index INTEGER,
    personal_record TEXT,
    personal_commitment TEXT,
    PRIMARY KEY (contract_id, version)
);
CREATE TABLE IF NOT EXISTS contract_invitations (
    token_hash BLOB PRIMARY KEY,
    contract_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id TEXT,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
"""


class ContractNotReady(Conflict):
    code = "labor-contract-not-ready"
    title_ko = "계약서를 보낼 수 없습니다"
    title_en = "The contract cannot be sent yet"


class WrongContractState(Conflict):
    code = "labor-contract-wrong-state"
    title_ko = "지금은 할 수 없는 일입니다"
    title_en = "Not possible in the contract's current state"


class InvitationNotValid(NotFound):
    code = "labor-invitation-not-valid"
    title_ko = "유효하지 않은 서명 링크입니다"
    title_en = "The signing link is not valid"


class NotAllowed(BlockcityError):
    code = "labor-not-allowed"
    status = 403
    title_ko = "권한이 없습니다"
    title_en = "Not allowed"


class StillEmployed(Conflict):
    code = "labor-still-employed"
    title_ko = "근로관계가 끝나지 않았습니다"
    title_en = "The employment has not ended"


@dataclass(frozen=True, slots=True)
class CareerJob:
    """A concluded contract on the worker's career page: its latest concluded version and
    whether it may go on a certificate asked for that day (Decree Art. 19)."""

    contract: Contract
    eligibility: Eligibility


class JobsNotEligible(BlockcityError):
    """A certificate asked for with jobs it cannot cover that day (LSA Art. 39, Decree Art. 19);
    ``detail["jobs"]`` gives each job's reasons for a program to show one by one."""

    code = "labor-certificate-not-eligible"
    status = 422
    title_ko = "사용증명서에 넣을 수 없는 근무가 있습니다"
    title_en = "Some jobs cannot go on a certificate"

    @classmethod
    def of(cls, barred: Sequence[CareerJob]) -> JobsNotEligible:
        return cls(
            "These jobs cannot go on a certificate; leave them out and ask again. "
            + " ".join(
                f"{_job_label_en(job.contract)}: "
                + "; ".join(r.message_en for r in job.eligibility.refusals)
                + "."
                for job in barred
            ),
            "다음 근무는 사용증명서에 넣을 수 없습니다. 빼고 다시 요청하세요. "
            + " ".join(
                f"{_job_label_ko(job.contract)}: "
                + " ".join(r.message_ko for r in job.eligibility.refusals)
                for job in barred
            ),
            jobs=[
                {
                    "contract_id": job.contract.id,
                    "employer": job.contract.employer_name,
                    "duties": job.contract.draft.duties,
                    **job.eligibility.model_dump(mode="json"),
                }
                for job in barred
            ],
        )


def _job_label_en(contract: Contract) -> str:
    return f"{contract.employer_name}, {contract.draft.duties or '-'} (contract {contract.id[:8]})"


def _job_label_ko(contract: Contract) -> str:
    return f"{contract.employer_name}, {contract.draft.duties or '-'} (계약 {contract.id[:8]})"


def _contract_not_found() -> NotFound:
    return NotFound(
        "no such contract (or it is not yours to see)",
        "그런 근로계약서가 없습니다 (또는 볼 권한이 없습니다)",
    )


@dataclass(frozen=True, slots=True)
class Concluded:
    """A concluded version and the two copies of its PDF (LSA Art. 17: handed over at once)."""

    contract: Contract
    worker_pdf: bytes
    employer_pdf: bytes
    receipt: Receipt


class Outbox:
    """Messages waiting for a gateway; the gateway takes ``pending`` and marks each sent."""

    def __init__(self, db: IdentityDB, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def pending(self) -> list[OutboxMessage]:
        rows = self.db.query("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id")
        return [
            OutboxMessage(
                row["id"],
                row["channel"],
                row["recipient"],
                row["text"],
                datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    def mark_sent(self, message_id: int) -> None:
        """Record that the gateway sent the message, and forget its phone number or address
        and its text: the text holds the signing link, and neither is needed once it is sent."""
        with self.db.transaction() as tx:
            changed = tx.execute(
                "UPDATE outbox SET sent_at = ?, recipient = '', text = '' "
                "WHERE id = ? AND sent_at IS NULL",
                (self.clock().isoformat(), message_id),
            ).rowcount
        if not changed:
            raise NotFound(
                f"no pending message {message_id} in the outbox",
                f"보낼 메시지 {message_id}이(가) 없습니다",
            )
        self.db.purge_wal()


class LaborContracts:
    def __init__(
        self,
        path: Path,
        *,
        seoul_pass: SeoulPass,
        vault: Vault,
        credentials: Credentials,
        ledger: Ledger,
        submit: Callable[[bytes], Receipt],
        submit_many: Callable[[Sequence[bytes]], list[Receipt | BlockcityError]],
        employer_identity: Callable[[Organization], str],
        public_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``employer_identity`` registers an organization's did:web and issuer enrolment the
        first time it is needed (``employers.ensure_employer_identity``) and returns its DID;
        ``submit_many`` anchors a batch so that one durable block holds many entries."""
        # The outbox's numbers, addresses and signing links are blanked once sent or erased.
        self.db = IdentityDB(path, secure_delete=True)
        self.db.schema(SCHEMA)
        self.seoul_pass = seoul_pass
        self.vault = vault
        self.credentials = credentials
        self.ledger = ledger
        self.submit = submit
        self.submit_many = submit_many
        self.employer_identity = employer_identity
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.outbox = Outbox(self.db, clock)
        self.concluded_listeners: list[Callable[[str], None]] = []
        """Called with a contract's id once a new version of it is concluded (an amendment or
        a termination changes its terms), so services caching the terms drop them."""

    # Drafting (employer).

    def check(self, draft: ContractDraft) -> ContractCheck:
        """The law check of ``draft`` against the rules of the year it starts in, as ``draft``
        would store it: for forms that show the findings before anything is saved."""
        return check_contract(draft, self._rules(draft))

    def draft(self, actor: Actor, organization_id: str, draft: ContractDraft) -> Contract:
        """A new contract from ``draft``, checked against the law of the year it starts in."""
        return self.draft_many(actor, organization_id, [draft])[0]

    def draft_many(
        self, actor: Actor, organization_id: str, drafts: Sequence[ContractDraft]
    ) -> list[Contract]:
        """New contracts from ``drafts`` in one transaction (a department hiring a season's
        participants), each checked like ``draft``; a draft naming another employer refuses
        the whole batch before anything is stored."""
        organization = self._employer(actor, organization_id)
        if any(draft.employer.organization_id != organization_id for draft in drafts):
            raise InvalidInput(
                "the draft names another organization as employer",
                "초안의 사용자가 이 기관이 아닙니다",
            )
        ids = [str(uuid.uuid4()) for _ in drafts]
        now = self._now()
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO contracts (id, organization_id, worker_did, created_at) "
                "VALUES (?, ?, ?, ?)",
                [
                    (contract_id, organization_id, draft.worker_did, now.isoformat())
                    for contract_id, draft in zip(ids, drafts, strict=True)
                ],
            )
            for contract_id, draft in zip(ids, drafts, strict=True):
                self._insert_version(
                    tx, contract_id, 1, VersionKind.CONTRACT, organization, draft, None, None, now
                )
        return [self._version(contract_id, 1) for contract_id in ids]

    def amend(self, actor: Account, contract_id: str, draft: ContractDraft) -> Contract:
        """A new version of a concluded contract with changed terms; both parties sign again."""
        current = self._for_employer(actor, contract_id)
        if draft.worker_did != current.worker_did or (
            draft.employer.organization_id != current.organization_id
        ):
            raise InvalidInput(
                "an amendment keeps the same employer and worker; draft a new contract instead",
                "변경 계약은 같은 사용자와 근로자 사이에서만 합니다. 새 계약서를 작성하세요",
            )
        return self._new_version(actor, current, VersionKind.AMENDMENT, draft, None)

    def terminate(
        self, actor: Account, contract_id: str, end_date: date, reason: TerminationReason
    ) -> Contract:
        """A version that ends the employment on ``end_date``; both parties sign it."""
        current = self._for_employer(actor, contract_id)
        period = current.draft.period
        if period is None or end_date < period.start:
            raise InvalidInput(
                "the end date must be on or after the start of the contract",
                "종료일은 계약 시작일 이후여야 합니다",
            )
        draft = current.draft.model_copy(
            update={"period": Period(start=period.start, end=end_date)}
        )
        return self._new_version(actor, current, VersionKind.TERMINATION, draft, reason)

    def _new_version(
        self,
        actor: Account,
        current: Contract,
        kind: VersionKind,
        draft: ContractDraft,
        reason: TerminationReason | None,
    ) -> Contract:
        if current.state is not ContractState.CONCLUDED and not (
            current.state is ContractState.DECLINED and current.version > 1
        ):
            raise WrongContractState(
                f"the contract's latest version is {current.state.value}; conclude or "
                "withdraw it before changing the contract",
                f"최신 판이 '{current.state.value}' 상태입니다. 먼저 체결하거나 정리한 뒤에 "
                "변경하세요",
            )
        base = current if current.state is ContractState.CONCLUDED else self._concluded(current.id)
        if base.kind is VersionKind.TERMINATION:
            raise WrongContractState(
                "this contract has ended; draft a new contract instead",
                "이미 종료된 계약입니다. 새 계약서를 작성하세요",
            )
        organization = self._employer(actor, current.organization_id)
        version = current.version + 1
        with self.db.transaction() as tx:
            self._insert_version(
                tx, current.id, version, kind, organization, draft, base.digest, reason, self._now()
            )
        return self._version(current.id, version)

    def _insert_version(
        self,
        tx: sqlite3.Connection,
        contract_id: str,
        version: int,
        kind: VersionKind,
        organization: Organization,
        draft: ContractDraft,
        previous_digest: str | None,
        reason: TerminationReason | None,
        now: datetime,
    ) -> None:
        check = check_contract(draft, self._rules(draft))
        tx.execute(
            "INSERT INTO contract_versions (contract_id, version, kind, state, employer_name, "
            "draft, findings, previous_digest, termination_reason, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contract_id,
                version,
                kind.value,
                ContractState.DRAFT.value,
                organization.name,
                draft.model_dump_json(),
                check.model_dump_json(),
                previous_digest,
                reason.value if reason else None,
                now.isoformat(),
            ),
        )

    # Sending (employer).

    def send(self, actor: Actor, contract_id: str, contact: Mapping[str, str]) -> Invitation:
        """Freeze the document, make a single-use signing link valid for 7 days and put the
        message for the worker in the outbox. Refused while the law check finds errors."""
        return self.send_many(actor, [(contract_id, contact)])[0]

    def send_many(
        self, actor: Actor, items: Sequence[tuple[str, Mapping[str, str]]]
    ) -> list[Invitation]:
        """``send`` for each (contract id, worker contact) in one transaction; any contract
        that cannot be sent refuses the whole batch before anything is stored."""
        prepared = [self._sendable(actor, contract_id, contact) for contract_id, contact in items]
        now = self._now()
        expires = now + timedelta(days=INVITATION_DAYS)
        invitations = []
        with self.db.transaction() as tx:
            for current, channel, recipient, document in prepared:
                token = secrets.token_urlsafe(32)
                url = f"{self.public_url}/labor/invite/{token}"
                text = (
                    f"[서울 블록체인 시티] {current.employer_name}에서 근로계약서 서명을 "
                    f"요청했습니다. {expires.astimezone(_SEOUL):%Y-%m-%d}까지 확인하고 "
                    f"서명하세요: {url}"
                )
                # A resent link replaces the old one: only the newest message can be used.
                tx.execute(
                    "UPDATE contract_invitations SET used_at = ? WHERE contract_id = ? "
                    "AND version = ? AND used_at IS NULL",
                    (now.isoformat(), current.id, current.version),
                )
                tx.execute(
                    "INSERT INTO contract_invitations (token_hash, contract_id, version, "
                    "expires_at) VALUES (?, ?, ?, ?)",
                    (_hash(token), current.id, current.version, expires.isoformat()),
                )
                tx.execute(
                    "UPDATE contract_versions SET state = ?, document = ?, digest = ?, "
                    "sent_at = ? WHERE contract_id = ? AND version = ?",
                    (
                        ContractState.SENT.value,
                        json.dumps(document, ensure_ascii=False),
                        contract_digest(document),
                        now.isoformat(),
                        current.id,
                        current.version,
                    ),
                )
                outbox_id = tx.execute(
                    "INSERT INTO outbox (contract_id, channel, recipient, text, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (current.id, channel, recipient, text, now.isoformat()),
                ).lastrowid
                assert outbox_id is not None  # sqlite3 sets it after every INSERT
                invitations.append(
                    Invitation(token, url, current.id, current.version, expires, outbox_id)
                )
        return invitations

    def _sendable(
        self, actor: Actor, contract_id: str, contact: Mapping[str, str]
    ) -> tuple[Contract, str, str, dict[str, Any]]:
        """The version to send, the channel and recipient, and the document to freeze."""
        current = self._for_employer(actor, contract_id)
        if current.state not in (ContractState.DRAFT, ContractState.SENT):
            raise WrongContractState(
                f"this version is {current.state.value}; only a draft or a sent version can be "
                "sent",
                f"이 판은 '{current.state.value}' 상태라 보낼 수 없습니다",
            )
        if current.check.errors:
            raise ContractNotReady(
                "fix these before sending: "
                + "; ".join(f.message_en for f in current.check.errors),
                "보내기 전에 고치세요: " + "; ".join(f.message_ko for f in current.check.errors),
                findings=[f.code for f in current.check.errors],
            )
        channel, recipient = _contact(contact)
        return current, channel, recipient, contract_document(current, self._rules(current.draft))

    # The worker's side.

    def open_invitation(self, token: str) -> Contract:
        """The version a signing link is for, to show the worker before they sign."""
        contract_id, version = self._invitation(token)
        return self._version(contract_id, version)

    def worker_sign(
        self,
        token: str,
        worker: Account,
        personal: PersonalDetails,
        signature: SignatureRecord,
    ) -> Contract:
        """The worker signs the exact document shown; their personal details go to the vault
        and only a commitment to them will reach the ledger."""
        contract = self._invited(token, worker)
        digest = _digest_bytes(contract)
        if signature.signer != worker.did:
            raise NotAllowed(
                "the signature is not by the signed-in worker",
                "서명이 로그인한 근로자의 것이 아닙니다",
            )
        self.seoul_pass.signing.verify(signature, digest)
        retain = self._retain_until(contract.draft)
        record_id = self.vault.put(
            worker.id,
            PERSONAL_KIND,
            {
                **personal.model_dump(mode="json"),
                "contract_id": contract.id,
                "version": contract.version,
            },
            retain_until=retain,
            retention_basis=RETENTION_BASIS if retain else None,
        )
        commitment = self.vault.record(record_id).commitment
        now = self._now()
        with self.db.transaction() as tx:
            self._use_invitation(tx, token, now)
            self._advance(
                tx,
                contract,
                ContractState.SENT,
                ContractState.WORKER_SIGNED,
                worker_signature=signature.to_json(),
                personal_record=record_id,
                personal_commitment=commitment,
            )
        return self._version(contract.id, contract.version)

    def decline(self, token: str, worker: Account, reason: DeclineReason) -> Contract:
        """The worker declines; the decline is recorded on the ledger with its reason."""
        contract = self._invited(token, worker)
        did = self._employer_did(contract)
        body = ContractDeclined(
            contract_id=contract.id,
            version=contract.version,
            document_digest=_digest_text(contract),
            employer=did,
            worker=contract.worker_did,
            reason=reason.value,
        )
        receipt = self.submit(self._entry(did, CONTRACT_DECLINED.name, body.model_dump()))
        with self.db.transaction() as tx:
            self._use_invitation(tx, token, self._now())
            self._advance(
                tx,
                contract,
                ContractState.SENT,
                ContractState.DECLINED,
                decline_reason=reason.value,
                ledger_index=receipt.index,
            )
        return self._version(contract.id, contract.version)

    # Concluding (employer).

    def countersign(
        self, actor: Account, contract_id: str, signature: SignatureRecord
    ) -> Concluded:
        """The employer's signatory signs the same document; the version is anchored on the
        ledger and both parties' PDF copies are made at once."""
        contract = self._for_employer(actor, contract_id)
        entry = self._concluding_entry(actor, contract, signature, self._employer_did(contract))
        receipt = self.submit(entry)
        with self.db.transaction() as tx:
            self._record_concluded(tx, actor, contract, signature, receipt)
        self._extend_retention(contract)
        self._announce_concluded(contract.id)
        concluded = self._version(contract.id, contract.version)
        worker_pdf, employer_pdf = (
            self.contract_pdf(actor, contract.id, contract.version, copy_for=copy)
            for copy in ("worker", "employer")
        )
        return Concluded(concluded, worker_pdf, employer_pdf, receipt)

    def countersign_many(
        self, actor: Account, items: Sequence[tuple[str, SignatureRecord]]
    ) -> list[Contract | BlockcityError]:
        """The signatory's countersignatures on many worker-signed contracts (one step-up lets
        them sign a whole batch), anchored together so one durable block holds many entries.
        Each item's result is its concluded version or the error that stopped it; the PDFs
        are made on demand (``contract_pdf``), not here."""
        results: list[Contract | BlockcityError | None] = []
        ready: list[tuple[int, Contract, SignatureRecord]] = []
        entries: list[bytes] = []
        issuers: dict[str, str] = {}
        for contract_id, signature in items:
            try:
                contract = self._for_employer(actor, contract_id)
                if contract.organization_id not in issuers:
                    issuers[contract.organization_id] = self._employer_did(contract)
                entries.append(
                    self._concluding_entry(
                        actor, contract, signature, issuers[contract.organization_id]
                    )
                )
            except BlockcityError as exc:
                results.append(exc)
                continue
            ready.append((len(results), contract, signature))
            results.append(None)
        receipts = self.submit_many(entries) if entries else []
        with self.db.transaction() as tx:
            for (slot, contract, signature), receipt in zip(ready, receipts, strict=True):
                try:
                    if isinstance(receipt, BlockcityError):
                        raise receipt
                    self._record_concluded(tx, actor, contract, signature, receipt)
                except BlockcityError as exc:
                    results[slot] = exc
        for slot, contract, _ in ready:
            if results[slot] is None:
                self._extend_retention(contract)
                self._announce_concluded(contract.id)
                results[slot] = self._version(contract.id, contract.version)
        return [result for result in results if result is not None]

    def countersign_for(
        self, operator: OperatorActor, contract_id: str, signature: SignatureRecord
    ) -> Contract:
        """An operator app hands in the countersignature its organization's owner or manager
        made with Seoul Pass; the app itself can sign nothing. No PDFs are made here."""
        contract = self._for_employer(operator, contract_id)
        signatory = self.seoul_pass.accounts.by_did(signature.signer)
        if (
            signatory is None
            or self.seoul_pass.organizations.role_of(signatory.id, contract.organization_id)
            not in _EMPLOYER_ROLES
        ):
            raise NotAllowed(
                "the countersignature must be made by an owner or manager of the employer "
                "organization with their Seoul Pass",
                "사용자 서명은 사업장의 소유자나 관리자가 서울패스로 한 것이어야 합니다",
            )
        (result,) = self.countersign_many(signatory, [(contract_id, signature)])
        if isinstance(result, BlockcityError):
            raise result
        return result

    def _concluding_entry(
        self, actor: Account, contract: Contract, signature: SignatureRecord, employer: str
    ) -> bytes:
        """The signed ``labor.contract.concluded`` entry for ``actor``'s countersignature,
        after checking that it is theirs and over this version's document."""
        if contract.state is not ContractState.WORKER_SIGNED:
            raise WrongContractState(
                "the worker has not signed this version yet",
                "근로자가 아직 이 판에 서명하지 않았습니다",
            )
        if signature.signer != actor.did:
            raise NotAllowed(
                "the countersignature must be the signed-in signatory's own",
                "사용자 서명은 로그인한 서명권자 본인의 것이어야 합니다",
            )
        self.seoul_pass.signing.verify(signature, _digest_bytes(contract))
        assert contract.worker_signature is not None and contract.personal_commitment is not None
        body = ContractConcluded(
            contract_id=contract.id,
            version=contract.version,
            kind=contract.kind.value,
            document_digest=_digest_text(contract),
            previous_digest=contract.previous_digest,
            employer=employer,
            worker=contract.worker_did,
            employer_signature=hashlib.sha256(signature.to_json()).hexdigest(),
            worker_signature=hashlib.sha256(contract.worker_signature.to_json()).hexdigest(),
            personal_commitment=contract.personal_commitment,
        )
        return self._entry(employer, CONTRACT_CONCLUDED.name, body.model_dump())

    def _record_concluded(
        self,
        tx: sqlite3.Connection,
        actor: Account,
        contract: Contract,
        signature: SignatureRecord,
        receipt: Receipt,
    ) -> None:
        self._advance(
            tx,
            contract,
            ContractState.WORKER_SIGNED,
            ContractState.CONCLUDED,
            employer_signature=signature.to_json(),
            employer_signatory=actor.display_name,
            ledger_index=receipt.index,
        )

    def contract_pdf(self, actor: Actor, contract_id: str, version: int, *, copy_for: str) -> bytes:
        """A concluded version as a sealed PDF, for either party (the read of the worker's
        personal details is logged by the vault)."""
        contract = self._visible(actor, contract_id, version)
        if contract.state is not ContractState.CONCLUDED or contract.ledger_index is None:
            raise WrongContractState(
                "only a concluded contract has a signed PDF", "체결된 계약서만 PDF가 있습니다"
            )
        assert contract.worker_signature is not None and contract.employer_signature is not None
        assert contract.personal_record is not None
        personal = PersonalDetails.model_validate(
            {
                key: value
                for key, value in self.vault.get(
                    contract.personal_record,
                    actor=_actor_id(actor),
                    purpose="근로계약서 교부 (LSA Art. 17: signed contract copy)",
                ).items()
                if key in PersonalDetails.model_fields
            }
        )
        row = self.db.one(
            "SELECT employer_signatory FROM contract_versions WHERE contract_id = ? "
            "AND version = ?",
            (contract_id, version),
        )
        signatory = row["employer_signatory"] if row else contract.employer_name
        return contract_pdf(
            contract,
            personal,
            [
                Signatory(personal.name, contract.worker_signature),
                Signatory(f"{signatory} ({contract.employer_name})", contract.employer_signature),
            ],
            Anchor.of(self.ledger, contract.ledger_index),
            rules=self._rules(contract.draft),
            public_url=self.public_url,
            copy_for=copy_for,
            created_at=self._now(),
        )

    # Reading.

    def history(self, actor: Actor, contract_id: str) -> list[Contract]:
        """Every version of the contract, oldest first."""
        latest = self._latest(contract_id)
        if latest is None or not self._may_see(actor, latest):
            raise _contract_not_found()
        return [self._version(contract_id, v) for v in range(1, latest.version + 1)]

    def for_worker(self, actor: Account) -> list[Contract]:
        """The worker's contracts, each as its latest concluded version (or latest if none)."""
        rows = self.db.query(
            "SELECT id FROM contracts WHERE worker_did = ? ORDER BY created_at", (actor.did,)
        )
        return [self._shown(row["id"]) for row in rows]

    def for_organization(self, actor: Actor, organization_id: str) -> list[Contract]:
        if not self._related(actor, organization_id):
            raise NotFound("no such organization", "그런 기관이 없습니다")
        rows = self.db.query(
            "SELECT id FROM contracts WHERE organization_id = ? ORDER BY created_at",
            (organization_id,),
        )
        return [self._shown(row["id"]) for row in rows]

    # Certificates and erasure (worker).

    def career(self, worker: Account) -> list[CareerJob]:
        """The worker's concluded contracts, each with whether it may go on a certificate asked
        for today and, if not, why (LSA Art. 39, Decree Art. 19)."""
        return self._judged(
            [c for c in self.for_worker(worker) if c.state is ContractState.CONCLUDED]
        )

    def career_certificate(
        self, worker: Account, contract_ids: list[str], items: set[str], lang: Lang = "ko"
    ) -> tuple[bytes, str]:
        """A certificate of employment for the worker's concluded contracts with one employer,
        stating only ``items``; returns the sealed PDF and its credential id. A job the
        certificate cannot cover today (too short, or asked for too long after leaving: Decree
        Art. 19) refuses the request with ``JobsNotEligible`` naming each one."""
        jobs = []
        for contract_id in contract_ids:
            latest = self._latest(contract_id)
            if latest is None or latest.worker_did != worker.did:
                raise _contract_not_found()
            concluded = self._concluded(contract_id)
            jobs.append(Job(concluded, self._rules(concluded.draft)))
        if not jobs:
            raise InvalidInput("choose at least one contract", "계약을 하나 이상 고르세요")
        barred = [
            job
            for job in self._judged([job.contract for job in jobs])
            if not job.eligibility.eligible
        ]
        if barred:
            raise JobsNotEligible.of(barred)
        issuer = self._employer_did(jobs[0].contract)
        record = jobs[-1].contract.personal_record
        assert record is not None  # every concluded version has the worker's details
        name = self.vault.get(
            record, actor=worker.id, purpose="사용증명서 발급 (LSA Art. 39: certificate)"
        )["name"]
        kid, _ = self.credentials.issuer_signer(issuer)
        return career_certificate(
            self.credentials,
            kid,
            str(name),
            jobs,
            frozenset(items),
            lang,
            public_url=self.public_url,
            created_at=self._now(),
        )

    def erase_worker(self, worker: Account, now: datetime | None = None) -> ErasureReport:
        """Crypto-shred the worker's personal details once every employment has ended and its
        retention (LSA Art. 42) is over; the ledger keeps only unlinkable commitments."""
        for contract in self.for_worker(worker):
            if contract.state is ContractState.CONCLUDED and (
                contract.draft.period is None or contract.draft.period.end is None
            ):
                raise StillEmployed(
                    f"contract {contract.id} has no end date: the employment is ongoing, and "
                    "its records are kept until 3 years after it ends (Labor Standards Act "
                    "Art. 42)",
                    f"계약 {contract.id}은(는) 종료일이 없어 근로가 계속 중입니다. 기록은 근로가 "
                    "끝난 뒤 3년간 보존합니다(근로기준법 제42조)",
                )
        report = self.vault.erase(
            worker.id, actor=worker.id, reason="worker asked for erasure", now=now
        )
        # The invitations' phone numbers and e-mail addresses are personal data too: they go
        # with the vault's copy, sent or not.
        contract_ids = [contract.id for contract in self.for_worker(worker)]
        with self.db.transaction() as tx:
            tx.executemany(
                "UPDATE outbox SET recipient = '', text = '' WHERE contract_id = ?",
                [(contract_id,) for contract_id in contract_ids],
            )
        self.db.purge_wal()
        return report

    def close(self) -> None:
        self.db.close()

    # Internals.

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def _judged(self, contracts: Sequence[Contract]) -> list[CareerJob]:
        """Each of ``contracts`` with its eligibility for a certificate asked for today in
        Seoul, under the Decree in force today: the law on the day the worker asks decides."""
        today = self._now().astimezone(_SEOUL).date()
        rule = Certificate.on(today)
        return [
            CareerJob(contract, certificate_eligibility(contract.draft.period, today, rule))
            for contract in contracts
        ]

    def _rules(self, draft: ContractDraft) -> LaborRules:
        year = draft.period.start.year if draft.period else self._now().astimezone(_SEOUL).year
        return LaborRules.for_year(year)

    def _retain_until(self, draft: ContractDraft) -> date | None:
        if draft.period is None or draft.period.end is None:
            return None
        end = draft.period.end
        years = self._rules(draft).retention.years_after_end
        # 29 February plus whole years falls on 28 February in a common year.
        try:
            return end.replace(year=end.year + years)
        except ValueError:
            return end.replace(year=end.year + years, day=28)

    def _announce_concluded(self, contract_id: str) -> None:
        for listener in self.concluded_listeners:
            listener(contract_id)

    def _extend_retention(self, contract: Contract) -> None:
        until = self._retain_until(contract.draft)
        if until is None:
            return
        for version in self.history_unchecked(contract.id):
            info = self.vault.record(version.personal_record) if version.personal_record else None
            if (
                info is not None
                and not info.erased
                and (info.retain_until is None or info.retain_until < until)
            ):
                self.vault.extend_retention(info.id, until, basis=RETENTION_BASIS)

    def history_unchecked(self, contract_id: str) -> list[Contract]:
        latest = self._latest(contract_id)
        return (
            []
            if latest is None
            else [self._version(contract_id, v) for v in range(1, latest.version + 1)]
        )

    def _employer(self, actor: Actor, organization_id: str) -> Organization:
        organization = self.seoul_pass.organizations.find(organization_id)
        if isinstance(actor, OperatorActor):
            # An app acts only for the organization that registered it (identity.authz);
            # which calls it may make is its token's scopes, checked by the API.
            if organization is None or actor.organization_id != organization_id:
                raise _contract_not_found()
            return organization
        role = self.seoul_pass.organizations.role_of(actor.id, organization_id)
        if role is None or organization is None:
            raise _contract_not_found()
        if role not in _EMPLOYER_ROLES:
            raise NotAllowed(
                "only an owner or manager of the organization may draft, send or sign contracts",
                "기관의 소유자나 관리자만 근로계약서를 작성·발송·서명할 수 있습니다",
            )
        return organization

    def _for_employer(self, actor: Actor, contract_id: str) -> Contract:
        latest = self._latest(contract_id)
        if latest is None:
            raise _contract_not_found()
        self._employer(actor, latest.organization_id)
        return latest

    def _employer_did(self, contract: Contract) -> str:
        organization = self.seoul_pass.organizations.find(contract.organization_id)
        if organization is None:
            raise _contract_not_found()
        return self.employer_identity(organization)

    def _entry(self, did: str, entry_type: str, body: dict[str, Any]) -> bytes:
        signer: tuple[str, SigningKey] = self.credentials.issuer_signer(did)
        return sign_entry(entry_type, body, [signer], at=self.clock())

    def _related(self, actor: Actor, organization_id: str) -> bool:
        if isinstance(actor, OperatorActor):
            return actor.organization_id == organization_id
        return self.seoul_pass.organizations.role_of(actor.id, organization_id) is not None

    def _may_see(self, actor: Actor, contract: Contract) -> bool:
        is_worker = isinstance(actor, Account) and actor.did == contract.worker_did
        return is_worker or self._related(actor, contract.organization_id)

    def _visible(self, actor: Actor, contract_id: str, version: int) -> Contract:
        latest = self._latest(contract_id)
        if latest is None or not self._may_see(actor, latest) or not 1 <= version <= latest.version:
            raise _contract_not_found()
        return self._version(contract_id, version)

    def _invitation(self, token: str) -> tuple[str, int]:
        row = self.db.one(
            "SELECT * FROM contract_invitations WHERE token_hash = ?", (_hash(token),)
        )
        if row is None:
            raise InvitationNotValid(
                "this signing link is not valid; check that you opened the whole link",
                "유효하지 않은 서명 링크입니다. 링크 전체를 열었는지 확인하세요",
            )
        if row["used_at"] is not None:
            raise InvitationNotValid(
                "this signing link was already used or replaced by a newer one",
                "이미 사용했거나 새 링크로 바뀐 서명 링크입니다",
            )
        if datetime.fromisoformat(row["expires_at"]) <= self._now():
            raise InvitationNotValid(
                "this signing link has expired; ask the employer to send it again",
                "서명 링크가 만료되었습니다. 사용자에게 다시 보내 달라고 요청하세요",
            )
        return row["contract_id"], row["version"]

    def _invited(self, token: str, worker: Account) -> Contract:
        contract_id, version = self._invitation(token)
        contract = self._version(contract_id, version)
        if worker.did != contract.worker_did:
            raise NotAllowed(
                "this signing link is for another person's Seoul Pass account",
                "이 서명 링크는 다른 사람의 서울패스 계정을 위한 것입니다",
            )
        if contract.state is not ContractState.SENT:
            raise WrongContractState(
                "this version is no longer waiting for your signature",
                "이 판은 더 이상 서명을 기다리지 않습니다",
            )
        return contract

    def _use_invitation(self, tx: sqlite3.Connection, token: str, now: datetime) -> None:
        used = tx.execute(
            "UPDATE contract_invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (now.isoformat(), _hash(token)),
        ).rowcount
        if not used:
            raise InvitationNotValid(
                "this signing link was already used", "이미 사용한 서명 링크입니다"
            )

    def _advance(
        self,
        tx: sqlite3.Connection,
        contract: Contract,
        expected: ContractState,
        new: ContractState,
        **columns: object,
    ) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        changed = tx.execute(
            f"UPDATE contract_versions SET state = ?, {assignments} "
            "WHERE contract_id = ? AND version = ? AND state = ?",
            (new.value, *columns.values(), contract.id, contract.version, expected.value),
        ).rowcount
        if not changed:
            raise WrongContractState(
                "the contract changed meanwhile; reload it",
                "그 사이 계약서가 바뀌었습니다. 다시 여세요",
            )

    def _latest(self, contract_id: str) -> Contract | None:
        row = self.db.one(
            "SELECT MAX(version) AS v FROM contract_versions WHERE contract_id = ?",
            (contract_id,),
        )
        if row is None or row["v"] is None:
            return None
        return self._version(contract_id, row["v"])

    def _concluded(self, contract_id: str) -> Contract:
        row = self.db.one(
            "SELECT MAX(version) AS v FROM contract_versions WHERE contract_id = ? AND state = ?",
            (contract_id, ContractState.CONCLUDED.value),
        )
        if row is None or row["v"] is None:
            raise WrongContractState(
                "this contract has not been concluded", "아직 체결되지 않은 계약입니다"
            )
        return self._version(contract_id, row["v"])

    def _shown(self, contract_id: str) -> Contract:
        try:
            return self._concluded(contract_id)
        except WrongContractState:
            latest = self._latest(contract_id)
            assert latest is not None  # the contract row exists, so version 1 does
            return latest

    def _version(self, contract_id: str, version: int) -> Contract:
        row = self.db.one(
            "SELECT v.*, c.organization_id, c.worker_did FROM contract_versions v "
            "JOIN contracts c ON c.id = v.contract_id WHERE v.contract_id = ? AND v.version = ?",
            (contract_id, version),
        )
        if row is None:
            raise _contract_not_found()
        return _contract(row)


def _contract(row: sqlite3.Row) -> Contract:
    def record(name: str) -> SignatureRecord | None:
        value = row[name]
        return SignatureRecord.from_json(bytes(value)) if value is not None else None

    def when(name: str) -> datetime | None:
        value = row[name]
        return datetime.fromisoformat(value) if value is not None else None

    return Contract(
        id=row["contract_id"],
        version=row["version"],
        kind=VersionKind(row["kind"]),
        state=ContractState(row["state"]),
        organization_id=row["organization_id"],
        employer_name=row["employer_name"],
        employer_did=employer_did(row["organization_id"]),
        worker_did=row["worker_did"],
        draft=ContractDraft.model_validate_json(row["draft"]),
        check=ContractCheck.model_validate_json(row["findings"]),
        previous_digest=row["previous_digest"],
        termination_reason=(
            TerminationReason(row["termination_reason"]) if row["termination_reason"] else None
        ),
        document=json.loads(row["document"]) if row["document"] is not None else None,
        digest=row["digest"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=when("sent_at"),
        worker_signature=record("worker_signature"),
        employer_signature=record("employer_signature"),
        decline_reason=DeclineReason(row["decline_reason"]) if row["decline_reason"] else None,
        ledger_index=row["ledger_index"],
        personal_record=row["personal_record"],
        personal_commitment=row["personal_commitment"],
    )


def _actor_id(actor: Actor) -> str:
    """Who read personal data, for the vault's access log: an account or an operator app."""
    return actor.id if isinstance(actor, Account) else f"operator:{actor.client_id}"


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _digest_text(contract: Contract) -> str:
    if contract.digest is None:
        raise WrongContractState(
            "this version has not been sent, so there is no document to sign yet",
            "아직 보내지 않은 판이라 서명할 문서가 없습니다",
        )
    return contract.digest


def _digest_bytes(contract: Contract) -> bytes:
    return bytes.fromhex(_digest_text(contract))


def _contact(contact: Mapping[str, str]) -> tuple[str, str]:
    if set(contact) == {"phone"}:
        digits = "".join(ch for ch in contact["phone"] if ch.isdigit())
        if len(digits) in (10, 11) and digits.startswith("01"):
            return "sms", digits
    elif set(contact) == {"email"}:
        email = contact["email"].strip()
        local, _, domain = email.partition("@")
        if local and "." in domain and " " not in email and len(email) <= 254:
            return "email", email
    raise InvalidInput(
        "give the worker's mobile number (phone) or e-mail address (email), one of them",
        "근로자의 휴대전화 번호(phone)나 이메일 주소(email) 중 하나를 적으세요",
    )


__all__ = [
    "CareerJob",
    "Concluded",
    "ContractNotReady",
    "InvitationNotValid",
    "JobsNotEligible",
    "LaborContracts",
    "NotAllowed",
    "Outbox",
    "StillEmployed",
    "WrongContractState",
]
