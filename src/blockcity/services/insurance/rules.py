"""The four social insurances' rates and thresholds as data: one JSON file per year in ``data/``
plus the pension income limits by period (they change every July), loaded and validated once.

Every value carries its source; ``InsuranceRules.for_date`` refuses a date the data does not
cover and says which dates it does cover.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from blockcity.errors import InvalidInput, NotFound


class InsuranceRulesMissing(NotFound):
    """No rates or pension income limits are on file for the date asked about."""

    code = "insurance-rules-missing"
    title_ko = "해당 날짜의 4대보험 기준이 없습니다"
    title_en = "No social-insurance rules for that date"


class UnknownIndustry(InvalidInput):
    """The industrial-accident rate of the employer's industry is not on file for that year."""

    code = "insurance-unknown-industry"
    title_ko = "산재보험료율이 없는 업종입니다"
    title_en = "Unknown industry for the industrial-accident rate"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rate(_Frozen):
    """A fraction of a base (0.0475 is 4.75 %) and where it comes from."""

    value: Decimal = Field(ge=0, lt=1)
    source: str = Field(min_length=1)


class Count(_Frozen):
    value: int = Field(ge=0)
    source: str = Field(min_length=1)


class Quantity(_Frozen):
    value: Decimal = Field(gt=0)
    source: str = Field(min_length=1)


class Rounding(_Frozen):
    """How an insurer rounds a premium: down to a multiple of ``unit`` won."""

    unit: int = Field(gt=0)
    mode: Literal["down"]
    source: str = Field(min_length=1)

    def apply(self, amount: Decimal) -> int:
        # Premiums are never negative, so rounding down is the insurers' truncation (절사).
        units = (amount / self.unit).to_integral_value(rounding=ROUND_FLOOR)
        return int(units) * self.unit


class ShortTime(_Frozen):
    """Who counts as a short-time worker for pension, health and employment insurance."""

    monthly_hours: Quantity
    weekly_hours: Quantity
    weeks_per_month: Quantity


class NationalPension(_Frozen):
    worker_rate: Rate
    employer_rate: Rate
    base_unit: Count
    rounding: Rounding
    min_age: Count
    max_age_exclusive: Count
    short_time_min_months: Count
    short_time_min_days: Count


class Health(_Frozen):
    worker_rate: Rate
    employer_rate: Rate
    rounding: Rounding
    day_labour_min_months: Count


class LongTermCare(_Frozen):
    rate_of_health: Rate
    rounding: Rounding


class Stability(_Frozen):
    """The employer-only employment-stability and skills part, by company size."""

    mid_size_from: Count
    large_from: Count
    under_mid_size: Rate
    mid_size_priority_support: Rate
    mid_size: Rate
    large_or_public: Rate

    @model_validator(mode="after")
    def _bands_in_order(self) -> Stability:
        if not 0 < self.mid_size_from.value < self.large_from.value:
            raise ValueError("size bands must satisfy 0 < mid_size_from < large_from")
        return self


class Employment(_Frozen):
    worker_rate: Rate
    employer_rate: Rate
    rounding: Rounding
    short_time_min_months: Count
    no_unemployment_from_age: Count
    stability: Stability


class Industry(_Frozen):
    name_ko: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    rate: Rate


class IndustrialAccident(_Frozen):
    commuting_rate: Rate
    rounding: Rounding
    industries: dict[str, Industry]


class Reporting(_Frozen):
    acquisition_deadline_day: Count


class YearRules(_Frozen):
    """One year's rates and thresholds, as in ``data/<year>.json``."""

    year: int
    notes: str
    short_time: ShortTime
    national_pension: NationalPension
    health: Health
    long_term_care: LongTermCare
    employment: Employment
    industrial_accident: IndustrialAccident
    reporting: Reporting


