"""Monthly social-insurance contributions of worker and employer at the year's rates.

Integer won and Decimal only, never float: each share is the base times its rate, rounded the
way the data file says for that insurer; totals are sums of the rounded shares.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from blockcity.errors import InvalidInput
from blockcity.services.insurance.coverage import Coverage
from blockcity.services.insurance.model import EmployerFacts
from blockcity.services.insurance.rules import InsuranceRules, Rate, Rounding

_ZERO = Decimal(0)


class Line(BaseModel):
    """One insurance's premium: the base the rates apply to and each side's share in won.

    For long-term care the base is the health premium and each side's share is its rate times
    that side's own health share.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    applies: bool
    base: int = Field(ge=0)
    worker_rate: Decimal = Field(ge=0)
    employer_rate: Decimal = Field(ge=0)
    worker: int = Field(ge=0)
    employer: int = Field(ge=0)

    @property
    def total(self) -> int:
        return self.worker + self.employer


_NOT_COVERED = Line(
    applies=False, base=0, worker_rate=_ZERO, employer_rate=_ZERO, worker=0, employer=0
)


class Contributions(BaseModel):
    """A month's contributions for one contract, per insurance and in total."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    on: date
    monthly_pay: int = Field(ge=0)
    national_pension: Line
    health: Line
    long_term_care: Line
    employment: Line
    industrial_accident: Line

    def lines(self) -> tuple[Line, ...]:
        return (
            self.national_pension,
            self.health,
            self.long_term_care,
            self.employment,
            self.industrial_accident,
        )

    @property
    def worker_total(self) -> int:
        return sum(line.worker for line in self.lines())

    @property
    def employer_total(self) -> int:
        return sum(line.employer for line in self.lines())

    @property
    def total(self) -> int:
        return self.worker_total + self.employer_total


def pension_base(monthly_pay: int, rules: InsuranceRules) -> int:
    """The standard monthly income (기준소득월액): pay truncated to the data's unit, then
    clamped to the floor and ceiling of the pension period (FACTS.md §2.2)."""
    unit = rules.year.national_pension.base_unit.value
    limits = rules.pension_limits
    return min(max(monthly_pay // unit * unit, limits.floor), limits.ceiling)


def stability_rate(employer: EmployerFacts, rules: InsuranceRules) -> Rate:
    """The employer-only employment-stability and skills rate for the employer's size band."""
    bands = rules.year.employment.stability
    if employer.public_body or employer.employees >= bands.large_from.value:
        return bands.large_or_public
    if employer.employees >= bands.mid_size_from.value:
        return bands.mid_size_priority_support if employer.priority_support else bands.mid_size
    return bands.under_mid_size


def monthly_contributions(
    monthly_pay: int,
    coverage: Coverage,
    employer: EmployerFacts,
    rules: InsuranceRules,
    on: date,
) -> Contributions:
    """Each insurance's worker and employer share of ``monthly_pay`` (KRW) on ``on``."""
    if isinstance(monthly_pay, bool) or not isinstance(monthly_pay, int) or monthly_pay < 0:
        raise InvalidInput(
            f"Monthly pay must be a whole number of won, zero or more; got {monthly_pay!r}.",
            f"월 보수는 0원 이상의 정수(원)여야 합니다. 받은 값: {monthly_pay!r}.",
        )
    rules.require_in_force(on)
    year = rules.year
    # Industrial accident always applies, so an unknown industry is refused before anything.
    industry = rules.industry(employer.industry)

    np = year.national_pension
    pension = (
        _line(
            pension_base(monthly_pay, rules),
            np.worker_rate.value,
            np.employer_rate.value,
            np.rounding,
        )
        if coverage.national_pension.applies
        else _NOT_COVERED
    )

    hi = year.health
    health = (
        _line(monthly_pay, hi.worker_rate.value, hi.employer_rate.value, hi.rounding)
        if coverage.health.applies
        else _NOT_COVERED
    )
    ltc = year.long_term_care
    care_rate = ltc.rate_of_health.value
    long_term_care = (
        Line(
            applies=True,
            base=health.total,
            worker_rate=care_rate,
            employer_rate=care_rate,
            worker=ltc.rounding.apply(health.worker * care_rate),
            employer=ltc.rounding.apply(health.employer * care_rate),
        )
        if coverage.long_term_care
        else _NOT_COVERED
    )

    ei = year.employment
    decision = coverage.employment
    if decision.applies:
        unemployment = decision.unemployment_part
        employment = _line(
            monthly_pay,
            ei.worker_rate.value if unemployment else _ZERO,
            (ei.employer_rate.value if unemployment else _ZERO)
            + stability_rate(employer, rules).value,
            ei.rounding,
        )
    else:
        employment = _NOT_COVERED

    ia = year.industrial_accident
    accident = _line(monthly_pay, _ZERO, industry.rate.value + ia.commuting_rate.value, ia.rounding)

    return Contributions(
        on=on,
        monthly_pay=monthly_pay,
        national_pension=pension,
        health=health,
        long_term_care=long_term_care,
        employment=employment,
        industrial_accident=accident,
    )


def _line(base: int, worker_rate: Decimal, employer_rate: Decimal, rounding: Rounding) -> Line:
    return Line(
        applies=True,
        base=base,
        worker_rate=worker_rate,
        employer_rate=employer_rate,
        worker=rounding.apply(base * worker_rate),
        employer=rounding.apply(base * employer_rate),
    )
