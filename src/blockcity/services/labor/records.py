"""What the labour contract service keeps: a contract version and its state, the worker's
personal details (which go to the vault, never to the ledger), and an invitation to sign.

A contract moves draft → sent → worker_signed → concluded, or sent → declined. An amendment or
a termination is a new version of the same contract that goes through the same states.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from blockcity.errors import InvalidInput
from blockcity.identity.signing import SignatureRecord
from blockcity.services.labor.check import ContractCheck
from blockcity.services.labor.entries import DeclineReason, VersionKind
from blockcity.services.labor.model import ContractDraft


class ContractState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    WORKER_SIGNED = "worker_signed"
    CONCLUDED = "concluded"
    DECLINED = "declined"


class TerminationReason(enum.StrEnum):
    """Why employment ends: a closed list, as a certificate's "reason for leaving" shows it."""

    CONTRACT_END = "contract_end"
    MUTUAL_AGREEMENT = "mutual_agreement"
    RESIGNATION = "resignation"
    DISMISSAL = "dismissal"

    @property
    def label_ko(self) -> str:
        return _TERMINATION_KO[self]

    @property
    def label_en(self) -> str:
        return _TERMINATION_EN[self]


_TERMINATION_KO = {
    TerminationReason.CONTRACT_END: "계약기간 만료",
    TerminationReason.MUTUAL_AGREEMENT: "합의 해지",
    TerminationReason.RESIGNATION: "자진 퇴사",
    TerminationReason.DISMISSAL: "해고",
}
_TERMINATION_EN = {
    TerminationReason.CONTRACT_END: "end of the contract term",
    TerminationReason.MUTUAL_AGREEMENT: "ended by mutual agreement",
    TerminationReason.RESIGNATION: "resignation",
    TerminationReason.DISMISSAL: "dismissal",
}


@dataclass(frozen=True, slots=True)
class Contract:
    """One version of a contract as the service holds it."""

    id: str
    version: int
    kind: VersionKind
    state: ContractState
    organization_id: str
    employer_name: str
    employer_did: str
    worker_did: str
    draft: ContractDraft
    check: ContractCheck
    previous_digest: str | None
    """The document digest of the concluded version this one replaces."""
    termination_reason: TerminationReason | None
    document: dict[str, Any] | None
    """The exact document the worker is shown and both parties sign; frozen when sent."""
    digest: str | None
    """Hex SHA-256 of ``document``'s canonical JSON."""
    created_at: datetime
    sent_at: datetime | None
    worker_signature: SignatureRecord | None
    employer_signature: SignatureRecord | None
    decline_reason: DeclineReason | None
    ledger_index: int | None
    """Where the concluded or declined entry is on the ledger."""
    personal_record: str | None
    """The vault record of the worker's personal details given when signing this version."""
    personal_commitment: str | None


@dataclass(frozen=True, slots=True)
class Invitation:
    """A link for the worker to read and sign; the token is shown only once, here."""

    token: str
    url: str
    contract_id: str
    version: int
    expires_at: datetime
    outbox_id: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message for a future SMS or mail gateway to deliver."""

    id: int
    channel: str
    recipient: str
    text: str
    created_at: datetime


_PHONE = re.compile(r"01[016789]\d{7,8}")
_ACCOUNT = re.compile(r"\d[\d-]{4,28}\d")
_NAME = re.compile(r"[^\x00-\x1f\x7f<>]{1,50}")

Name = Annotated[str, Field(min_length=1, max_length=50)]


class PersonalDetails(BaseModel):
    """What the worker enters when signing; kept in the vault, encrypted under their key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    birth_date: date
    phone: str
    """Digits only, a Korean mobile number (010-1234-5678 is stored as 01012345678)."""
    bank_name: Name
    account_number: str
    account_holder: Name

    @field_validator("name", "bank_name", "account_holder")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        cleaned = value.strip()
        if not _NAME.fullmatch(cleaned):
            raise ValueError("use letters only, no control characters or angle brackets")
        return cleaned

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str) -> str:
        digits = re.sub(r"[\s-]", "", value)
        if not _PHONE.fullmatch(digits):
            raise ValueError("give a Korean mobile number such as 010-1234-5678")
        return digits

    @field_validator("account_number")
    @classmethod
    def _account(cls, value: str) -> str:
        cleaned = value.strip()
        if not _ACCOUNT.fullmatch(cleaned):
            raise ValueError("give the account number in digits (hyphens allowed)")
        return cleaned

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, today: date) -> PersonalDetails:
        """Validate ``data``; raise ``InvalidPersonalDetails`` naming each field and the fix.
        The account must be in the worker's own name: wages are paid to the worker directly
        (LSA Art. 43(1))."""
        try:
            details = cls.model_validate(data)
        except ValidationError as exc:
            problems = [
                (".".join(str(p) for p in err["loc"]) or "(details)", err["msg"])
                for err in exc.errors(include_url=False)
            ]
            raise InvalidPersonalDetails(
                "; ".join(f"{field}: {msg}" for field, msg in problems),
                "; ".join(
                    f"{_FIELD_KO.get(field, field)}: {_HINT_KO.get(field, _HINT_DEFAULT)}"
                    for field, _ in problems
                ),
                problems=[field for field, _ in problems],
            ) from None
        if not date(1900, 1, 1) < details.birth_date < today:
            raise InvalidPersonalDetails(
                "birth_date: give your real birth date (YYYY-MM-DD)",
                "생년월일: 실제 생년월일을 YYYY-MM-DD 형식으로 적으세요",
                problems=["birth_date"],
            )
        if details.account_holder != details.name:
            raise InvalidPersonalDetails(
                "account_holder: wages are paid into an account in your own name (Labor "
                "Standards Act Art. 43); give an account whose holder is you",
                "예금주: 임금은 근로자 본인 명의 계좌로 지급됩니다(근로기준법 제43조). 본인 "
                "명의 계좌를 적으세요",
                problems=["account_holder"],
            )
        return details


_FIELD_KO = {
    "name": "이름",
    "birth_date": "생년월일",
    "phone": "휴대전화",
    "bank_name": "은행",
    "account_number": "계좌번호",
    "account_holder": "예금주",
}
_HINT_DEFAULT = "값이 올바르지 않습니다"
_HINT_KO = {
    "name": "이름을 적으세요 (50자 이내)",
    "birth_date": "생년월일을 YYYY-MM-DD 형식으로 적으세요",
    "phone": "010-1234-5678 같은 휴대전화 번호를 적으세요",
    "bank_name": "은행 이름을 적으세요",
    "account_number": "계좌번호를 숫자로 적으세요 (하이픈 가능)",
    "account_holder": "예금주 이름을 적으세요",
}


class InvalidPersonalDetails(InvalidInput):
    code = "labor-invalid-personal-details"
    title_ko = "인적 사항이 올바르지 않습니다"
    title_en = "The personal details are not valid"