class PensionLimits(_Frozen):
    """The floor and ceiling of the pension's standard monthly income (기준소득월액)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    floor: int = Field(gt=0)
    ceiling: int = Field(gt=0)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> PensionLimits:
        if self.end < self.start or self.ceiling <= self.floor:
            raise ValueError("a pension period needs from <= to and floor < ceiling")
        return self

    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class _PensionLimitsFile(_Frozen):
    periods: list[PensionLimits] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> _PensionLimitsFile:
        ordered = sorted(self.periods, key=lambda p: p.start)
        for before, after in pairwise(ordered):
            if after.start <= before.end:
                raise ValueError(f"pension periods {before.label()} and {after.label()} overlap")
        return self


_DATA = resources.files("blockcity.services.insurance") / "data"
_LIMITS_FILE = "pension_income_limits.json"


@cache
def _years() -> dict[int, YearRules]:
    years: dict[int, YearRules] = {}
    for entry in _DATA.iterdir():
        if not entry.name.endswith(".json") or entry.name == _LIMITS_FILE:
            continue
        try:
            rules = YearRules.model_validate(json.loads(entry.read_text(encoding="utf-8")))
        except ValidationError as exc:
            raise ValueError(f"insurance data file {entry.name} is invalid: {exc}") from exc
        if f"{rules.year}.json" != entry.name:
            raise ValueError(f"insurance data file {entry.name} says year {rules.year}")
        years[rules.year] = rules
    return years


@cache
def _pension_periods() -> tuple[PensionLimits, ...]:
    raw = json.loads((_DATA / _LIMITS_FILE).read_text(encoding="utf-8"))
    return tuple(sorted(_PensionLimitsFile.model_validate(raw).periods, key=lambda p: p.start))


@dataclass(frozen=True)
class InsuranceRules:
    """The rules in force over one span of days: one year's rates and one pension period."""

    year: YearRules
    pension_limits: PensionLimits

    @classmethod
    def for_date(cls, day: date) -> InsuranceRules:
        """The rules in force on ``day``; ``InsuranceRulesMissing`` names what the data covers."""
        years = _years()
        if day.year not in years:
            known = ", ".join(str(y) for y in sorted(years))
            raise InsuranceRulesMissing(
                f"No social-insurance rates on file for {day.year} (asked for {day}); "
                f"years on file: {known}.",
                f"{day.year}년 4대보험 요율이 없습니다(요청일 {day}). 등록된 연도: {known}.",
                day=day.isoformat(),
                known_years=sorted(years),
            )
        periods = _pension_periods()
        for period in periods:
            if period.start <= day <= period.end:
                return cls(year=years[day.year], pension_limits=period)
        spans = ", ".join(p.label() for p in periods)
        raise InsuranceRulesMissing(
            f"No national-pension income floor and ceiling on file for {day}; "
            f"periods on file: {spans}.",
            f"{day} 기준 국민연금 기준소득월액 하한·상한이 없습니다. 등록된 기간: {spans}.",
            day=day.isoformat(),
            known_periods=[p.label() for p in periods],
        )

    @property
    def valid_from(self) -> date:
        return max(date(self.year.year, 1, 1), self.pension_limits.start)

    @property
    def valid_to(self) -> date:
        return min(date(self.year.year, 12, 31), self.pension_limits.end)

    def require_in_force(self, day: date) -> None:
        """Refuse ``day`` when these rules do not apply to it (another year or pension period)."""
        if not self.valid_from <= day <= self.valid_to:
            span = f"{self.valid_from}..{self.valid_to}"
            raise InvalidInput(
                f"These insurance rules apply from {self.valid_from} to {self.valid_to}, not on "
                f"{day}; load InsuranceRules.for_date({day}).",
                f"이 4대보험 기준은 {span}에만 적용되며 {day}에는 적용되지 않습니다. "
                f"{day} 기준을 다시 불러오세요.",
                day=day.isoformat(),
            )

    def industry(self, key: str) -> Industry:
        """The industry's industrial-accident entry; ``UnknownIndustry`` lists those on file."""
        industries = self.year.industrial_accident.industries
        if key not in industries:
            known = ", ".join(sorted(industries))
            raise UnknownIndustry(
                f"No industrial-accident rate on file for industry {key!r} in {self.year.year}; "
                f"industries on file: {known}.",
                f"{self.year.year}년 '{key}' 업종의 산재보험료율이 없습니다. 등록된 업종: {known}.",
                industry=key,
                known_industries=sorted(industries),
            )
        return industries[key]


def add_months_period_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` months starting on ``start``.

    Civil Act Art. 160: a period in months ends the day before the corresponding day of the
    last month, or on that month's last day when it has no corresponding day.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)
