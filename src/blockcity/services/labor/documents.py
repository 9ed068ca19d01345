"""The labour service's documents: the contract document both parties sign (canonical JSON and
its digest), the signed contract as a sealed PDF (LSA Art. 17: handed over at once), and the
career certificate (LSA Art. 39) as a PDF carrying its credential.

A certificate is issued by one employer for its own jobs, so several employers mean several
PDFs: each verifies on its own against the issuer that vouches for it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any
from zoneinfo import ZoneInfo

from blockcity.credentials.anchor import Anchor
from blockcity.credentials.service import Credentials, IssueRequest
from blockcity.credentials.verifier import pdf_digest_sri
from blockcity.crypto import canonical_json
from blockcity.documents import (
    Heading,
    KeyValueTable,
    Lang,
    Paragraph,
    PdfMetadata,
    QrCode,
    Section,
    build_pdf,
    seal_pdf,
)
from blockcity.errors import InvalidInput
from blockcity.identity.signing import SignatureKind, SignatureRecord
from blockcity.services.labor.check import weekly_contract_minutes
from blockcity.services.labor.model import (
    ContractDraft,
    PayCycle,
    PayMethod,
    StandardSchedule,
    WageKind,
    Weekday,
)
from blockcity.services.labor.records import Contract, PersonalDetails, TerminationReason
from blockcity.services.labor.rules import LaborRules

DOCUMENT_TYPE = "BlockcityLaborContract"
CONTRACT_ATTACHMENT = "contract.json"
CREDENTIAL_ATTACHMENT = "credential.json"
JSON_MEDIA_TYPE = "application/json"
CAREER_CERTIFICATE = "CareerCertificate"

CAREER_ITEMS = frozenset(
    {
        "employer",
        "period",
        "duties",
        "position",
        "workplace",
        "wage",
        "hours",
        "days_worked",
        "reason_for_leaving",
    }
)
"""What a worker may ask a certificate to state (LSA Art. 39(1), Decree Art. 19); it states
only those asked for (Art. 39(2))."""

_SEOUL = ZoneInfo("Asia/Seoul")
_WEEKDAY_ORDER = list(Weekday)


def contract_document(contract: Contract, rules: LaborRules) -> dict[str, Any]:
    """The document of ``contract`` as both parties sign it: public terms only, no personal
    details (those are entered when signing and committed to on the ledger)."""
    if contract.document is not None:
        return contract.document
    form = rules.forms[contract.draft.form]
    return {
        "type": DOCUMENT_TYPE,
        "v": 1,
        "contract_id": contract.id,
        "version": contract.version,
        "kind": contract.kind.value,
        "previous_digest": contract.previous_digest,
        "form": {"kind": form.kind.value, "title_ko": form.title_ko, "title_en": form.title_en},
        "employer": {
            "organization_id": contract.organization_id,
            "name": contract.employer_name,
            "did": contract.employer_did,
        },
        "worker": contract.worker_did,
        "terms": _terms(contract.draft),
        "termination_reason": (
            contract.termination_reason.value if contract.termination_reason else None
        ),
    }


def contract_digest(document: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the document's RFC 8785 form: what each Seoul Pass signature covers."""
    return sha256(canonical_json(dict(document))).hexdigest()


def _terms(draft: ContractDraft) -> dict[str, Any]:
    terms = draft.model_dump(mode="json", exclude_none=True)
    # A frozenset dumps in hash order, which changes between processes: the signed bytes must
    # not.
    if isinstance(draft.schedule, StandardSchedule):
        terms["schedule"]["workdays"] = [
            day.value for day in _WEEKDAY_ORDER if day in draft.schedule.workdays
        ]
    return terms


@dataclass(frozen=True, slots=True)
class Signatory:
    """Who signed, as the contract PDF prints it."""

    name: str
    record: SignatureRecord


