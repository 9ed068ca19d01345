"""The wage-statement service (issue 6 item 2): an owner or manager issues the statement of a
contract and month (entering the taxes), its digest is anchored on the ledger, the worker gets
a page and a sealed PDF, and signs receipt with Seoul Pass or raises an objection the employer
must answer. The worker sees only their own statements and the organization's staff only its
own; anyone else is told the statement does not exist.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from blockcity.credentials.anchor import Anchor
from blockcity.crypto import SigningKey, canonical_json
from blockcity.documents import Heading, KeyValueTable, Paragraph, PdfMetadata, build_pdf, seal_pdf
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account, Role
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.signing import SignatureRecord
from blockcity.ledger.entries import sign_entry
from blockcity.ledger.log import Ledger, Receipt
from blockcity.privacy.vault import Vault
from blockcity.services.insurance import EmployerFacts, InsuranceRules, WorkerFacts, coverage
from blockcity.services.labor.contracts import LaborContracts
from blockcity.services.labor.records import Contract, ContractState
from blockcity.services.wages.entries import (
    OBJECTION_ANSWERED,
    STATEMENT_ACKNOWLEDGED,
    STATEMENT_ISSUED,
    STATEMENT_OBJECTED,
    ObjectionAnswered,
    ObjectionCategory,
    StatementAcknowledged,
    StatementIssued,
    StatementObjected,
)
from blockcity.services.wages.rules import WageRules
from blockcity.services.wages.statement import (
    ContractRef,
    EmployerEntered,
    InsuranceInput,
    PayPeriod,
    WageStatement,
    WorkedShift,
    compute_statement,
    employment_facts,
)

STATEMENT_ATTACHMENT = "wage-statement.json"
BUNDLE_TYPE = "BlockcityWageStatementBundle"
_EMPLOYER_ROLES = frozenset({Role.OWNER, Role.MANAGER})
_MAX_TEXT = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS statements (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    worker_did TEXT NOT NULL,
    period_start TEXT NOT NULL,
    document TEXT NOT NULL,
    digest TEXT NOT NULL,
    ledger_index INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (contract_id, period_start)
);
CREATE INDEX IF NOT EXISTS statements_by_worker ON statements(worker_did);
CREATE INDEX IF NOT EXISTS statements_by_organization ON statements(organization_id);
CREATE TABLE IF NOT EXISTS acknowledgements (
    statement_id TEXT PRIMARY KEY REFERENCES statements(id),
    signature BLOB NOT NULL,
    ledger_index INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS objections (
    id TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL REFERENCES statements(id),
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    ledger_index INTEGER NOT NULL,
    at TEXT NOT NULL,
    answer TEXT,
    answered_at TEXT,
    answer_ledger_index INTEGER
);
"""

ShiftSource = Callable[[str, date, date], Sequence[WorkedShift]]
"""``node.attendance.shifts``: a contract's shifts on the Seoul days from start to end."""


class StatementExists(Conflict):
    code = "wages-statement-exists"
    title_ko = "이미 발급한 임금명세서입니다"
    title_en = "The statement was already issued"


class WagesNotAllowed(BlockcityError):
    code = "wages-not-allowed"
    status = 403
    title_ko = "권한이 없습니다"
    title_en = "Not allowed"


def _not_found() -> NotFound:
    return NotFound(
        "no such wage statement (or it is not yours to see)",
        "그런 임금명세서가 없습니다 (또는 볼 권한이 없습니다)",
    )


@dataclass(frozen=True, slots=True)
class Objection:
    id: str
    statement_id: str
    category: ObjectionCategory
    text: str
    at: datetime
    answer: str | None
    answered_at: datetime | None
    ledger_index: int
    answer_ledger_index: int | None
    overdue: bool
    """Unanswered for longer than the year's ``objection_answer_days``."""


@dataclass(frozen=True, slots=True)
class IssuedStatement:
    id: str
    contract_id: str
    organization_id: str
    worker_did: str
    document: dict[str, Any]
    digest: str
    ledger_index: int
    issued_at: datetime
    acknowledgement: SignatureRecord | None
    acknowledgement_index: int | None
    objections: tuple[Objection, ...]

    @property
    def statement(self) -> WageStatement:
        return WageStatement.model_validate(
            {k: v for k, v in self.document.items() if k not in ("id", "issued_at")}
        )


