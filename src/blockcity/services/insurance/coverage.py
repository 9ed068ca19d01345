"""Which of the four social insurances cover one contract, and why (FACTS.md §2.3).

Each decision carries its reason in Korean and English, citing the rule it applied, so a worker
or an employer can check it.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from blockcity.services.insurance.model import EmploymentFacts, InsuranceKind, WorkerFacts
from blockcity.services.insurance.rules import InsuranceRules, add_months_period_end


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: InsuranceKind
    applies: bool
    reason_ko: str
    reason_en: str


class EmploymentDecision(Decision):
    """Employment insurance may apply with or without its unemployment-benefit part: someone
    hired at 65 or later is insured for the employer-paid stability part only."""

    unemployment_part: bool


class Coverage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    national_pension: Decision
    health: Decision
    employment: EmploymentDecision
    industrial_accident: Decision

    @property
    def long_term_care(self) -> bool:
        """Long-term care insurance is levied on everyone insured for health (FACTS.md §2.1)."""
        return self.health.applies

    def decisions(self) -> tuple[Decision, ...]:
        return (self.national_pension, self.health, self.employment, self.industrial_accident)


def coverage(worker: WorkerFacts, employment: EmploymentFacts, rules: InsuranceRules) -> Coverage:
    """Decide each insurance for ``worker`` under ``employment`` with the year's ``rules``."""
    hours = _Hours(employment, rules)
    return Coverage(
        national_pension=_pension(worker, employment, hours, rules),
        health=_health(employment, hours, rules),
        employment=_employment(worker, employment, hours, rules),
        industrial_accident=Decision(
            kind=InsuranceKind.INDUSTRIAL_ACCIDENT,
            applies=True,
            reason_ko="산재보험은 근로시간·기간·나이와 관계없이 모든 근로자에게 적용됩니다"
            "(FACTS.md §2.3). 보험료는 사업주가 전액 부담합니다.",
            reason_en="Industrial-accident insurance covers every worker whatever the hours, "
            "length or age (FACTS.md §2.3); the employer pays all of it.",
        ),
    )


class _Hours:
    """Monthly hours and days from the weekly contract, and whether that is short-time work."""

    def __init__(self, employment: EmploymentFacts, rules: InsuranceRules) -> None:
        short = rules.year.short_time
        weeks = short.weeks_per_month.value
        self.weekly = employment.weekly_hours
        self.monthly = employment.weekly_hours * weeks
        self.days = Decimal(employment.days_per_week) * weeks
        self.min_monthly = short.monthly_hours.value
        self.min_weekly = short.weekly_hours.value
        # Under 60 h a month counts, and so does under 15 h a week (EI Act Decree Art. 3(1)).
        self.short = self.monthly < self.min_monthly or self.weekly < self.min_weekly

    def describe_ko(self) -> str:
        return f"주 {_num(self.weekly)}시간, 월 {_num(self.monthly)}시간"

    def describe_en(self) -> str:
        return f"{_num(self.weekly)} h a week, {_num(self.monthly)} h a month"

    def short_ko(self) -> str:
        return (
            f"{self.describe_ko()}으로 월 {_num(self.min_monthly)}시간(주 {_num(self.min_weekly)}"
            "시간) 미만인 단시간근로자입니다"
        )

    def short_en(self) -> str:
        return (
            f"At {self.describe_en()} this is short-time work under "
            f"{_num(self.min_monthly)} h a month ({_num(self.min_weekly)} h a week)"
        )