def contract_pdf(
    contract: Contract,
    personal: PersonalDetails | None,
    signatures: Sequence[Signatory],
    anchor: Anchor,
    *,
    rules: LaborRules,
    public_url: str,
    copy_for: str,
    created_at: datetime,
) -> bytes:
    """The concluded contract in plain Korean (English labels second), every Art. 17 item,
    both signatures and the ledger record, sealed with the document, the signature records and
    the anchor attached. ``copy_for`` is "worker" or "employer": two copies, as on paper."""
    document = contract_document(contract, rules)
    digest = contract_digest(document)
    title = f"{document['form']['title_ko']} ({document['form']['title_en']})"
    copy_label = {
        "worker": "근로자 보관용 (worker's copy)",
        "employer": "사업주 보관용 (employer's copy)",
    }
    if copy_for not in copy_label:
        raise InvalidInput(
            "copy_for is 'worker' or 'employer'", "copy_for는 worker 또는 employer입니다"
        )
    sections: list[Section] = [
        Paragraph(f"{copy_label[copy_for]} · 계약번호 {contract.id} · 제{contract.version}판"),
        Heading("당사자 (Parties)"),
        KeyValueTable(_party_rows(contract, personal)),
        Heading("근로조건 (Terms of employment)"),
        KeyValueTable(tuple(_term_rows(contract, personal))),
        Heading("서명 (Signatures)"),
        KeyValueTable(tuple(_signature_row(contract, s) for s in signatures)),
        Heading("원장 기록 (Ledger record)"),
        Paragraph(
            f"이 계약서의 SHA-256 값 {digest}은(는) 서울 블록체인 원장 {anchor.index}번 항목에 "
            f"기록되었습니다 (트리 크기 {anchor.tree_size}).\n"
            f"The digest of this contract is entry {anchor.index} of the city ledger."
        ),
        QrCode(
            f"{public_url.rstrip('/')}/verify/contract/{digest}",
            "QR 코드로 원장 기록을 확인하세요 (Scan to check the ledger record)",
        ),
    ]
    base = build_pdf(
        title,
        sections,
        created_at=created_at,
        lang="ko",
        metadata=PdfMetadata(subject="근로계약서", keywords=("근로계약", contract.id)),
        footer=f"근로기준법 제17조에 따라 교부 · {digest[:16]}",
    )
    attachment = {
        "type": DOCUMENT_TYPE + "Bundle",
        "version": 1,
        "document": document,
        "signatures": [s.record.to_dict() for s in signatures],
        "anchor": anchor.to_dict(),
    }
    return seal_pdf(base, CONTRACT_ATTACHMENT, canonical_json(attachment), JSON_MEDIA_TYPE)


def _party_rows(
    contract: Contract, personal: PersonalDetails | None
) -> tuple[tuple[str, str], ...]:
    rows = [
        ("사용자 (Employer)", contract.employer_name),
        ("사용자 DID", contract.employer_did),
    ]
    if personal is not None:
        rows += [
            ("근로자 (Worker)", personal.name),
            ("생년월일 (Birth date)", personal.birth_date.isoformat()),
            ("연락처 (Phone)", _phone(personal.phone)),
        ]
    rows.append(("근로자 DID", contract.worker_did))
    return tuple(rows)


def term_rows(contract: Contract) -> tuple[tuple[str, str], ...]:
    """The terms exactly as the contract PDF states them (without personal details), for pages
    that show the contract before it is signed."""
    return tuple(_term_rows(contract, None))


