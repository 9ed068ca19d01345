"""The attendance service (issue 6 item 1): clock-in and clock-out by scanning the worksite's
rotating QR code, the employer's confirmation of each day, corrections both parties sign, and
records sealed in batches whose Merkle roots the employer signs onto the ledger, so that no
record can be back-dated, edited or erased without ``audit`` naming it.

Records live in the service's SQLite database as their canonical JSON bytes (the Merkle
leaves); each row also carries a MAC under a key sealed by the node's master key, so that when a
batch root no longer matches the ledger, the audit can say which record was touched. A
worker's location, when they consented to it for that worksite (a consent in the vault's register
that they can withdraw), goes to the vault; the record holds only its salted commitment and the
ledger only the batch's Merkle root, so no coordinate ever reaches the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from blockcity.credentials.anchor import Anchor
from blockcity.crypto import SigningKey, b64url_encode
from blockcity.crypto.canonical import canonical_json
from blockcity.crypto.sealing import MasterKey
from blockcity.documents import Lang
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound
from blockcity.identity.model import Account, Role
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.signing import SignatureRecord
from blockcity.ledger import merkle
from blockcity.ledger.entries import sign_entry
from blockcity.ledger.log import Ledger, Receipt
from blockcity.privacy.consent import Consent
from blockcity.privacy.vault import Erased, Vault
from blockcity.services.attendance import qr
from blockcity.services.attendance.entries import BATCH_SEALED, BatchSealed
from blockcity.services.attendance.model import (
    SEOUL,
    AttendanceRecord,
    ContractTerms,
    CorrectionReason,
    Flag,
    RecordKind,
    SeenLocation,
    Shift,
    Timesheet,
    distance_metres,
)
from blockcity.services.attendance.proofs import PROOF_TYPE
from blockcity.services.attendance.rules import AttendancePolicy
from blockcity.services.attendance.timesheet import build_timesheet, month_bounds, timesheet_pdf
from blockcity.services.labor.check import required_break_minutes
from blockcity.services.labor.model import Weekday
from blockcity.services.labor.rules import LaborRules

LOCATION_KIND = "attendance.location"
LOCATION_REVIEW = "attendance.location.review"
"""Why a party of the contract reads a scan's location: the access log's purpose."""
_EMPLOYER_ROLES = frozenset({Role.OWNER, Role.MANAGER})
_WEEKDAYS = list(Weekday)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS worksites (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    label TEXT NOT NULL,
    secret BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organization_id, label)
);
CREATE TABLE IF NOT EXISTS worksite_positions (
    worksite_id TEXT PRIMARY KEY,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    organization_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    contract_id TEXT NOT NULL,
    day TEXT NOT NULL,
    data BLOB NOT NULL,
    mac BLOB NOT NULL,
    location_ref TEXT,
    PRIMARY KEY (organization_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_contract ON records(contract_id, day);
CREATE TABLE IF NOT EXISTS sequences (
    organization_id TEXT PRIMARY KEY,
    next_seq INTEGER NOT NULL,
    sealed_seq INTEGER NOT NULL,
    last_at TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    count INTEGER NOT NULL,
    root BLOB NOT NULL,
    ledger_index INTEGER NOT NULL,
    sealed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_by_org ON batches(organization_id, first_seq);
CREATE TABLE IF NOT EXISTS corrections (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL,
    day TEXT NOT NULL,
    document BLOB NOT NULL,
    digest TEXT NOT NULL,
    note TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    worker_signature BLOB,
    employer_signature BLOB,
    record_id TEXT
);
"""


class WorksiteCodeInvalid(NotFound):
    """A forged, mistyped or expired QR link: said the same way, so guesses learn nothing."""

    code = "attendance-code-invalid"
    title_ko = "유효하지 않은 출퇴근 QR 코드입니다"
    title_en = "The attendance QR code is not valid"


class WindowMismatch(Conflict):
    code = "attendance-window-mismatch"
    title_ko = "QR 코드의 시각과 기기 시각이 맞지 않습니다"
    title_en = "The QR code's time and the device time disagree"


class AttendanceNotAllowed(BlockcityError):
    code = "attendance-not-allowed"
    status = 403
    title_ko = "권한이 없습니다"
    title_en = "Not allowed"


class AttendanceConflict(Conflict):
    code = "attendance-conflict"
    title_ko = "지금은 기록할 수 없습니다"
    title_en = "Cannot be recorded now"


def _not_found() -> NotFound:
    return NotFound(
        "no such contract (or it is not yours)",
        "그런 근로계약이 없습니다 (또는 본인의 계약이 아닙니다)",
    )


