"""The facts the four social insurances are decided on: the worker, the contract, the employer.

They hold no personal data: an age instead of a birth date, no name, no resident number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InsuranceKind(StrEnum):
    NATIONAL_PENSION = "national_pension"
    HEALTH = "health"
    EMPLOYMENT = "employment"
    INDUSTRIAL_ACCIDENT = "industrial_accident"


class Insurer(StrEnum):
    """Who an employer files with (long-term care rides on health insurance at NHIS)."""

    NPS = "nps"  # 국민연금공단
    NHIS = "nhis"  # 국민건강보험공단
    COMWEL = "comwel"  # 근로복지공단: employment and industrial-accident insurance


INSURER_OF: dict[InsuranceKind, Insurer] = {
    InsuranceKind.NATIONAL_PENSION: Insurer.NPS,
    InsuranceKind.HEALTH: Insurer.NHIS,
    InsuranceKind.EMPLOYMENT: Insurer.COMWEL,
    InsuranceKind.INDUSTRIAL_ACCIDENT: Insurer.COMWEL,
}


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class WorkerFacts(_Facts):
    """The worker's full age (만 나이) in the month assessed, and at hiring by this employer."""

    age: int = Field(ge=0, le=130)
    age_at_hire: int = Field(ge=0, le=130)

    @model_validator(mode="after")
    def _hired_before_now(self) -> WorkerFacts:
        if self.age_at_hire > self.age:
            raise ValueError("age_at_hire cannot exceed age")
        return self


class EmploymentFacts(_Facts):
    """One contract: its span (``end`` None when open-ended, inclusive otherwise), contractual
    hours and working days per week, and whether it is day labour (일용근로)."""

    start: date
    end: date | None = None
    weekly_hours: Decimal = Field(gt=0, le=168)
    days_per_week: int = Field(ge=1, le=7)
    day_labour: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> EmploymentFacts:
        if self.end is not None and self.end < self.start:
            raise ValueError("end cannot be before start")
        return self


class EmployerFacts(_Facts):
    """What the employer's premiums depend on: headcount, industry (a key of the year's
    industrial-accident table), 우선지원대상기업 status, and whether it is state or local
    government."""

    employees: int = Field(ge=1)
    industry: str = Field(min_length=1, max_length=100)
    priority_support: bool = False
    public_body: bool = False