def _num(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def _lasts(employment: EmploymentFacts, months: int) -> bool:
    """Whether the contract runs for at least ``months`` months (open-ended ones do)."""
    if employment.end is None:
        return True
    return employment.end >= add_months_period_end(employment.start, months)


def _pension(
    worker: WorkerFacts, employment: EmploymentFacts, hours: _Hours, rules: InsuranceRules
) -> Decision:
    np = rules.year.national_pension
    kind = InsuranceKind.NATIONAL_PENSION
    low, high = np.min_age.value, np.max_age_exclusive.value
    if not low <= worker.age < high:
        return Decision(
            kind=kind,
            applies=False,
            reason_ko=f"국민연금 사업장가입자는 {low}세 이상 {high}세 미만입니다(FACTS.md §2.3). "
            f"이 근로자는 {worker.age}세입니다.",
            reason_en=f"National-pension workplace members are {low} to under {high} "
            f"(FACTS.md §2.3); this worker is {worker.age}.",
        )
    if not hours.short:
        return Decision(
            kind=kind,
            applies=True,
            reason_ko=f"{hours.describe_ko()}으로 단시간 제외 기준 이상이고 {worker.age}세입니다"
            "(FACTS.md §2.3).",
            reason_en=f"Works {hours.describe_en()}, above the short-time exclusion, "
            f"aged {worker.age} (FACTS.md §2.3).",
        )
    months, min_days = np.short_time_min_months.value, np.short_time_min_days.value
    if hours.monthly >= hours.min_monthly:
        held_ko = f"월 {_num(hours.monthly)}시간(기준 {_num(hours.min_monthly)}시간 이상)"
        held_en = f"{_num(hours.monthly)} h a month (at least {_num(hours.min_monthly)} needed)"
    elif hours.days >= min_days:
        held_ko = f"월 {_num(hours.days)}일(기준 {min_days}일 이상)"
        held_en = f"{_num(hours.days)} days a month (at least {min_days} needed)"
    else:
        held_ko = held_en = ""
    if held_en and _lasts(employment, months):
        return Decision(
            kind=kind,
            applies=True,
            reason_ko=f"{hours.short_ko()}. 그러나 {months}개월 이상 근로하고 {held_ko} "
            "근로하므로 가입 대상입니다(FACTS.md §2.3).",
            reason_en=f"{hours.short_en()}, but the contract runs {months} month(s) or more "
            f"and the worker works {held_en} (FACTS.md §2.3).",
        )
    return Decision(
        kind=kind,
        applies=False,
        reason_ko=f"{hours.short_ko()}. {months}개월 이상 근로하면서 월 {min_days}일 이상 또는 "
        f"월 {_num(hours.min_monthly)}시간 이상 근로하는 예외에 해당하지 않습니다(FACTS.md §2.3).",
        reason_en=f"{hours.short_en()}, and the exception "
        f"(employed {months} month(s) or more and working {min_days} days or "
        f"{_num(hours.min_monthly)} h a month) does not hold (FACTS.md §2.3).",
    )


def _health(employment: EmploymentFacts, hours: _Hours, rules: InsuranceRules) -> Decision:
    kind = InsuranceKind.HEALTH
    months = rules.year.health.day_labour_min_months.value
    if employment.day_labour and not _lasts(employment, months):
        return Decision(
            kind=kind,
            applies=False,
            reason_ko=f"{months}개월 미만 고용된 일용근로자는 직장가입자에서 제외됩니다"
            "(FACTS.md §2.3).",
            reason_en=f"Day labourers employed under {months} month(s) are not employee members "
            "(FACTS.md §2.3).",
        )
    if hours.short:
        return Decision(
            kind=kind,
            applies=False,
            reason_ko=f"{hours.short_ko()}. 건강보험(장기요양 포함) 직장가입자에서 제외됩니다"
            "(FACTS.md §2.3).",
            reason_en=f"{hours.short_en()}, excluded from "
            "health (and long-term care) insurance as an employee member (FACTS.md §2.3).",
        )
    return Decision(
        kind=kind,
        applies=True,
        reason_ko=f"{hours.describe_ko()}으로 직장가입자입니다. 나이 제한은 없으며 "
        "장기요양보험료도 함께 부과됩니다(FACTS.md §2.3).",
        reason_en=f"Works {hours.describe_en()}: an employee member, with no age limit; "
        "long-term care is levied with it (FACTS.md §2.3).",
    )


def _employment(
    worker: WorkerFacts, employment: EmploymentFacts, hours: _Hours, rules: InsuranceRules
) -> EmploymentDecision:
    ei = rules.year.employment
    kind = InsuranceKind.EMPLOYMENT
    months = ei.short_time_min_months.value
    if hours.short and not employment.day_labour and not _lasts(employment, months):
        return EmploymentDecision(
            kind=kind,
            applies=False,
            unemployment_part=False,
            reason_ko=f"{hours.short_ko()}. {months}개월 이상 계속 근로하지 않고 일용근로자도 "
            "아니므로 제외됩니다(FACTS.md §2.3).",
            reason_en=f"{hours.short_en()}, for less than "
            f"{months} months and not as day labour: excluded (FACTS.md §2.3).",
        )
    if employment.day_labour:
        basis_ko, basis_en = "일용근로자는 적용 대상입니다", "Day labourers are covered"
    elif hours.short:
        basis_ko = f"{hours.short_ko()}. 그러나 {months}개월 이상 계속 근로하므로 적용됩니다"
        basis_en = f"{hours.short_en()}, but continues {months} months or more, so it is covered"
    else:
        basis_ko = f"{hours.describe_ko()}으로 적용 대상입니다"
        basis_en = f"Works {hours.describe_en()}, so it is covered"
    cutoff = ei.no_unemployment_from_age.value
    if worker.age_at_hire >= cutoff:
        return EmploymentDecision(
            kind=kind,
            applies=True,
            unemployment_part=False,
            reason_ko=f"{basis_ko}. 다만 {worker.age_at_hire}세에 고용되어 {cutoff}세 이후 "
            "신규 고용이므로 실업급여·육아휴직 부분은 적용되지 않아 근로자 부담분이 없고, "
            "사업주는 고용안정·직업능력개발 부분만 부담합니다(고용보험법 제10조 제2항, "
            "FACTS.md §2.3).",
            reason_en=f"{basis_en}. Hired at {worker.age_at_hire}, at {cutoff} or older: no "
            "unemployment or parental-leave part, so the worker pays nothing and the employer "
            "pays the stability and skills part only (EI Act Art. 10(2), FACTS.md §2.3).",
        )
    return EmploymentDecision(
        kind=kind,
        applies=True,
        unemployment_part=True,
        reason_ko=f"{basis_ko}(FACTS.md §2.3).",
        reason_en=f"{basis_en} (FACTS.md §2.3).",
    )