class ContractSource(Protocol):
    """Where attendance finds concluded contracts (``labor_source.LaborContractSource`` in a
    node): by id, and the ids of a worker's."""

    def terms(self, contract_id: str) -> ContractTerms | None: ...

    def contract_ids(self, worker_did: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Worksite:
    id: str
    organization_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Scan:
    """One clock-in or clock-out as the worker's phone sends it: the scanned QR window and code
    and the device's time (which may be long ago when the phone was offline)."""

    worker_did: str
    contract_id: str
    kind: RecordKind
    worksite: str
    window: int
    code: str
    device_at: datetime


@dataclass(frozen=True, slots=True)
class Location:
    """A point in degrees (WGS 84, as phones give it) and, for a phone's reading, the radius in
    metres it is accurate to."""

    latitude: float
    longitude: float
    accuracy_metres: float | None = None

    def __post_init__(self) -> None:
        if not (
            math.isfinite(self.latitude)
            and math.isfinite(self.longitude)
            and -90 <= self.latitude <= 90
            and -180 <= self.longitude <= 180
        ):
            raise InvalidInput(
                "the location is not on Earth: give a latitude from -90 to 90 and a longitude "
                "from -180 to 180",
                "위치 값이 올바르지 않습니다. 위도는 -90~90, 경도는 -180~180이어야 합니다",
            )
        accuracy = self.accuracy_metres
        if accuracy is not None and not (math.isfinite(accuracy) and accuracy >= 0):
            raise InvalidInput(
                "the location's accuracy must be a number of metres, zero or more",
                "위치 오차는 0 이상의 미터 값이어야 합니다",
            )


@dataclass(frozen=True, slots=True)
class Correction:
    """A day's new times proposed by one party; recorded once both have signed ``digest``."""

    id: str
    contract_id: str
    day: date
    start: datetime
    end: datetime
    reason: CorrectionReason
    note: str
    digest: str
    proposed_by: str
    worker_signed: bool
    employer_signed: bool
    record_id: str | None


@dataclass(frozen=True, slots=True)
class Batch:
    organization_id: str
    first_seq: int
    count: int
    root: bytes
    ledger_index: int


@dataclass(frozen=True, slots=True)
class AuditReport:
    ok: bool
    batches: int
    records: int
    problem_en: str | None = None
    problem_ko: str | None = None
    record_id: str | None = None
    """The first bad record, when one can be named."""


def record_id(organization_id: str, seq: int) -> str:
    return f"{organization_id}.{seq}"


def _parse_record_id(value: str) -> tuple[str, int]:
    organization_id, _, seq = value.rpartition(".")
    if not organization_id or not seq.isdigit():
        raise NotFound("no such attendance record", "그런 출퇴근 기록이 없습니다")
    return organization_id, int(seq)


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def seoul_day(moment: datetime) -> date:
    return moment.astimezone(SEOUL).date()


class Attendance:
    def __init__(
        self,
        path: Path,
        *,
        master: MasterKey,
        seoul_pass: SeoulPass,
        vault: Vault,
        ledger: Ledger,
        submit_many: Callable[[Sequence[bytes]], list[Receipt | BlockcityError]],
        contracts: ContractSource,
        organization_did: Callable[[str], str],
        signer: Callable[[str], tuple[str, SigningKey]],
        public_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        policy: AttendancePolicy | None = None,
        batch_max_records: int | None = None,
        batch_max_seconds: int | None = None,
    ) -> None:
        """``contracts`` looks up concluded contracts; ``organization_did`` registers the
        employer's did:web the first time it is needed and returns it; ``signer`` returns the
        platform-held key of a DID (``Credentials.issuer_signer``). Batches are sealed every
        ``batch_max_records`` records or ``batch_max_seconds`` (the policy's by default)."""
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA busy_timeout = 5000")
        self.db.executescript(SCHEMA)
        self.master = master
        self.seoul_pass = seoul_pass
        self.vault = vault
        self.ledger = ledger
        self.submit_many = submit_many
        self.contracts = contracts
        self.organization_did = organization_did
        self.signer = signer
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.policy = policy or AttendancePolicy.load()
        self.batch_max_records = batch_max_records or self.policy.batch_max_records
        self.batch_max_seconds = batch_max_seconds or self.policy.batch_max_seconds
        self._mac_key = self._sealed_meta("record-mac-key")
        self._secrets: dict[str, bytes] = {}
        self._terms: dict[str, ContractTerms] = {}
        self._sites: dict[str, Worksite] = {}
        self._open_shifts: dict[str, date] = {}

    # Worksites (employer).

    def worksite(self, actor: Account, organization_id: str, label: str) -> Worksite:
        """The worksite for ``label`` (a contract's workplace), made on first use."""
        self._require_employer(actor, organization_id)
        return self._worksite(organization_id, label)

    def worksites(self, actor: Account, organization_id: str) -> list[Worksite]:
        """Every workplace named in the organization's concluded contracts, as worksites."""
        self._require_employer(actor, organization_id)
        rows = self.db.execute(
            "SELECT id, organization_id, label FROM worksites WHERE organization_id = ? "
            "ORDER BY label",
            (organization_id,),
        ).fetchall()
        return [Worksite(r["id"], r["organization_id"], r["label"]) for r in rows]

    def worksite_by_id(self, actor: Account, worksite_id: str) -> Worksite:
        site = self._site(worksite_id)
        if site is None or not self._is_employer(actor, site.organization_id):
            raise NotFound("no such worksite", "그런 사업장이 없습니다")
        return site

    def display(self, actor: Account, worksite_id: str) -> tuple[str, int, int]:
        """What the worksite's display shows now: the scan URL, its window and the seconds
        until the next one."""
        site = self.worksite_by_id(actor, worksite_id)
        now = self.clock()
        window = qr.window_of(now, self.policy)
        url = self.public_url + qr.scan_path(site.id, window, self._secret(site.id), self.policy)
        left = qr.window_start(window + 1, self.policy) - int(now.timestamp())
        return url, window, left

    def scan_url(self, worksite_id: str, window: int) -> str:
        """The URL a display would show for ``window``: for the display page and tests."""
        return self.public_url + qr.scan_path(
            worksite_id, window, self._secret(worksite_id), self.policy
        )

    def check_code(self, worksite_id: str, window: int, code: str) -> Worksite:
        """The worksite a scanned link names, if its code is the one for that window."""
        site = self._site(worksite_id)
        if site is None or not qr.code_matches(
            self._secret(site.id), site.id, window, code, self.policy
        ):
            raise WorksiteCodeInvalid(
                "this QR code is not one the worksite showed; scan the code on the display again",
                "사업장 화면에 표시된 QR 코드가 아닙니다. 화면의 코드를 다시 찍으세요",
            )
        return site

    def contracts_at(self, worker: Account, worksite_id: str) -> list[ContractTerms]:
        """The worker's concluded contracts that name this worksite's workplace."""
        site = self._site(worksite_id)
        if site is None:
            return []
        found = []
        for contract_id in self.contracts.contract_ids(worker.did):
            terms = self._contract(contract_id)
            if (
                terms is not None
                and terms.organization_id == site.organization_id
                and terms.workplace == site.label
            ):
                found.append(terms)
        return found

    def set_worksite_position(self, actor: Account, worksite_id: str, position: Location) -> None:
        """The employer registers where the worksite is, so each scan's location can be shown
        with its distance from it."""
        site = self.worksite_by_id(actor, worksite_id)
        with _transaction(self.db):
            self.db.execute(
                "INSERT INTO worksite_positions (worksite_id, latitude, longitude, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (worksite_id) DO UPDATE SET "
                "latitude = excluded.latitude, longitude = excluded.longitude, "
                "set_by = excluded.set_by, set_at = excluded.set_at",
                (site.id, position.latitude, position.longitude, actor.did, _time(self.clock())),
            )

    def worksite_position(self, worksite_id: str) -> Location | None:
        """Where the employer registered the worksite, or None (a worksite's position is the
        employer's, not personal data)."""
        row = self.db.execute(
            "SELECT latitude, longitude FROM worksite_positions WHERE worksite_id = ?",
            (worksite_id,),
        ).fetchone()
        return Location(row["latitude"], row["longitude"]) if row is not None else None

    # The worker's consent to record their location at a worksite.

    def location_consent(self, worker: Account, worksite_id: str) -> Consent | None:
        """The worker's consent in force to record their location at this worksite, or None."""
        site = self._site(worksite_id)
        if site is None:
            return None
        return self.vault.consents.check(
            worker.id, site.organization_id, _location_purpose(site.id), self.clock()
        )

    def allow_location(self, worker: Account, worksite_id: str) -> Consent:
        """Record in the vault's consent register that the worker lets the employer keep their
        phone's location with each scan at this worksite, for the policy's
        ``location_consent_days``; allowing again while in force changes nothing."""
        site = self._site(worksite_id)
        if site is None or not self.contracts_at(worker, worksite_id):
            raise NotFound(
                "you have no concluded contract at this worksite",
                "이 사업장에서 체결한 근로계약이 없습니다",
            )
        current = self.location_consent(worker, site.id)
        if current is not None:
            return current
        return self.vault.consents.grant(
            worker.id,
            site.organization_id,
            _location_purpose(site.id),
            [LOCATION_KIND],
            self.clock() + timedelta(days=self.policy.location_consent_days),
        )

    def withdraw_location(self, worker: Account, worksite_id: str) -> None:
        """Withdraw the worker's consent from now on: later scans, even ones queued offline
        before, are recorded without their location. Locations already kept stay with their
        records."""
        while (consent := self.location_consent(worker, worksite_id)) is not None:
            self.vault.consents.revoke(consent.id)

    # Clocking in and out (worker).

    def clock_in_out(
        self,
        worker: Account,
        contract_id: str,
        kind: RecordKind,
        worksite_id: str,
        window: int,
        code: str,
        device_at: datetime | None = None,
        location: Location | None = None,
    ) -> AttendanceRecord:
        """Record a scan; ``device_at`` is when the phone scanned (now when it was online).
        ``location`` is kept only while the worker's consent for this worksite is in force;
        without it the scan is recorded all the same, without the location (a scan never fails
        for want of a location), and the record's ``location`` says which happened."""
        scan = Scan(
            worker.did, contract_id, kind, worksite_id, window, code, device_at or self.clock()
        )
        location_ref = None
        commitment = None
        if location is not None and self.location_consent(worker, worksite_id) is not None:
            location_ref, commitment = self._store_location(worker, location)
        (result,) = self._ingest([scan], [commitment], [location_ref])
        if isinstance(result, BlockcityError):
            raise result
        return result

    def record_many(self, scans: Sequence[Scan]) -> list[AttendanceRecord | BlockcityError]:
        """The bulk path (a gateway or an import of queued scans): the same checks as one
        scan (contract ownership, QR code, window), in one transaction; due batches sealed."""
        return self._ingest(scans, [None] * len(scans), [None] * len(scans))

    # Employer confirmation and corrections.

    def confirm(self, actor: Account, contract_id: str, day: date) -> AttendanceRecord:
        """The employer confirms the day's shift as recorded."""
        terms = self._employer_contract(actor, contract_id)
        shift = self._day_records(terms.contract_id, day)
        if not any(r.kind in (RecordKind.CLOCK_IN, RecordKind.CORRECTION) for r in shift):
            raise AttendanceConflict(
                f"nothing was recorded on {day}; there is nothing to confirm",
                f"{day}에는 기록이 없어 확인할 것이 없습니다",
            )
        body = {"kind": RecordKind.CONFIRMATION.value, "by": actor.did}
        return self._append_one(terms, day, body)

    def propose_correction(
        self,
        actor: Account,
        contract_id: str,
        day: date,
        start: datetime,
        end: datetime,
        reason: CorrectionReason,
        note: str,
    ) -> Correction:
        """Either party proposes new times for ``day``; both then sign its digest."""
        terms = self._visible_contract(actor, contract_id)
        if start.tzinfo is None or end.tzinfo is None or not start < end:
            raise InvalidInput(
                "give a start before the end, both with a time zone",
                "시작 시각이 종료 시각보다 앞서야 합니다",
            )
        if end - start > timedelta(hours=24) or seoul_day(start) != day:
            raise InvalidInput(
                "a day's shift starts on that day and lasts at most 24 hours",
                "근무는 그날 시작하고 24시간을 넘지 않아야 합니다",
            )
        note = note.strip()
        if len(note) > 500:
            raise InvalidInput("keep the note under 500 characters", "메모는 500자 이내로 적으세요")
        document = {
            "type": "blockcity.attendance.correction",
            "contract": terms.contract_id,
            "worker": terms.worker_did,
            "day": day.isoformat(),
            "start": _time(start),
            "end": _time(end),
            "reason": reason.value,
            "note_sha256": hashlib.sha256(note.encode()).hexdigest(),
        }
        data = canonical_json(document)
        correction_id = secrets.token_urlsafe(12)
        with _transaction(self.db):
            self.db.execute(
                "INSERT INTO corrections (id, contract_id, day, document, digest, note, "
                "proposed_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    correction_id,
                    terms.contract_id,
                    day.isoformat(),
                    data,
                    hashlib.sha256(data).hexdigest(),
                    note,
                    actor.did,
                    _time(self.clock()),
                ),
            )
        return self.correction(actor, correction_id)

    def correction(self, actor: Account, correction_id: str) -> Correction:
        row = self.db.execute("SELECT * FROM corrections WHERE id = ?", (correction_id,)).fetchone()
        if row is None:
            raise NotFound("no such correction", "그런 정정 요청이 없습니다")
        self._visible_contract(actor, row["contract_id"])
        return _correction(row)

    def corrections(self, actor: Account, contract_id: str) -> list[Correction]:
        self._visible_contract(actor, contract_id)
        rows = self.db.execute(
            "SELECT * FROM corrections WHERE contract_id = ? ORDER BY created_at DESC",
            (contract_id,),
        ).fetchall()
        return [_correction(row) for row in rows]

    def sign_correction(
        self, actor: Account, correction_id: str, signature: SignatureRecord
    ) -> Correction:
        """The worker or an owner or manager of the employer signs the correction's digest with
        Seoul Pass; once both have, it becomes a record (and replaces the day's scans)."""
        row = self.db.execute("SELECT * FROM corrections WHERE id = ?", (correction_id,)).fetchone()
        if row is None:
            raise NotFound("no such correction", "그런 정정 요청이 없습니다")
        terms = self._visible_contract(actor, row["contract_id"])
        if row["record_id"] is not None:
            raise AttendanceConflict(
                "this correction is already recorded", "이미 기록된 정정입니다"
            )
        if signature.signer != actor.did or not self.seoul_pass.signing.verify(
            signature, bytes.fromhex(row["digest"])
        ):
            raise AttendanceNotAllowed(
                "the signature must be your own, over this correction",
                "서명은 본인이 이 정정 내용에 한 것이어야 합니다",
            )
        column = (
            "worker_signature"
            if actor.did == terms.worker_did
            else "employer_signature"
            if self._is_employer(actor, terms.organization_id)
            else None
        )
        if column is None:
            raise AttendanceNotAllowed(
                "only the worker or an owner or manager of the employer may sign a correction",
                "정정에는 근로자 본인이나 사업장의 소유자·관리자만 서명할 수 있습니다",
            )
        with _transaction(self.db):
            self.db.execute(
                f"UPDATE corrections SET {column} = ? WHERE id = ?",
                (signature.to_json(), correction_id),
            )
        signed = self.db.execute(
            "SELECT * FROM corrections WHERE id = ?", (correction_id,)
        ).fetchone()
        if signed["worker_signature"] is not None and signed["employer_signature"] is not None:
            document = json.loads(signed["document"])
            body = {
                "kind": RecordKind.CORRECTION.value,
                "start": document["start"],
                "end": document["end"],
                "reason": document["reason"],
                "digest": signed["digest"],
                "sigs": [
                    hashlib.sha256(bytes(signed["worker_signature"])).hexdigest(),
                    hashlib.sha256(bytes(signed["employer_signature"])).hexdigest(),
                ],
            }
            record = self._append_one(terms, date.fromisoformat(signed["day"]), body)
            with _transaction(self.db):
                self.db.execute(
                    "UPDATE corrections SET record_id = ? WHERE id = ?", (record.id, correction_id)
                )
        return self.correction(actor, correction_id)

    # Reading.

    def shifts(self, contract_id: str, start: date, end: date) -> list[Shift]:
        """The contract's completed shifts on the Seoul days ``start`` to ``end`` inclusive:
        the API the wage statement is computed from. A day with a clock-in and no clock-out
        (and no correction) is not a shift yet."""
        terms = self._contract(contract_id)
        if terms is None:
            raise _not_found()
        by_day: dict[date, list[AttendanceRecord]] = {}
        for record in self._records(contract_id, start, end):
            by_day.setdefault(record.day, []).append(record)
        shifts = []
        for day in sorted(by_day):
            shift = self._shift(terms, day, by_day[day])
            if shift is not None:
                shifts.append(shift)
        return shifts

    def timesheet(self, actor: Account, contract_id: str, year: int, month: int) -> Timesheet:
        """The month's timesheet, for the contract's worker or its employer's staff."""
        terms = self._visible_contract(actor, contract_id)
        first, last = month_bounds(year, month)
        return build_timesheet(
            terms,
            year,
            month,
            self._records(contract_id, first, last),
            self.shifts(contract_id, first, last),
        )

    def timesheet_pdf(
        self, actor: Account, contract_id: str, year: int, month: int, lang: Lang = "ko"
    ) -> bytes:
        sheet = self.timesheet(actor, contract_id, year, month)
        terms = self._visible_contract(actor, contract_id)
        return timesheet_pdf(sheet, terms.workplace, created_at=self.clock(), lang=lang)

    def records(
        self, actor: Account, contract_id: str, start: date, end: date
    ) -> list[AttendanceRecord]:
        self._visible_contract(actor, contract_id)
        return self._records(contract_id, start, end)

    def day_records(self, contract_id: str, day: date) -> list[AttendanceRecord]:
        return self._day_records(contract_id, day)

    def contract_terms(self, actor: Account, contract_id: str) -> ContractTerms:
        """The contract as attendance sees it, for its worker or employer staff only."""
        return self._visible_contract(actor, contract_id)

    def employer_view(self, actor: Account, contract_id: str) -> ContractTerms:
        return self._employer_contract(actor, contract_id)

    def locations(
        self, actor: Account, contract_id: str, start: date, end: date
    ) -> dict[str, SeenLocation]:
        """The locations kept with the contract's scans on the Seoul days ``start`` to ``end``,
        by record id, for its worker or employer staff; each read is in the vault's access log.
        A location the worker had erased is simply absent."""
        self._visible_contract(actor, contract_id)
        rows = self.db.execute(
            "SELECT organization_id, seq, data, location_ref FROM records WHERE contract_id = ? "
            "AND day BETWEEN ? AND ? AND location_ref IS NOT NULL ORDER BY seq",
            (contract_id, start.isoformat(), end.isoformat()),
        ).fetchall()
        seen: dict[str, SeenLocation] = {}
        for row in rows:
            try:
                kept = self.vault.get(row["location_ref"], actor=actor.did, purpose=LOCATION_REVIEW)
            except Erased:
                continue
            latitude, longitude = float(kept["lat"]), float(kept["lon"])
            site = json.loads(row["data"]).get("worksite")
            registered = self.worksite_position(site) if site else None
            distance = (
                round(
                    distance_metres(latitude, longitude, registered.latitude, registered.longitude)
                )
                if registered is not None
                else None
            )
            seen[record_id(row["organization_id"], row["seq"])] = SeenLocation(
                latitude=latitude,
                longitude=longitude,
                accuracy_metres=int(kept["acc"]) if "acc" in kept else None,
                distance_metres=distance,
                far=distance is not None and distance > self.policy.location_far_metres,
            )
        return seen

    def record(self, record_id_: str) -> AttendanceRecord:
        organization_id, seq = _parse_record_id(record_id_)
        row = self.db.execute(
            "SELECT organization_id, seq, data FROM records WHERE organization_id = ? AND seq = ?",
            (organization_id, seq),
        ).fetchone()
        if row is None:
            raise NotFound("no such attendance record", "그런 출퇴근 기록이 없습니다")
        return self._from_row(row)

    # Sealing, audit and proofs.

    def seal_due(self) -> list[Batch]:
        """Seal every organization whose pending records reached the batch size or age."""
        now = self.clock()
        due = []
        for row in self.db.execute(
            "SELECT organization_id, next_seq, sealed_seq FROM sequences WHERE next_seq - 1 > "
            "sealed_seq"
        ).fetchall():
            pending = row["next_seq"] - 1 - row["sealed_seq"]
            oldest = self._record_at(row["organization_id"], row["sealed_seq"] + 1)
            if (
                pending >= self.batch_max_records
                or (now - oldest).total_seconds() >= self.batch_max_seconds
            ):
                due.append(row["organization_id"])
        return self.seal(due)

    def seal(self, organization_ids: Iterable[str] | None = None) -> list[Batch]:
        """Seal the pending records of the named organizations (all when None) into batches of
        at most ``batch_max_records``, one ledger entry each, submitted together."""
        if organization_ids is None:
            organization_ids = [
                row[0]
                for row in self.db.execute(
                    "SELECT organization_id FROM sequences WHERE next_seq - 1 > sealed_seq"
                ).fetchall()
            ]
        planned: list[tuple[str, int, int, bytes, bytes]] = []
        for organization_id in organization_ids:
            state = self.db.execute(
                "SELECT next_seq, sealed_seq FROM sequences WHERE organization_id = ?",
                (organization_id,),
            ).fetchone()
            if state is None:
                continue
            did = self.organization_did(organization_id)
            kid_key = self.signer(did)
            first = state["sealed_seq"] + 1
            last = state["next_seq"] - 1
            while first <= last:
                upto = min(last, first + self.batch_max_records - 1)
                rows = self.db.execute(
                    "SELECT data FROM records WHERE organization_id = ? AND seq BETWEEN ? AND ? "
                    "ORDER BY seq",
                    (organization_id, first, upto),
                ).fetchall()
                leaves = [bytes(row[0]) for row in rows]
                root = merkle.root(leaves)
                body = BatchSealed(
                    organization=did,
                    first_seq=first,
                    count=len(leaves),
                    first_at=json.loads(leaves[0])["at"],
                    last_at=json.loads(leaves[-1])["at"],
                    root=root.hex(),
                )
                entry = sign_entry(
                    BATCH_SEALED.name,
                    body.model_dump(),
                    [kid_key],
                    version=BATCH_SEALED.version,
                    at=self.clock(),
                )
                planned.append((organization_id, first, len(leaves), root, entry))
                first = upto + 1
        if not planned:
            return []
        receipts = self.submit_many([p[4] for p in planned])
        batches = []
        with _transaction(self.db):
            for (organization_id, first, count, root, _), receipt in zip(
                planned, receipts, strict=True
            ):
                if isinstance(receipt, BlockcityError):
                    raise receipt
                self.db.execute(
                    "INSERT INTO batches (organization_id, first_seq, count, root, ledger_index, "
                    "sealed_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (organization_id, first, count, root, receipt.index, _time(self.clock())),
                )
                self.db.execute(
                    "UPDATE sequences SET sealed_seq = ? WHERE organization_id = ?",
                    (first + count - 1, organization_id),
                )
                batches.append(Batch(organization_id, first, count, root, receipt.index))
        return batches

    def audit(self) -> AuditReport:
        """Recompute every batch root from the stored records and compare it with the ledger;
        then check the records not sealed yet. Names the first bad record it can."""
        ledger_batches: dict[str, list[tuple[int, BatchSealed]]] = {}
        for _, index, entry_type in self.ledger.store.entry_ids():
            if entry_type != BATCH_SEALED.name:
                continue
            body = BatchSealed.model_validate(json.loads(self.ledger.entry(index).data)["body"])
            stored = self.db.execute(
                "SELECT organization_id FROM batches WHERE ledger_index = ?", (index,)
            ).fetchone()
            if stored is None:
                return _bad(
                    0,
                    0,
                    f"ledger entry {index} seals a batch this database no longer holds: its "
                    "records were erased",
                    f"원장 항목 {index}가 봉인한 묶음이 데이터베이스에 없습니다. "
                    "기록이 지워졌습니다",
                    None,
                )
            ledger_batches.setdefault(stored[0], []).append((index, body))
        organizations = [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT organization_id FROM records ORDER BY organization_id"
            ).fetchall()
        ]
        batches = records = 0
        for organization_id in sorted(set(organizations) | set(ledger_batches)):
            expected = 1
            last_at = ""
            for index, body in sorted(ledger_batches.get(organization_id, []), key=_first_seq):
                if body.first_seq != expected:
                    return _bad(
                        batches,
                        records,
                        f"ledger entry {index} seals records from #{body.first_seq}, but the "
                        f"previous batch ended before #{expected}",
                        f"원장 항목 {index}의 묶음이 #{body.first_seq}부터인데 앞 묶음은 "
                        f"#{expected} 앞에서 끝났습니다",
                        record_id(organization_id, expected),
                    )
                rows = self._audit_rows(organization_id, body.first_seq, body.count)
                problem = self._check_rows(organization_id, body.first_seq, body.count, rows)
                if problem is not None:
                    return _bad(batches, records, *problem)
                leaves = [bytes(row["data"]) for row in rows]
                if merkle.root(leaves).hex() != body.root:
                    return _bad(
                        batches,
                        records,
                        f"the records of ledger entry {index} no longer give its Merkle root",
                        f"원장 항목 {index}의 기록들이 그 머클 루트와 맞지 않습니다",
                        record_id(organization_id, body.first_seq),
                    )
                if json.loads(leaves[0])["at"] != body.first_at or (
                    json.loads(leaves[-1])["at"] != body.last_at
                ):
                    return _bad(
                        batches,
                        records,
                        f"the times of ledger entry {index}'s records differ from the ledger's",
                        f"원장 항목 {index}의 기록 시각이 원장과 다릅니다",
                        record_id(organization_id, body.first_seq),
                    )
                batches += 1
                records += body.count
                expected = body.first_seq + body.count
                last_at = body.last_at
            pending = self.db.execute(
                "SELECT * FROM records WHERE organization_id = ? AND seq >= ? ORDER BY seq",
                (organization_id, expected),
            ).fetchall()
            problem = self._check_rows(organization_id, expected, len(pending), pending)
            if problem is not None:
                return _bad(batches, records, *problem)
            for row in pending:
                at = json.loads(row["data"])["at"]
                if at < last_at:
                    return _bad(
                        batches,
                        records,
                        f"record {record_id(organization_id, row['seq'])} is dated {at}, "
                        f"before the last sealed batch ({last_at}): it was back-dated",
                        f"기록 {record_id(organization_id, row['seq'])}의 시각 {at}이 마지막 "
                        f"봉인 묶음({last_at})보다 앞섭니다. 소급 기록입니다",
                        record_id(organization_id, row["seq"]),
                    )
                last_at = at
            records += len(pending)
        return AuditReport(True, batches, records)

    def _audit_rows(self, organization_id: str, first: int, count: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM records WHERE organization_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (organization_id, first, first + count - 1),
        ).fetchall()

    def _check_rows(
        self, organization_id: str, first: int, count: int, rows: Sequence[sqlite3.Row]
    ) -> tuple[str, str, str] | None:
        """The first missing, altered or misfiled record among ``rows`` (records ``first`` to
        ``first + count - 1``), as (English, Korean, record id)."""
        for offset in range(count):
            seq = first + offset
            rid = record_id(organization_id, seq)
            row = rows[offset] if offset < len(rows) else None
            if row is None or row["seq"] != seq:
                return (
                    f"record {rid} is missing: it was erased",
                    f"기록 {rid}이(가) 없습니다. 지워졌습니다",
                    rid,
                )
            data = bytes(row["data"])
            if not hmac.compare_digest(self._mac(data), bytes(row["mac"])):
                return (
                    f"record {rid} was changed or inserted after it was made",
                    f"기록 {rid}이(가) 만들어진 뒤 바뀌었거나 끼워 넣어졌습니다",
                    rid,
                )
            leaf = json.loads(data)
            if (leaf["org"], leaf["seq"], leaf["contract"], leaf["day"]) != (
                organization_id,
                seq,
                row["contract_id"],
                row["day"],
            ):
                return (
                    f"record {rid} is filed under another contract, day or number than it says",
                    f"기록 {rid}이(가) 내용과 다른 계약·날짜·번호로 저장되어 있습니다",
                    rid,
                )
        return None

    def record_proof(self, record_id_: str) -> dict[str, Any]:
        """The record, its inclusion in its batch and the batch entry's ledger anchor: what a
        dispute bundle embeds and ``verify_record_proof`` checks offline. A pending record's
        batch is sealed first."""
        organization_id, seq = _parse_record_id(record_id_)
        record = self.record(record_id_)
        batch = self._batch_of(organization_id, seq)
        if batch is None:
            self.seal([organization_id])
            batch = self._batch_of(organization_id, seq)
            if batch is None:
                raise NotFound("no such attendance record", "그런 출퇴근 기록이 없습니다")
        rows = self.db.execute(
            "SELECT data FROM records WHERE organization_id = ? AND seq BETWEEN ? AND ? "
            "ORDER BY seq",
            (organization_id, batch.first_seq, batch.first_seq + batch.count - 1),
        ).fetchall()
        tree = merkle.MemoryTree(merkle.leaf_hash(bytes(row[0])) for row in rows)
        leaf_index = seq - batch.first_seq
        path = merkle.inclusion_proof(leaf_index, tree.size, tree.get)
        return {
            "type": PROOF_TYPE,
            "record": b64url_encode(record.data),
            "leafIndex": leaf_index,
            "batchSize": batch.count,
            "inclusionProof": [h.hex() for h in path],
            "batchEntry": Anchor.of(self.ledger, batch.ledger_index).to_dict(),
        }

    def close(self) -> None:
        self.db.close()

    # Internals.

    def _ingest(
        self,
        scans: Sequence[Scan],
        commitments: Sequence[str | None],
        location_refs: Sequence[str | None],
    ) -> list[AttendanceRecord | BlockcityError]:
        now = self.clock().replace(microsecond=0)
        results: list[AttendanceRecord | BlockcityError | None] = []
        accepted: list[tuple[int, ContractTerms, date, dict[str, Any], str | None]] = []
        open_days: dict[str, date | None] = {}
        for slot, scan in enumerate(scans):
            try:
                terms, day, body = self._check_scan(scan, now, open_days)
            except BlockcityError as exc:
                results.append(exc)
                continue
            if commitments[slot] is not None:
                body["loc"] = commitments[slot]
            accepted.append((slot, terms, day, body, location_refs[slot]))
            results.append(None)
        with _transaction(self.db):
            made = self._insert_many([(t, d, b, r) for _, t, d, b, r in accepted], now)
        for (slot, *_), record in zip(accepted, made, strict=True):
            results[slot] = record
        self.seal_due()
        return [r for r in results if r is not None]

    def _check_scan(
        self, scan: Scan, now: datetime, open_days: dict[str, date | None]
    ) -> tuple[ContractTerms, date, dict[str, Any]]:
        terms = self._contract(scan.contract_id)
        if terms is None or terms.worker_did != scan.worker_did:
            raise _not_found()
        if scan.kind not in (RecordKind.CLOCK_IN, RecordKind.CLOCK_OUT):
            raise InvalidInput("a scan clocks in or out", "QR 스캔은 출근이나 퇴근입니다")
        site = self.check_code(scan.worksite, scan.window, scan.code)
        if site.organization_id != terms.organization_id or site.label != terms.workplace:
            raise WorksiteCodeInvalid(
                "this QR code belongs to another worksite than your contract's",
                "이 QR 코드는 계약서의 근무장소가 아닌 다른 사업장의 것입니다",
            )
        device_at = scan.device_at.astimezone(UTC).replace(microsecond=0)
        skew = timedelta(seconds=self.policy.device_clock_skew_seconds)
        if device_at > now + skew:
            raise WindowMismatch(
                "the phone's clock is ahead of the server's; set it to network time",
                "휴대전화 시계가 서버보다 빠릅니다. 네트워크 시간으로 맞추세요",
            )
        if not qr.scanned_in_time(scan.window, device_at, self.policy):
            raise WindowMismatch(
                "the QR code shown was not current at the phone's scan time; scan the code "
                "on the display now",
                "QR 코드가 휴대전화의 스캔 시각에 표시되던 것이 아닙니다. 지금 화면의 코드를 "
                "찍으세요",
            )
        delay = now - device_at
        if delay > timedelta(days=self.policy.max_offline_days):
            raise AttendanceConflict(
                f"this scan waited more than {self.policy.max_offline_days} days on the "
                "phone; ask the employer for a correction instead",
                f"이 기록은 휴대전화에 {self.policy.max_offline_days}일 넘게 머물렀습니다. "
                "사용자에게 정정을 요청하세요",
            )
        flags = []
        if delay > timedelta(minutes=self.policy.late_sync_minutes):
            flags.append(Flag.LATE_SYNC.value)
        day = seoul_day(device_at)
        if scan.kind is RecordKind.CLOCK_OUT:
            day = open_days.pop(scan.contract_id, None) or self._open_day(terms, device_at) or day
        else:
            open_days[scan.contract_id] = day
        period = terms.period
        if period is not None and (day < period.start or (period.end and day > period.end)):
            raise AttendanceConflict(
                f"{day} is outside the contract's period; scans count only while it runs",
                f"{day}은(는) 계약기간 밖입니다. 계약기간 중에만 출퇴근을 기록합니다",
            )
        body: dict[str, Any] = {
            "kind": scan.kind.value,
            "device_at": _time(device_at),
            "worksite": scan.worksite,
            "window": scan.window,
        }
        if flags:
            body["flags"] = flags
        return terms, day, body

    def _open_day(self, terms: ContractTerms, device_at: datetime) -> date | None:
        """The day of the last clock-in without a clock-out within a day before ``device_at``:
        a clock-out after midnight belongs to the shift it ends. Remembered from this
        process's own inserts; read from the store after a restart."""
        remembered = self._open_shifts.get(terms.contract_id)
        if remembered is not None and (seoul_day(device_at) - remembered).days <= 1:
            return remembered
        since = seoul_day(device_at - timedelta(hours=24))
        open_day = None
        for record in self._records(terms.contract_id, since, seoul_day(device_at)):
            if record.kind is RecordKind.CLOCK_IN and record.device_at <= device_at:
                open_day = record.day
            elif record.kind is RecordKind.CLOCK_OUT:
                open_day = None
        return open_day

    def _append_one(
        self, terms: ContractTerms, day: date, body: dict[str, Any]
    ) -> AttendanceRecord:
        now = self.clock().replace(microsecond=0)
        body.setdefault("device_at", _time(now))
        with _transaction(self.db):
            (record,) = self._insert_many([(terms, day, body, None)], now)
        self.seal_due()
        return record

    def _insert_many(
        self,
        items: Sequence[tuple[ContractTerms, date, dict[str, Any], str | None]],
        now: datetime,
    ) -> list[AttendanceRecord]:
        """Number, encode and store ``items`` inside the caller's transaction: each
        organization's sequence is read once and written once per call."""
        next_seq: dict[str, int] = {}
        rows = []
        made = []
        stamp = _time(now)
        for terms, day, body, location_ref in items:
            organization_id = terms.organization_id
            seq = next_seq.get(organization_id)
            if seq is None:
                state = self.db.execute(
                    "SELECT next_seq FROM sequences WHERE organization_id = ?", (organization_id,)
                ).fetchone()
                if state is None:
                    self.db.execute(
                        "INSERT INTO sequences (organization_id, next_seq, sealed_seq) "
                        "VALUES (?, 1, 0)",
                        (organization_id,),
                    )
                seq = state[0] if state is not None else 1
            next_seq[organization_id] = seq + 1
            leaf = {
                **body,
                "v": 1,
                "org": organization_id,
                "seq": seq,
                "contract": terms.contract_id,
                "worker": terms.worker_did,
                "day": day.isoformat(),
                "at": stamp,
            }
            data = canonical_json(leaf)
            rows.append(
                (
                    organization_id,
                    seq,
                    terms.contract_id,
                    leaf["day"],
                    data,
                    self._mac(data),
                    location_ref,
                )
            )
            made.append(_record(leaf, data, None))
            if body["kind"] == RecordKind.CLOCK_IN.value:
                self._open_shifts[terms.contract_id] = day
            elif body["kind"] == RecordKind.CLOCK_OUT.value:
                self._open_shifts.pop(terms.contract_id, None)
        self.db.executemany(
            "INSERT INTO records (organization_id, seq, contract_id, day, data, mac, "
            "location_ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.db.executemany(
            "UPDATE sequences SET next_seq = ?, last_at = ? WHERE organization_id = ?",
            [(seq, stamp, organization_id) for organization_id, seq in next_seq.items()],
        )
        return made

    def _mac(self, data: bytes) -> bytes:
        return hmac.digest(self._mac_key, data, hashlib.sha256)[:16]

    def _store_location(self, worker: Account, location: Location) -> tuple[str, str]:
        places = self.policy.location_decimals
        rounded = {
            "lat": f"{round(location.latitude, places):.{places}f}",
            "lon": f"{round(location.longitude, places):.{places}f}",
        }
        if location.accuracy_metres is not None:
            # Whole metres rounded up: a phone's radius is never better than it says.
            rounded["acc"] = str(math.ceil(location.accuracy_metres))
        ref = self.vault.put(worker.id, LOCATION_KIND, rounded)
        commitment = self.vault.record(ref).commitment
        assert commitment is not None  # a record just written is not erased
        return ref, commitment

    def _shift(
        self, terms: ContractTerms, day: date, records: list[AttendanceRecord]
    ) -> Shift | None:
        corrections = [r for r in records if r.kind is RecordKind.CORRECTION]
        if corrections:
            latest = corrections[-1]
            assert latest.start is not None and latest.end is not None
            start, end, corrected = latest.start, latest.end, True
            confirmed = True
        else:
            ins = [r.device_at for r in records if r.kind is RecordKind.CLOCK_IN]
            outs = [r.device_at for r in records if r.kind is RecordKind.CLOCK_OUT]
            if not ins or not outs or max(outs) <= min(ins):
                return None
            start, end, corrected = min(ins), max(outs), False
            last_scan = max(r.seq for r in records if r.kind is not RecordKind.CONFIRMATION)
            confirmed = any(
                r.kind is RecordKind.CONFIRMATION and r.seq > last_scan for r in records
            )
        return Shift(
            day=day,
            start=start,
            end=end,
            break_minutes=self._break_minutes(terms, day, start, end),
            confirmed=confirmed,
            corrected=corrected,
        )

    def _break_minutes(
        self, terms: ContractTerms, day: date, start: datetime, end: datetime
    ) -> int:
        """The contract's break for that weekday; on a day outside the schedule, the statutory
        minimum for the time spent (LSA Art. 54), since the law presumes it was given."""
        span = int((end - start).total_seconds()) // 60
        scheduled = terms.days.get(_WEEKDAYS[day.weekday()])
        if scheduled is not None and scheduled.break_minutes is not None:
            minutes = scheduled.break_minutes
        else:
            minutes = required_break_minutes(span, LaborRules.for_year(day.year))
        return min(minutes, max(span - 1, 0))

    def _records(self, contract_id: str, start: date, end: date) -> list[AttendanceRecord]:
        rows = self.db.execute(
            "SELECT organization_id, seq, data FROM records WHERE contract_id = ? AND day "
            "BETWEEN ? AND ? ORDER BY seq",
            (contract_id, start.isoformat(), end.isoformat()),
        ).fetchall()
        return [self._from_row(row) for row in rows]

    def _day_records(self, contract_id: str, day: date) -> list[AttendanceRecord]:
        return self._records(contract_id, day, day)

    def _from_row(self, row: sqlite3.Row) -> AttendanceRecord:
        data = bytes(row["data"])
        batch = self._batch_of(row["organization_id"], row["seq"])
        return _record(json.loads(data), data, batch.ledger_index if batch else None)

    def _batch_of(self, organization_id: str, seq: int) -> Batch | None:
        row = self.db.execute(
            "SELECT * FROM batches WHERE organization_id = ? AND first_seq <= ? "
            "ORDER BY first_seq DESC LIMIT 1",
            (organization_id, seq),
        ).fetchone()
        if row is None or seq >= row["first_seq"] + row["count"]:
            return None
        return Batch(
            row["organization_id"],
            row["first_seq"],
            row["count"],
            row["root"],
            row["ledger_index"],
        )

    def _record_at(self, organization_id: str, seq: int) -> datetime:
        row = self.db.execute(
            "SELECT data FROM records WHERE organization_id = ? AND seq = ?",
            (organization_id, seq),
        ).fetchone()
        return _parse_time(json.loads(row[0])["at"]) if row is not None else self.clock()

    def _contract(self, contract_id: str) -> ContractTerms | None:
        cached = self._terms.get(contract_id)
        if cached is not None:
            return cached
        terms = self.contracts.terms(contract_id)
        if terms is not None:
            if len(self._terms) > 100_000:
                self._terms.clear()
            self._terms[contract_id] = terms
        return terms

    def forget_contract(self, contract_id: str) -> None:
        """Drop the cached terms of a contract that was amended or terminated."""
        self._terms.pop(contract_id, None)

    def _visible_contract(self, actor: Account, contract_id: str) -> ContractTerms:
        terms = self._contract(contract_id)
        if terms is None or not (
            actor.did == terms.worker_did or self._is_employer(actor, terms.organization_id)
        ):
            raise _not_found()
        return terms

    def _employer_contract(self, actor: Account, contract_id: str) -> ContractTerms:
        terms = self._contract(contract_id)
        if terms is None or not self._is_employer(actor, terms.organization_id):
            raise _not_found()
        return terms

    def _is_employer(self, actor: Account, organization_id: str) -> bool:
        return self.seoul_pass.organizations.role_of(actor.id, organization_id) in _EMPLOYER_ROLES

    def _require_employer(self, actor: Account, organization_id: str) -> None:
        if not self._is_employer(actor, organization_id):
            raise NotFound("no such organization", "그런 기관이 없습니다")

    def _worksite(self, organization_id: str, label: str) -> Worksite:
        row = self.db.execute(
            "SELECT id FROM worksites WHERE organization_id = ? AND label = ?",
            (organization_id, label),
        ).fetchone()
        if row is None:
            site_id = secrets.token_urlsafe(9)
            secret = secrets.token_bytes(32)
            with _transaction(self.db):
                self.db.execute(
                    "INSERT OR IGNORE INTO worksites (id, organization_id, label, secret, "
                    "created_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        site_id,
                        organization_id,
                        label,
                        self.master.seal(secret, _secret_purpose(site_id)),
                        _time(self.clock()),
                    ),
                )
            row = self.db.execute(
                "SELECT id FROM worksites WHERE organization_id = ? AND label = ?",
                (organization_id, label),
            ).fetchone()
        return Worksite(row["id"], organization_id, label)

    def _site(self, worksite_id: str) -> Worksite | None:
        known = self._sites.get(worksite_id)
        if known is not None:
            return known
        row = self.db.execute(
            "SELECT id, organization_id, label FROM worksites WHERE id = ?", (worksite_id,)
        ).fetchone()
        if row is None:
            return None
        site = Worksite(row["id"], row["organization_id"], row["label"])
        self._sites[worksite_id] = site
        return site

    def _secret(self, worksite_id: str) -> bytes:
        secret = self._secrets.get(worksite_id)
        if secret is None:
            row = self.db.execute(
                "SELECT secret FROM worksites WHERE id = ?", (worksite_id,)
            ).fetchone()
            if row is None:
                raise NotFound("no such worksite", "그런 사업장이 없습니다")
            secret = self.master.open(bytes(row[0]), _secret_purpose(worksite_id))
            self._secrets[worksite_id] = secret
        return secret

    def _sealed_meta(self, name: str) -> bytes:
        purpose = f"blockcity attendance {name}".encode()
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        if row is None:
            with _transaction(self.db):
                self.db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                    (name, self.master.seal(secrets.token_bytes(32), purpose)),
                )
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return self.master.open(bytes(row[0]), purpose)


