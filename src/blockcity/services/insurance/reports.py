"""Acquisition (취득신고) and loss (상실신고) reports an employer files with each insurer.

A report names the worker by DID and by a reference into the personal-data vault; the name and
resident number stay in the vault and are added only when the report is sent to the insurer.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from blockcity.services.insurance.contributions import pension_base
from blockcity.services.insurance.coverage import Coverage
from blockcity.services.insurance.model import INSURER_OF, InsuranceKind, Insurer
from blockcity.services.insurance.rules import InsuranceRules, add_months_period_end

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
# An opaque vault handle: letters, digits, '-' and '_' only, so a name, a phone number with
# spaces or a resident number with its Hangul label cannot be put in its place.
_VAULT_REF = r"^vault:[A-Za-z0-9_-]{16,128}$"


class LossReason(StrEnum):
    """Why coverage ends. FACTS.md gives no official code list, so these are descriptive codes
    an adapter maps onto each insurer's form."""

    RESIGNATION = "resignation"  # 자진 퇴사
    CONTRACT_END = "contract_end"  # 계약기간 만료
    DISMISSAL = "dismissal"  # 해고·권고사직
    RETIREMENT_AGE = "retirement_age"  # 정년
    DEATH = "death"  # 사망
    OTHER = "other"  # 기타


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    insurance: InsuranceKind
    insurer: Insurer
    employer_did: str = Field(pattern=_DID, max_length=200)
    worker_did: str = Field(pattern=_DID, max_length=200)
    worker_vault_ref: str = Field(pattern=_VAULT_REF)
    monthly_pay: int = Field(ge=0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates as ISO 8601 strings) for export or signing."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data, strict=False)


class AcquisitionReport(_Report):
    """취득신고: coverage starts on ``acquired_on``; ``monthly_pay`` is the income the insurer
    assesses (for the pension, the standard monthly income after floor and ceiling)."""

    acquired_on: date
    filing_deadline: date


class LossReport(_Report):
    """상실신고: coverage ends; the loss date is the day after the last day worked."""

    last_day_worked: date
    lost_on: date
    reason: LossReason


def _covered(coverage: Coverage) -> tuple[InsuranceKind, ...]:
    return tuple(d.kind for d in coverage.decisions() if d.applies)


def acquisition_reports(
    *,
    employer_did: str,
    worker_did: str,
    worker_vault_ref: str,
    acquired_on: date,
    monthly_pay: int,
    coverage: Coverage,
    rules: InsuranceRules,
) -> tuple[AcquisitionReport, ...]:
    """One acquisition report per insurance that applies, due by the data's day of the next
    month (FACTS.md §2.3)."""
    rules.require_in_force(acquired_on)
    due_day = rules.year.reporting.acquisition_deadline_day.value
    month_end = add_months_period_end(acquired_on.replace(day=1), 1)
    deadline = (month_end + timedelta(days=1)).replace(day=due_day)
    return tuple(
        AcquisitionReport(
            insurance=kind,
            insurer=INSURER_OF[kind],
            employer_did=employer_did,
            worker_did=worker_did,
            worker_vault_ref=worker_vault_ref,
            monthly_pay=(
                pension_base(monthly_pay, rules)
                if kind is InsuranceKind.NATIONAL_PENSION
                else monthly_pay
            ),
            acquired_on=acquired_on,
            filing_deadline=deadline,
        )
        for kind in _covered(coverage)
    )


def loss_reports(
    *,
    employer_did: str,
    worker_did: str,
    worker_vault_ref: str,
    last_day_worked: date,
    reason: LossReason,
    monthly_pay: int,
    coverage: Coverage,
) -> tuple[LossReport, ...]:
    """One loss report per insurance that applied. Coverage is lost the day after leaving
    (National Pension Act Art. 12, NHI Act Art. 10, EI Act Art. 14; memory, high)."""
    return tuple(
        LossReport(
            insurance=kind,
            insurer=INSURER_OF[kind],
            employer_did=employer_did,
            worker_did=worker_did,
            worker_vault_ref=worker_vault_ref,
            monthly_pay=monthly_pay,
            last_day_worked=last_day_worked,
            lost_on=last_day_worked + timedelta(days=1),
            reason=reason,
        )
        for kind in _covered(coverage)
    )