def statement_digest(document: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the statement document's RFC 8785 form: what is anchored and signed."""
    return hashlib.sha256(canonical_json(dict(document))).hexdigest()


class WageStatements:
    def __init__(
        self,
        path: Path,
        *,
        seoul_pass: SeoulPass,
        vault: Vault,
        labor: LaborContracts,
        ledger: Ledger,
        shifts: ShiftSource,
        organization_did: Callable[[str], str],
        signer: Callable[[str], tuple[str, SigningKey]],
        submit_many: Callable[[Sequence[bytes]], list[Receipt | BlockcityError]],
        public_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = IdentityDB(path)
        self.db.schema(SCHEMA)
        self.seoul_pass = seoul_pass
        self.vault = vault
        self.labor = labor
        self.ledger = ledger
        self.shifts = shifts
        self.organization_did = organization_did
        self.signer = signer
        self.submit_many = submit_many
        self.public_url = public_url.rstrip("/")
        self.clock = clock

    # Issuing (employer).

    def issue(
        self,
        actor: Account,
        contract_id: str,
        year: int,
        month: int,
        entered: Mapping[str, Any],
        *,
        industry: str,
        holidays: frozenset[date] = frozenset(),
    ) -> IssuedStatement:
        """Compute, anchor and store the statement of ``contract_id`` for ``year``-``month``."""
        (result,) = self.issue_many(
            actor,
            [(contract_id, EmployerEntered.parse(entered))],
            year,
            month,
            industry=industry,
            holidays=holidays,
        )
        if isinstance(result, BlockcityError):
            raise result
        return result

    def issue_many(
        self,
        actor: Account,
        items: Sequence[tuple[str, EmployerEntered]],
        year: int,
        month: int,
        *,
        industry: str,
        holidays: frozenset[date] = frozenset(),
    ) -> list[IssuedStatement | BlockcityError]:
        """``issue`` for many contracts of one organization, anchored together so one durable
        block holds many entries; each item's result is its statement or the error."""
        results: list[IssuedStatement | BlockcityError | None] = []
        pending: list[tuple[int, str, Contract, dict[str, Any], str]] = []
        entries: list[bytes] = []
        now = self._now()
        for contract_id, entered in items:
            try:
                contract = self._concluded_for_employer(actor, contract_id)
                document = self._document(actor, contract, entered, year, month, industry, holidays)
                digest = statement_digest(document)
                did = self.organization_did(contract.organization_id)
                body = StatementIssued(
                    statement_id=document["id"],
                    contract_id=contract.id,
                    statement_digest=digest,
                    employer=did,
                    worker=contract.worker_did,
                )
                entries.append(self._entry(did, STATEMENT_ISSUED.name, body.model_dump()))
                pending.append((len(results), digest, contract, document, did))
                results.append(None)
            except BlockcityError as exc:
                results.append(exc)
        receipts = self.submit_many(entries) if entries else []
        rows = []
        for (slot, digest, contract, document, _), receipt in zip(pending, receipts, strict=True):
            if isinstance(receipt, BlockcityError):
                results[slot] = receipt
                continue
            rows.append(
                (
                    document["id"],
                    contract.id,
                    contract.organization_id,
                    contract.worker_did,
                    document["period"]["start"],
                    json.dumps(document, ensure_ascii=False),
                    digest,
                    receipt.index,
                    now.isoformat(),
                )
            )
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO statements (id, contract_id, organization_id, worker_did, "
                "period_start, document, digest, ledger_index, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        for slot, _, _, document, _ in pending:
            if results[slot] is None:
                results[slot] = self._load(document["id"])
        return [r for r in results if r is not None]

    def _document(
        self,
        actor: Account,
        contract: Contract,
        entered: EmployerEntered,
        year: int,
        month: int,
        industry: str,
        holidays: frozenset[date],
    ) -> dict[str, Any]:
        period = PayPeriod.month(year, month, contract.draft)
        if self.db.one(
            "SELECT 1 FROM statements WHERE contract_id = ? AND period_start = ?",
            (contract.id, period.start.isoformat()),
        ):
            raise StatementExists(
                f"the statement of {year}-{month:02d} for this contract was already issued",
                f"이 계약의 {year}년 {month}월 임금명세서는 이미 발급했습니다",
            )
        assert contract.digest is not None  # a concluded version has its document digest
        first_monday = period.start - timedelta(days=period.start.weekday())
        shifts = self.shifts(contract.id, first_monday, period.end)
        statement = compute_statement(
            contract.draft,
            shifts,
            period,
            self._insurance(actor, contract, period, industry),
            entered,
            year,
            holidays=holidays,
            ref=ContractRef(
                contract_id=contract.id,
                version=contract.version,
                document_digest=contract.digest,
                employer_name=contract.employer_name,
            ),
        )
        return {
            "id": str(uuid.uuid4()),
            "issued_at": self._now().isoformat().replace("+00:00", "Z"),
            **statement.model_dump(mode="json"),
        }

    def _insurance(
        self, actor: Account, contract: Contract, period: PayPeriod, industry: str
    ) -> InsuranceInput:
        assert contract.personal_record is not None and contract.draft.period is not None
        birth = date.fromisoformat(
            str(
                self.vault.get(
                    contract.personal_record,
                    actor=actor.id,
                    purpose="임금명세서 4대보험 적용 판단 (age for social insurance coverage)",
                )["birth_date"]
            )
        )
        rules = InsuranceRules.for_date(period.start)
        decided = coverage(
            WorkerFacts(
                age=_age(birth, period.start),
                age_at_hire=_age(birth, contract.draft.period.start),
            ),
            employment_facts(contract.draft),
            rules,
        )
        return InsuranceInput(
            coverage=decided,
            employer=EmployerFacts(employees=contract.draft.headcount, industry=industry),
        )

    # The worker's side.

    def acknowledge(
        self, worker: Account, statement_id: str, signature: SignatureRecord
    ) -> IssuedStatement:
        """The worker's Seoul Pass signature over the statement digest, anchored."""
        issued = self._for_worker(worker, statement_id)
        if issued.acknowledgement is not None:
            raise Conflict(
                "you already signed receipt of this statement",
                "이 임금명세서는 이미 수령 서명했습니다",
            )
        if signature.signer != worker.did:
            raise WagesNotAllowed(
                "the signature is not by the signed-in worker",
                "서명이 로그인한 근로자의 것이 아닙니다",
            )
        self.seoul_pass.signing.verify(signature, bytes.fromhex(issued.digest))
        did = self.organization_did(issued.organization_id)
        body = StatementAcknowledged(
            statement_id=issued.id,
            statement_digest=issued.digest,
            employer=did,
            worker=worker.did,
            worker_signature=hashlib.sha256(signature.to_json()).hexdigest(),
        )
        receipt = self._submit(self._entry(did, STATEMENT_ACKNOWLEDGED.name, body.model_dump()))
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO acknowledgements (statement_id, signature, ledger_index, at) "
                "VALUES (?, ?, ?, ?)",
                (issued.id, signature.to_json(), receipt.index, self._now().isoformat()),
            )
        return self._load(issued.id)

    def object(
        self, worker: Account, statement_id: str, category: ObjectionCategory, text: str
    ) -> Objection:
        """An objection the employer must answer; the text stays off the ledger."""
        issued = self._for_worker(worker, statement_id)
        text = _text(text)
        objection_id = str(uuid.uuid4())
        did = self.organization_did(issued.organization_id)
        body = StatementObjected(
            statement_id=issued.id,
            objection_id=objection_id,
            statement_digest=issued.digest,
            employer=did,
            worker=worker.did,
            category=category.value,
            objection_digest=text_digest(objection_id, text),
        )
        receipt = self._submit(self._entry(did, STATEMENT_OBJECTED.name, body.model_dump()))
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO objections (id, statement_id, category, text, ledger_index, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    objection_id,
                    issued.id,
                    category.value,
                    text,
                    receipt.index,
                    self._now().isoformat(),
                ),
            )
        return self._objection(objection_id)

    def answer(self, actor: Account, objection_id: str, text: str) -> Objection:
        """The employer's answer to an objection, recorded by its digest on the ledger."""
        objection = self._objection(objection_id)
        issued = self._load(objection.statement_id)
        self._require_employer(actor, issued.organization_id)
        if objection.answer is not None:
            raise Conflict("this objection was already answered", "이미 답변한 이의입니다")
        text = _text(text)
        did = self.organization_did(issued.organization_id)
        body = ObjectionAnswered(
            statement_id=issued.id,
            objection_id=objection_id,
            employer=did,
            answer_digest=text_digest(objection_id, text),
        )
        receipt = self._submit(self._entry(did, OBJECTION_ANSWERED.name, body.model_dump()))
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE objections SET answer = ?, answered_at = ?, answer_ledger_index = ? "
                "WHERE id = ? AND answer IS NULL",
                (text, self._now().isoformat(), receipt.index, objection_id),
            )
        return self._objection(objection_id)

    # Reading.

    def get(self, actor: Account, statement_id: str) -> IssuedStatement:
        issued = self._load_or_none(statement_id)
        if issued is None or not self._may_see(actor, issued):
            raise _not_found()
        return issued

    def for_worker(self, worker: Account, contract_id: str | None = None) -> list[IssuedStatement]:
        rows = self.db.query(
            "SELECT id FROM statements WHERE worker_did = ? AND (? IS NULL OR contract_id = ?) "
            "ORDER BY period_start DESC",
            (worker.did, contract_id, contract_id),
        )
        return [self._load(row["id"]) for row in rows]

    def for_organization(self, actor: Account, organization_id: str) -> list[IssuedStatement]:
        if self.seoul_pass.organizations.role_of(actor.id, organization_id) is None:
            raise _not_found()
        rows = self.db.query(
            "SELECT id FROM statements WHERE organization_id = ? ORDER BY period_start DESC",
            (organization_id,),
        )
        return [self._load(row["id"]) for row in rows]

    def open_objections(self, actor: Account, organization_id: str) -> list[Objection]:
        """Objections the organization has not answered, oldest first, overdue ones flagged."""
        if self.seoul_pass.organizations.role_of(actor.id, organization_id) is None:
            raise _not_found()
        rows = self.db.query(
            "SELECT o.id FROM objections o JOIN statements s ON s.id = o.statement_id "
            "WHERE s.organization_id = ? AND o.answer IS NULL ORDER BY o.at",
            (organization_id,),
        )
        return [self._objection(row["id"]) for row in rows]

    def anchor(self, ledger_index: int) -> Anchor:
        return Anchor.of(self.ledger, ledger_index)

    def pdf(self, actor: Account, statement_id: str, worker_name: str | None = None) -> bytes:
        """The statement as a sealed PDF: every item and hour, with the statement JSON and its
        ledger anchor attached so it verifies offline."""
        issued = self.get(actor, statement_id)
        statement = issued.statement
        anchor = self.anchor(issued.ledger_index)
        sections = statement_sections(statement, issued, worker_name)
        sections.append(Heading("원장 기록 (Ledger record)"))
        sections.append(
            Paragraph(
                f"이 명세서의 SHA-256 값 {issued.digest}은(는) 서울 블록체인 원장 "
                f"{anchor.index}번 항목에 기록되었습니다.\nThe digest of this statement is entry "
                f"{anchor.index} of the city ledger."
            )
        )
        base = build_pdf(
            "임금명세서 (Wage statement)",
            sections,
            created_at=issued.issued_at,
            metadata=PdfMetadata(subject="임금명세서", keywords=("임금명세서", issued.id)),
            footer=f"근로기준법 제48조 제2항에 따라 교부 · {issued.digest[:16]}",
        )
        attachment = {
            "type": BUNDLE_TYPE,
            "version": 1,
            "statement": issued.document,
            "anchor": anchor.to_dict(),
        }
        return seal_pdf(base, STATEMENT_ATTACHMENT, canonical_json(attachment), "application/json")

    def close(self) -> None:
        self.db.close()

    # Internals.

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def _entry(self, did: str, entry_type: str, body: dict[str, Any]) -> bytes:
        return sign_entry(entry_type, body, [self.signer(did)], at=self.clock())

    def _submit(self, entry: bytes) -> Receipt:
        (receipt,) = self.submit_many([entry])
        if isinstance(receipt, BlockcityError):
            raise receipt
        return receipt

    def _require_employer(self, actor: Account, organization_id: str) -> None:
        role = self.seoul_pass.organizations.role_of(actor.id, organization_id)
        if role is None:
            raise _not_found()
        if role not in _EMPLOYER_ROLES:
            raise WagesNotAllowed(
                "only an owner or manager of the organization may issue statements or answer "
                "objections",
                "기관의 소유자나 관리자만 임금명세서를 발급하거나 이의에 답할 수 있습니다",
            )

    def _concluded_for_employer(self, actor: Account, contract_id: str) -> Contract:
        versions = self.labor.history(actor, contract_id)
        concluded = [v for v in versions if v.state is ContractState.CONCLUDED]
        if not concluded:
            raise InvalidInput(
                "this contract has not been concluded, so no wages are statable under it",
                "아직 체결되지 않은 계약이라 임금명세서를 발급할 수 없습니다",
            )
        self._require_employer(actor, concluded[-1].organization_id)
        return concluded[-1]

    def _may_see(self, actor: Account, issued: IssuedStatement) -> bool:
        return actor.did == issued.worker_did or (
            self.seoul_pass.organizations.role_of(actor.id, issued.organization_id) is not None
        )

    def _for_worker(self, worker: Account, statement_id: str) -> IssuedStatement:
        issued = self._load_or_none(statement_id)
        if issued is None or issued.worker_did != worker.did:
            raise _not_found()
        return issued

    def _load(self, statement_id: str) -> IssuedStatement:
        issued = self._load_or_none(statement_id)
        if issued is None:
            raise _not_found()
        return issued

    def _load_or_none(self, statement_id: str) -> IssuedStatement | None:
        row = self.db.one("SELECT * FROM statements WHERE id = ?", (statement_id,))
        if row is None:
            return None
        ack = self.db.one("SELECT * FROM acknowledgements WHERE statement_id = ?", (statement_id,))
        objections = self.db.query(
            "SELECT id FROM objections WHERE statement_id = ? ORDER BY at", (statement_id,)
        )
        return IssuedStatement(
            id=row["id"],
            contract_id=row["contract_id"],
            organization_id=row["organization_id"],
            worker_did=row["worker_did"],
            document=json.loads(row["document"]),
            digest=row["digest"],
            ledger_index=row["ledger_index"],
            issued_at=datetime.fromisoformat(row["issued_at"]),
            acknowledgement=SignatureRecord.from_json(bytes(ack["signature"])) if ack else None,
            acknowledgement_index=ack["ledger_index"] if ack else None,
            objections=tuple(self._objection(r["id"]) for r in objections),
        )

    def _objection(self, objection_id: str) -> Objection:
        row = self.db.one("SELECT * FROM objections WHERE id = ?", (objection_id,))
        if row is None:
            raise NotFound("no such objection", "그런 이의가 없습니다")
        at = datetime.fromisoformat(row["at"])
        days = WageRules.for_year(at.year).objection_answer_days.value
        answered_at = row["answered_at"]
        return Objection(
            id=row["id"],
            statement_id=row["statement_id"],
            category=ObjectionCategory(row["category"]),
            text=row["text"],
            at=at,
            answer=row["answer"],
            answered_at=datetime.fromisoformat(answered_at) if answered_at else None,
            ledger_index=row["ledger_index"],
            answer_ledger_index=row["answer_ledger_index"],
            overdue=row["answer"] is None and self._now() - at > timedelta(days=days),
        )