def _first_seq(item: tuple[int, BatchSealed]) -> int:
    return item[1].first_seq


def _bad(batches: int, records: int, en: str, ko: str, rid: str | None) -> AuditReport:
    return AuditReport(False, batches, records, en, ko, rid)


def _location_purpose(worksite_id: str) -> str:
    """The consent register's purpose: locations at this one worksite (consent is per worker
    and per workplace)."""
    return f"{LOCATION_KIND}:{worksite_id}"


def _secret_purpose(worksite_id: str) -> bytes:
    return f"blockcity attendance worksite {worksite_id}".encode()


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT on an autocommit connection; ROLLBACK if the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _record(leaf: Mapping[str, Any], data: bytes, batch: int | None) -> AttendanceRecord:
    kind = RecordKind(leaf["kind"])
    return AttendanceRecord(
        id=record_id(leaf["org"], leaf["seq"]),
        seq=leaf["seq"],
        kind=kind,
        contract_id=leaf["contract"],
        organization_id=leaf["org"],
        worker_did=leaf["worker"],
        day=date.fromisoformat(leaf["day"]),
        at=_parse_time(leaf["at"]),
        device_at=_parse_time(leaf["device_at"]),
        window=leaf.get("window"),
        worksite=leaf.get("worksite"),
        location=leaf.get("loc"),
        flags=tuple(Flag(f) for f in leaf.get("flags", ())),
        start=_parse_time(leaf["start"]) if "start" in leaf else None,
        end=_parse_time(leaf["end"]) if "end" in leaf else None,
        reason=CorrectionReason(leaf["reason"]) if "reason" in leaf else None,
        digest=leaf.get("digest"),
        batch=batch,
        data=data,
    )


def _correction(row: sqlite3.Row) -> Correction:
    document = json.loads(row["document"])
    return Correction(
        id=row["id"],
        contract_id=row["contract_id"],
        day=date.fromisoformat(row["day"]),
        start=_parse_time(document["start"]),
        end=_parse_time(document["end"]),
        reason=CorrectionReason(document["reason"]),
        note=row["note"],
        digest=row["digest"],
        proposed_by=row["proposed_by"],
        worker_signed=row["worker_signature"] is not None,
        employer_signed=row["employer_signature"] is not None,
        record_id=row["record_id"],
    )