def _phone(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def _won(amount: int) -> str:
    return f"{amount:,}원"


_WAGE_KO = {WageKind.HOURLY: "시급", WageKind.DAILY: "일급", WageKind.MONTHLY: "월급"}


def _term_rows(contract: Contract, personal: PersonalDetails | None) -> Iterable[tuple[str, str]]:
    draft = contract.draft
    if draft.programme is not None:
        yield "참여 사업명 (Programme)", draft.programme
    if draft.period is not None:
        end = (
            draft.period.end.isoformat() if draft.period.end else "기간의 정함 없음 (no fixed term)"
        )
        yield "근로계약기간 (Period)", f"{draft.period.start.isoformat()} ~ {end}"
    if draft.workplace is not None:
        yield "근무장소 (Place of work)", draft.workplace
    if draft.duties is not None:
        yield "업무의 내용 (Duties)", draft.duties
    if draft.schedule is not None:
        lines = [
            f"{day.label_ko} {work.start:%H:%M}~{work.end:%H:%M}"
            + (f" (휴게 {work.break_minutes}분)" if work.break_minutes is not None else "")
            for day, work in draft.schedule.days().items()
        ]
        weekly = weekly_contract_minutes(draft.schedule.days())
        lines.append(f"주 {weekly // 60}시간 {weekly % 60}분 (weekly)")
        yield "소정근로시간 (Working hours)", "\n".join(lines)
    if draft.weekly_holiday is not None:
        yield "주휴일 (Weekly holiday)", f"매주 {draft.weekly_holiday.label_ko}"
    if draft.wage is not None:
        yield "임금 (Wage)", f"{_WAGE_KO[draft.wage.kind]} {_won(draft.wage.amount)}"
    if draft.bonus is not None:
        bonus = f"있음 {_won(draft.bonus.amount)}" if draft.bonus.amount else "없음"
        yield "상여금 (Bonus)", bonus
    if draft.allowances is not None:
        listed = ", ".join(f"{a.name} {_won(a.amount)}" for a in draft.allowances) or "없음"
        yield "기타 수당 (Allowances)", listed
    if draft.pay_day is not None:
        pay = draft.pay_day
        when = {
            PayCycle.MONTHLY: f"매월 {pay.day_of_month}일",
            PayCycle.WEEKLY: f"매주 {pay.weekday.label_ko if pay.weekday else ''}",
            PayCycle.DAILY: "매일",
        }[pay.cycle]
        yield "임금지급일 (Pay day)", when
    if draft.pay_method is not None:
        method = (
            "근로자에게 직접 지급"
            if draft.pay_method is PayMethod.DIRECT
            else "근로자 명의 예금통장에 입금"
        )
        if draft.pay_method is PayMethod.ACCOUNT and personal is not None:
            account = f"{personal.bank_name} {personal.account_number}"
            method += f" ({account}, 예금주 {personal.account_holder})"
        yield "지급방법 (Payment)", method
    if draft.annual_leave is not None:
        yield "연차유급휴가 (Annual leave)", draft.annual_leave
    if draft.social_insurance is not None:
        insurance = draft.social_insurance
        covered = [
            name
            for name, on in (
                ("고용보험", insurance.employment),
                ("산재보험", insurance.industrial_accident),
                ("국민연금", insurance.national_pension),
                ("건강보험", insurance.health),
            )
            if on
        ]
        yield "사회보험 (Social insurance)", ", ".join(covered) or "해당 없음"
    if draft.excess_hours_premium_percent is not None:
        yield "초과근로 가산임금률 (Excess hours premium)", f"{draft.excess_hours_premium_percent}%"
    if draft.guardian_consent:
        yield "친권자 동의서 (Guardian consent)", "제출"
    if draft.family_relation_certificate:
        yield "가족관계증명서 (Family relation certificate)", "제출"
    if contract.termination_reason is not None:
        reason = contract.termination_reason
        yield "종료 사유 (Reason for ending)", f"{reason.label_ko} ({reason.label_en})"


def _signature_row(contract: Contract, signatory: Signatory) -> tuple[str, str]:
    record = signatory.record
    role = "근로자 (Worker)" if record.signer == contract.worker_did else "사용자 (Employer)"
    method = (
        "패스키 (passkey)"
        if record.kind is SignatureKind.PASSKEY
        else "서울패스 보관 키 (custodial key)"
    )
    when = record.signed_at.astimezone(_SEOUL).strftime("%Y-%m-%d %H:%M:%S KST")
    return f"{role} 서명", f"{signatory.name} · {when} · {method}"


@dataclass(frozen=True, slots=True)
class Job:
    """One concluded contract as a certificate sees it: its latest concluded version."""

    contract: Contract
    rules: LaborRules


def career_certificate(
    credentials: Credentials,
    issuer_kid: str,
    worker_name: str,
    jobs: Sequence[Job],
    items: frozenset[str],
    lang: Lang,
    *,
    public_url: str,
    created_at: datetime,
) -> tuple[bytes, str]:
    """A certificate of employment (LSA Art. 39) for ``jobs`` at one employer, stating only
    ``items``: the base PDF is rendered first with the QR code of the credential id chosen
    upfront, then the credential vouching for that PDF's digest is issued and sealed into it.
    Returns the PDF and the credential id."""
    unknown = items - CAREER_ITEMS
    if unknown or not items:
        raise InvalidInput(
            f"choose certificate items among {sorted(CAREER_ITEMS)}; unknown: {sorted(unknown)}",
            f"증명서 항목은 {sorted(CAREER_ITEMS)} 중에서 고르세요. "
            f"알 수 없는 항목: {sorted(unknown)}",
        )
    if "days_worked" in items:
        raise InvalidInput(
            "days worked can be certified once attendance is recorded; it is not yet, so leave "
            "that item out",
            "근무 일수는 출퇴근 기록이 생긴 뒤에 증명할 수 있습니다. 아직 기록이 없으니 그 항목을 "
            "빼 주세요",
        )
    if not jobs or len({job.contract.employer_did for job in jobs}) != 1:
        raise InvalidInput(
            "a certificate covers the jobs of one employer; ask for one certificate per employer",
            "증명서 한 장은 한 사용자의 근무만 담습니다. 사용자마다 따로 발급받으세요",
        )
    first = jobs[0].contract
    claims: dict[str, Any] = {"jobs": [_job_claims(job, items) for job in jobs]}
    if "employer" in items:
        claims["employer"] = {"id": first.employer_did, "name": first.employer_name}
    unique = str(uuid.uuid4())
    credential_id = f"urn:uuid:{unique}"
    base = build_pdf(
        "사용증명서 (Certificate of employment)" if lang == "ko" else "Certificate of employment",
        _certificate_sections(worker_name, first.worker_did, claims, lang, public_url, unique),
        created_at=created_at,
        lang=lang,
        metadata=PdfMetadata(subject="사용증명서", keywords=("경력증명", CAREER_CERTIFICATE)),
        footer="근로기준법 제39조 · " + credential_id,
    )
    issued = credentials.issue(
        IssueRequest(
            issuer_kid,
            CAREER_CERTIFICATE,
            first.worker_did,
            claims,
            related=[
                {
                    "id": f"{credential_id}#pdf",
                    "mediaType": "application/pdf",
                    "digestSRI": pdf_digest_sri(base),
                }
            ],
            credential_id=credential_id,
        )
    )
    bundle = json.dumps(credentials.bundle(issued.id), ensure_ascii=False).encode()
    return seal_pdf(base, CREDENTIAL_ATTACHMENT, bundle, JSON_MEDIA_TYPE), issued.id


def _job_claims(job: Job, items: frozenset[str]) -> dict[str, Any]:
    draft = job.contract.draft
    claims: dict[str, Any] = {}
    if "period" in items and draft.period is not None:
        claims["period"] = {
            "start": draft.period.start.isoformat(),
            **({"end": draft.period.end.isoformat()} if draft.period.end else {}),
        }
    if "duties" in items and draft.duties is not None:
        claims["duties"] = draft.duties
    if "position" in items:
        form = job.rules.forms[draft.form]
        claims["position"] = {"ko": form.title_ko, "en": form.title_en}
    if "workplace" in items and draft.workplace is not None:
        claims["workplace"] = draft.workplace
    if "wage" in items and draft.wage is not None:
        claims["wage"] = {
            "kind": draft.wage.kind.value,
            "amount": draft.wage.amount,
            "currency": "KRW",
        }
    if "hours" in items and draft.schedule is not None:
        claims["weeklyHoursMinutes"] = weekly_contract_minutes(draft.schedule.days())
    if "reason_for_leaving" in items and job.contract.termination_reason is not None:
        claims["reasonForLeaving"] = job.contract.termination_reason.value
    return claims


def _certificate_sections(
    worker_name: str,
    worker_did: str,
    claims: dict[str, Any],
    lang: Lang,
    public_url: str,
    unique: str,
) -> list[Section]:
    ko = lang == "ko"
    sections: list[Section] = [
        KeyValueTable(
            (
                ("성명" if ko else "Name", worker_name),
                ("DID", worker_did),
            )
        )
    ]
    employer = claims.get("employer")
    if employer is not None:
        sections.append(KeyValueTable((("사업장" if ko else "Employer", employer["name"]),)))
    for number, job in enumerate(claims["jobs"], start=1):
        sections.append(Heading(f"근무 {number}" if ko else f"Job {number}"))
        sections.append(KeyValueTable(tuple(_job_rows(job, ko))))
    sections.append(
        Paragraph(
            "위 사실을 증명합니다. 이 증명서는 근로자가 요청한 항목만 적습니다 "
            "(근로기준법 제39조 제2항)."
            if ko
            else "We certify the above. This certificate states only the items the worker asked "
            "for (Labor Standards Act Art. 39(2))."
        )
    )
    sections.append(
        QrCode(
            f"{public_url.rstrip('/')}/verify/c/{unique}",
            "QR 코드로 진위를 확인하세요" if ko else "Scan to verify this certificate",
        )
    )
    return sections


def _job_rows(job: Mapping[str, Any], ko: bool) -> Iterable[tuple[str, str]]:
    if "period" in job:
        end = job["period"].get("end", "재직 중" if ko else "current")
        yield ("근무기간" if ko else "Period"), f"{job['period']['start']} ~ {end}"
    if "position" in job:
        yield ("지위" if ko else "Position"), job["position"]["ko" if ko else "en"]
    if "duties" in job:
        yield ("업무" if ko else "Duties"), job["duties"]
    if "workplace" in job:
        yield ("근무장소" if ko else "Place of work"), job["workplace"]
    if "wage" in job:
        kind = WageKind(job["wage"]["kind"])
        label = _WAGE_KO[kind] if ko else kind.value
        yield ("임금" if ko else "Wage"), f"{label} {_won(job['wage']['amount'])}"
    if "weeklyHoursMinutes" in job:
        minutes = job["weeklyHoursMinutes"]
        text = (
            f"주 {minutes // 60}시간 {minutes % 60}분"
            if ko
            else f"{minutes // 60} h {minutes % 60} min a week"
        )
        yield ("소정근로시간" if ko else "Working hours"), text
    if "reasonForLeaving" in job:
        reason = TerminationReason(job["reasonForLeaving"])
        yield (
            ("퇴직 사유" if ko else "Reason for leaving"),
            reason.label_ko if ko else reason.label_en,
        )