def statement_sections(
    statement: WageStatement, issued: IssuedStatement, worker_name: str | None
) -> list[Any]:
    """The statement's items as PDF sections, Korean first with English labels."""
    period = statement.period
    contract = statement.contract
    rows: list[tuple[str, str]] = [
        ("근로자 (Worker)", f"{worker_name or ''} {statement.worker}".strip()),
        ("사번·계약번호 (Employee no.)", contract.contract_id if contract else "-"),
        ("사업장 (Employer)", contract.employer_name if contract else statement.employer),
        ("임금 기간 (Pay period)", f"{period.start} ~ {period.end}"),
        ("지급일 (Pay date)", str(period.pay_date)),
        ("통상시급 (Ordinary hourly wage)", f"{statement.ordinary_hourly_wage}원"),
        (
            "근무 (Attendance)",
            f"{statement.attendance.days_worked}일, {_hours(statement.attendance.worked_minutes)}",
        ),
    ]
    pay = tuple(
        (
            f"{item.label_ko} ({item.label_en})",
            f"{item.amount:,}원"
            + (f" · {_hours(item.minutes)}" if item.minutes is not None else "")
            + f"\n{item.method_ko}\n{item.method_en}",
        )
        for item in statement.pay_items
    )
    deductions = tuple(
        (f"{d.label_ko} ({d.label_en})", f"{d.amount:,}원\n{d.method_ko}")
        for d in statement.deductions
    )
    return [
        Paragraph(f"명세서 번호 {issued.id}"),
        KeyValueTable(tuple(rows)),
        Heading("지급 내역 (Pay)"),
        KeyValueTable((*pay, ("지급 합계 (Total pay)", f"{statement.total_pay:,}원"))),
        Heading("공제 내역 (Deductions)"),
        KeyValueTable(
            (*deductions, ("공제 합계 (Total deductions)", f"{statement.total_deductions:,}원"))
        ),
        Heading("실지급액 (Net pay)"),
        Paragraph(f"{statement.net_pay:,}원"),
    ]


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}시간" + (f" {rest}분" if rest else "")


def _age(birth: date, on: date) -> int:
    """Full age (만 나이) on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _MAX_TEXT or any(ch in cleaned for ch in "\x00<>"):
        raise InvalidInput(
            f"write 1 to {_MAX_TEXT} characters, without angle brackets",
            f"1자에서 {_MAX_TEXT}자 사이로, 꺾쇠 괄호 없이 적으세요",
        )
    return cleaned


def text_digest(objection_id: str, text: str) -> str:
    """Hex SHA-256 of an objection's or answer's text, salted with the objection id so that a
    short text cannot be guessed from the ledger."""
    return hashlib.sha256(f"{objection_id}\n{text}".encode()).hexdigest()
