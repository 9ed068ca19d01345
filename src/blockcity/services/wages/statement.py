"""The wage statement of one pay period (임금명세서, LSA Art. 48(2), Decree Art. 27-2; FACTS.md
§1.9), computed from the contract's terms and the attendance: a pure function, no I/O.

Every hour is placed in exactly one of four kinds, per Monday-to-Sunday week: holiday work (on
the contract's weekly holiday or a holiday the employer declares), overtime (beyond 8 h a day or
40 h a week, ``labor.check.overtime_minutes`` applied to the week so far), excess hours (beyond
the contract's hours for that day) and ordinary hours. Night minutes (22:00-06:00) add their
premium on top. The premiums apply only at workplaces of 5 or more (LSA Decree Art. 7); below
that the same hours are paid at 100 %. Each pay item is computed exactly and rounded up to the
won (``WageRules.rounding``); insurance shares are the insurers' own rounding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from blockcity.errors import InvalidInput
from blockcity.services.insurance import (
    Contributions,
    Coverage,
    EmployerFacts,
    EmploymentFacts,
    InsuranceRules,
    Line,
    monthly_contributions,
)
from blockcity.services.labor.check import (
    monthly_standard_hours,
    night_minutes,
    overtime_minutes,
    weekly_contract_minutes,
    weekly_holiday_hours,
)
from blockcity.services.labor.model import (
    ContractDraft,
    FormKind,
    PayCycle,
    WageKind,
    Weekday,
    WorkDay,
)
from blockcity.services.labor.rules import LaborRules
from blockcity.services.wages.rules import WageRules

STATEMENT_TYPE = "BlockcityWageStatement"
_SEOUL = ZoneInfo("Asia/Seoul")
_WEEKDAYS = list(Weekday)


class WorkedShift(Protocol):
    """One attended shift, as ``node.attendance.shifts`` returns it (``attendance.Shift``)."""

    @property
    def day(self) -> date: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def break_minutes(self) -> int: ...
    @property
    def confirmed(self) -> bool: ...
    @property
    def corrected(self) -> bool: ...


class InvalidStatementInput(InvalidInput):
    code = "wages-invalid-input"
    title_ko = "임금명세서를 계산할 수 없습니다"
    title_en = "The wage statement cannot be computed"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Won = Annotated[int, Field(ge=0)]
Label = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\x00-\x1f\x7f<>]+$")]


class PayPeriod(_Model):
    start: date
    end: date
    pay_date: date

    @model_validator(mode="after")
    def _ordered(self) -> PayPeriod:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        if self.pay_date < self.end:
            raise ValueError("wages are paid after the period they are for")
        return self

    @classmethod
    def month(cls, year: int, month: int, contract: ContractDraft) -> PayPeriod:
        """A calendar month, paid on the contract's monthly pay day in the following month."""
        start = date(year, month, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        pay_day = contract.pay_day
        if pay_day is None or pay_day.cycle is not PayCycle.MONTHLY or not pay_day.day_of_month:
            raise InvalidStatementInput(
                "the contract has no monthly pay day; give the pay date",
                "계약서에 월 임금지급일이 없습니다. 지급일을 정하세요",
            )
        following = end + timedelta(days=1)
        last = (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return cls(
            start=start,
            end=end,
            pay_date=following.replace(day=min(pay_day.day_of_month, last.day)),
        )


class OtherDeduction(_Model):
    label: Label
    amount: Annotated[int, Field(gt=0)]


class EmployerEntered(_Model):
    """What the employer enters: the withheld taxes (the withholding table is out of scope, so
    they are the employer's figures; zero is allowed, missing is not) and other deductions
    agreed with the worker (LSA Art. 43(1) proviso)."""

    income_tax: Won
    local_income_tax: Won
    other_deductions: tuple[OtherDeduction, ...] = ()

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> EmployerEntered:
        missing = [name for name in ("income_tax", "local_income_tax") if data.get(name) is None]
        if missing:
            raise InvalidStatementInput(
                f"enter {' and '.join(missing)} in won (0 if nothing is withheld): a wage "
                "statement lists every deduction (LSA Decree Art. 27-2)",
                "소득세와 지방소득세를 원 단위로 입력하세요 (원천징수할 금액이 없으면 0). "
                "임금명세서에는 모든 공제 항목이 있어야 합니다 (근로기준법 시행령 제27조의2)",
                missing=missing,
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            raise InvalidStatementInput(
                f"check {', '.join(fields)}: amounts are whole won, zero or more, and each "
                "other deduction has a label",
                f"{', '.join(fields)}을(를) 확인하세요: 금액은 0 이상의 원 단위 정수이고 기타 "
                "공제에는 이름이 있어야 합니다",
                fields=fields,
            ) from None


class InsuranceInput(_Model):
    """The social-insurance facts of this contract: the coverage decided by
    ``services.insurance.coverage`` and the employer's facts the rates depend on."""

    coverage: Coverage
    employer: EmployerFacts


class ContractRef(_Model):
    """Which concluded contract version the statement is for."""

    contract_id: str
    version: Annotated[int, Field(ge=1)]
    document_digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    employer_name: str


class PayItem(_Model):
    code: str
    label_ko: str
    label_en: str
    amount: Won
    minutes: int | None = None
    """The hours the item pays for (premium items, base pay by the hour), in minutes."""
    method_ko: str
    method_en: str


class Deduction(_Model):
    code: str
    label_ko: str
    label_en: str
    amount: Won
    method_ko: str
    method_en: str


class Attendance(_Model):
    shifts: int
    days_worked: int
    worked_minutes: int
    unconfirmed: int
    """Shifts the employer has not confirmed: the worker may object to them."""
    corrected: int


class WageStatement(_Model):
    """Every mandatory item of a wage statement (FACTS.md §1.9), in integer won. The worker is
    identified by DID and contract (the employee number); the name is printed from the vault
    and never stored here."""

    type: Literal["BlockcityWageStatement"] = "BlockcityWageStatement"
    v: Literal[1] = 1
    rules_year: int
    contract: ContractRef | None
    employer: str
    """The employer organization's id."""
    worker: str
    """The worker's DID."""
    period: PayPeriod
    headcount: int
    premiums_apply: bool
    ordinary_hourly_wage: str
    """The ordinary hourly wage the items use, exact to 1/100 won, for display."""
    attendance: Attendance
    pay_items: tuple[PayItem, ...]
    deductions: tuple[Deduction, ...]
    total_pay: Won
    total_deductions: Won
    net_pay: int

    def item(self, code: str) -> PayItem | None:
        return next((item for item in self.pay_items if item.code == code), None)

    def deduction(self, code: str) -> Deduction | None:
        return next((d for d in self.deductions if d.code == code), None)


def employment_facts(contract: ContractDraft) -> EmploymentFacts:
    """The insurance facts of a contract's schedule (weekly hours, days a week, span)."""
    if contract.schedule is None or contract.period is None:
        raise InvalidStatementInput(
            "the contract states no schedule or period", "계약서에 근로시간이나 기간이 없습니다"
        )
    days = contract.schedule.days()
    weekly = weekly_contract_minutes(days)
    return EmploymentFacts(
        start=contract.period.start,
        end=contract.period.end,
        weekly_hours=Decimal(weekly) / 60,
        days_per_week=len(days),
    )


# --- the computation -----------------------------------------------------------------------


class _Day:
    """One calendar day's shifts, merged into one span for the hours rules."""

    def __init__(self, day: date, shifts: Sequence[WorkedShift]) -> None:
        self.day = day
        ordered = sorted(shifts, key=lambda s: s.start)
        self.shift_days = [_work_day(s) for s in ordered]
        self.worked = sum(d.worked_minutes for d in self.shift_days)
        first = _local(ordered[0].start)
        span = _minutes(ordered[-1].end - ordered[0].start)
        if span > 24 * 60:
            raise InvalidStatementInput(
                f"the shifts of {day} span more than 24 hours; correct the attendance",
                f"{day}의 근무 기록이 24시간을 넘습니다. 출퇴근 기록을 정정하세요",
            )
        end = (datetime.combine(day, first) + timedelta(minutes=span)).time()
        # Gaps between split shifts count as break, so the day's worked minutes stay exact.
        self.merged = WorkDay(start=first, end=end, break_minutes=span - self.worked)


def _local(moment: datetime) -> time:
    local = moment.astimezone(_SEOUL) if moment.tzinfo is not None else moment
    return local.time().replace(second=0, microsecond=0)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _work_day(shift: WorkedShift) -> WorkDay:
    span = _minutes(shift.end - shift.start)
    if span <= 0 or span > 24 * 60 or not 0 <= shift.break_minutes < span:
        raise InvalidStatementInput(
            f"the shift of {shift.day} ends before it starts, lasts over 24 hours or has a "
            "break as long as itself; correct the attendance",
            f"{shift.day} 근무 기록의 퇴근이 출근보다 빠르거나, 24시간을 넘거나, 휴게시간이 "
            "근무시간만큼 깁니다. 출퇴근 기록을 정정하세요",
        )
    start = _local(shift.start)
    end = (datetime.combine(shift.day, start) + timedelta(minutes=span)).time()
    return WorkDay(start=start, end=end, break_minutes=shift.break_minutes)


class _Tally:
    def __init__(self) -> None:
        self.ordinary = 0
        self.ordinary_days = 0
        self.excess = 0
        self.overtime = 0
        self.holiday_up = 0
        self.holiday_over = 0
        self.night = 0
        self.holiday_weeks: list[date] = []
        self.missed_weeks: list[date] = []


def compute_statement(
    contract: ContractDraft,
    shifts: Iterable[WorkedShift],
    period: PayPeriod,
    insurance: InsuranceInput,
    employer_entered: EmployerEntered,
    rules_year: int,
    *,
    holidays: frozenset[date] = frozenset(),
    ref: ContractRef | None = None,
) -> WageStatement:
    """The statement of ``period`` under ``contract`` and the law of ``rules_year``.

    ``shifts`` must cover every day from the Monday of the week ``period.start`` falls in to
    ``period.end``: the days before the period are not paid again, but they decide that week's
    overtime and weekly holiday. ``holidays`` are extra paid holidays the employer observes.
    """
    rules = LaborRules.for_year(rules_year)
    wage_rules = WageRules.for_year(rules_year)
    if contract.schedule is None or contract.wage is None or contract.period is None:
        raise InvalidStatementInput(
            "the contract states no schedule, wage or period, so no statement can be computed",
            "계약서에 근로시간, 임금 또는 기간이 없어 임금명세서를 계산할 수 없습니다",
        )
    if not (period.start.year == period.end.year == rules_year):
        raise InvalidStatementInput(
            f"the period {period.start}..{period.end} is not within {rules_year}; compute it "
            "with the rules of its own year",
            f"기간 {period.start}~{period.end}이(가) {rules_year}년 안에 있지 않습니다. 그 해의 "
            "기준으로 계산하세요",
        )
    schedule = contract.schedule.days()
    weekly = weekly_contract_minutes(schedule)
    full = contract.headcount >= rules.workplace.full_rules_from_headcount
    rate = _ordinary_rate(contract, schedule, rules)

    by_day: dict[date, list[WorkedShift]] = defaultdict(list)
    first_monday = period.start - timedelta(days=period.start.weekday())
    all_shifts = [s for s in shifts if first_monday <= s.day <= period.end]
    for shift in all_shifts:
        by_day[shift.day].append(shift)
    days = {day: _Day(day, found) for day, found in by_day.items()}
    in_period = [s for s in all_shifts if s.day >= period.start]

    tally = _Tally()
    monday = first_monday
    while monday <= period.end:
        _week(monday, days, contract, schedule, weekly, period, holidays, rules, tally)
        monday += timedelta(days=7)

    items = _pay_items(contract, schedule, weekly, rate, period, full, rules, tally)
    gross = sum(item.amount for item in items)
    deductions = _deductions(gross, insurance, employer_entered, period)
    total_deductions = sum(d.amount for d in deductions)
    if total_deductions > gross:
        raise InvalidStatementInput(
            f"the deductions ({total_deductions:,} KRW) exceed the pay ({gross:,} KRW); check "
            "the taxes and other deductions entered",
            f"공제 합계({total_deductions:,}원)가 지급 합계({gross:,}원)보다 큽니다. 입력한 "
            "세금과 기타 공제를 확인하세요",
        )
    worked = [d for d in days.values() if d.day >= period.start]
    statement = WageStatement(
        rules_year=rules_year,
        contract=ref,
        employer=contract.employer.organization_id,
        worker=contract.worker_did,
        period=period,
        headcount=contract.headcount,
        premiums_apply=full,
        ordinary_hourly_wage=_rate_text(rate),
        attendance=Attendance(
            shifts=len(in_period),
            days_worked=len(worked),
            worked_minutes=sum(d.worked for d in worked),
            unconfirmed=sum(1 for s in in_period if not s.confirmed),
            corrected=sum(1 for s in in_period if s.corrected),
        ),
        pay_items=tuple(items),
        deductions=tuple(deductions),
        total_pay=gross,
        total_deductions=total_deductions,
        net_pay=gross - total_deductions,
    )
    _require_mandatory(statement, wage_rules)
    return statement


def _ordinary_rate(
    contract: ContractDraft, schedule: Mapping[Weekday, WorkDay], rules: LaborRules
) -> Fraction:
    """The ordinary hourly wage (통상시급): the hourly wage, a monthly wage over the monthly
    standard hours (209 at 40 h a week), or a daily wage over the contract's average day."""
    wage = contract.wage
    assert wage is not None  # compute_statement checks it first
    if wage.kind is WageKind.HOURLY:
        return Fraction(wage.amount)
    weekly = weekly_contract_minutes(schedule)
    if wage.kind is WageKind.MONTHLY:
        return Fraction(wage.amount, monthly_standard_hours(weekly, rules))
    return Fraction(wage.amount) / Fraction(weekly, 60 * len(schedule))


def _active(contract: ContractDraft, day: date) -> bool:
    period = contract.period
    assert period is not None
    return period.start <= day and (period.end is None or day <= period.end)


def _week(
    monday: date,
    days: Mapping[date, _Day],
    contract: ContractDraft,
    schedule: Mapping[Weekday, WorkDay],
    weekly: int,
    period: PayPeriod,
    holidays: frozenset[date],
    rules: LaborRules,
    tally: _Tally,
) -> None:
    week = [monday + timedelta(days=i) for i in range(7)]
    so_far: dict[Weekday, WorkDay] = {}
    overtime_before = 0
    threshold = rules.premiums.holiday_threshold_hours * 60
    for day in week:
        weekday = _WEEKDAYS[day.weekday()]
        worked = days.get(day)
        holiday = weekday is contract.weekly_holiday or day in holidays
        if worked is None:
            continue
        paid_here = period.start <= day <= period.end
        if paid_here:
            tally.night += sum(night_minutes(d, rules) for d in worked.shift_days)
        if holiday:
            if paid_here:
                tally.holiday_up += min(worked.worked, threshold)
                tally.holiday_over += max(worked.worked - threshold, 0)
            continue
        # Overtime of the week so far minus that before today: today's share of the weekly
        # overtime, exactly as labor.check.overtime_minutes counts a whole week.
        so_far[weekday] = worked.merged
        overtime_now = overtime_minutes(so_far, rules)
        overtime = overtime_now - overtime_before
        overtime_before = overtime_now
        if not paid_here:
            continue
        scheduled = schedule[weekday].worked_minutes if weekday in schedule else 0
        if not _active(contract, day):
            scheduled = 0
        excess = max(worked.worked - scheduled - overtime, 0)
        ordinary = worked.worked - overtime - excess
        tally.overtime += overtime
        tally.excess += excess
        tally.ordinary += ordinary
        tally.ordinary_days += 1 if ordinary else 0
    sunday = week[-1]
    if not period.start <= sunday <= period.end or not weekly_holiday_hours(weekly, rules):
        return
    scheduled_days = [
        d
        for d in week
        if _WEEKDAYS[d.weekday()] in schedule and _active(contract, d) and d not in holidays
    ]
    end = contract.period.end if contract.period else None
    # FACTS.md §1.5: every scheduled day attended, and (MOEL 2021) employment continues past
    # the week.
    continues = end is None or end > sunday
    if scheduled_days and continues:
        if all(d in days for d in scheduled_days):
            tally.holiday_weeks.append(monday)
        else:
            tally.missed_weeks.append(monday)


def _owed(amount: Fraction) -> int:
    return math.ceil(amount)


def _pay_items(
    contract: ContractDraft,
    schedule: Mapping[Weekday, WorkDay],
    weekly: int,
    rate: Fraction,
    period: PayPeriod,
    full: bool,
    rules: LaborRules,
    tally: _Tally,
) -> list[PayItem]:
    wage = contract.wage
    assert wage is not None
    premiums = rules.premiums
    rate_ko = _rate_text(rate)
    items: list[PayItem] = []

    if wage.kind is WageKind.HOURLY:
        items.append(
            PayItem(
                code="base",
                label_ko="기본급",
                label_en="Base pay",
                amount=_owed(Fraction(tally.ordinary, 60) * rate),
                minutes=tally.ordinary,
                method_ko=f"소정근로시간 내 근로 {_h_ko(tally.ordinary)} × 시급 {rate_ko}원",
                method_en=f"{_h_en(tally.ordinary)} within the contract hours x {rate_ko} KRW "
                "an hour",
            )
        )
    elif wage.kind is WageKind.DAILY:
        items.append(
            PayItem(
                code="base",
                label_ko="기본급",
                label_en="Base pay",
                amount=wage.amount * tally.ordinary_days,
                minutes=tally.ordinary,
                method_ko=f"근무일 {tally.ordinary_days}일 × 일급 {wage.amount:,}원",
                method_en=f"{tally.ordinary_days} days worked x {wage.amount:,} KRW a day",
            )
        )
    else:
        employed = [
            period.start + timedelta(days=i)
            for i in range((period.end - period.start).days + 1)
            if _active(contract, period.start + timedelta(days=i))
        ]
        length = (period.end - period.start).days + 1
        whole = len(employed) == length
        items.append(
            PayItem(
                code="base",
                label_ko="기본급",
                label_en="Base pay",
                amount=(
                    wage.amount if whole else _owed(Fraction(wage.amount * len(employed), length))
                ),
                method_ko=(
                    f"월급 {wage.amount:,}원 (주휴수당 포함, 월 소정근로시간 기준)"
                    if whole
                    else f"월급 {wage.amount:,}원 × 재직일 {len(employed)}일 ÷ {length}일"
                ),
                method_en=(
                    f"Monthly wage {wage.amount:,} KRW (weekly holiday pay included)"
                    if whole
                    else f"Monthly wage {wage.amount:,} KRW x {len(employed)} days employed / "
                    f"{length} days"
                ),
            )
        )

    paid_hours = weekly_holiday_hours(weekly, rules)
    if wage.kind is not WageKind.MONTHLY and paid_hours:
        weeks = len(tally.holiday_weeks)
        missed = len(tally.missed_weeks)
        missed_ko = f"; 결근이 있는 {missed}주는 제외" if missed else ""
        missed_en = f"; {missed} week(s) with an absence excluded" if missed else ""
        items.append(
            PayItem(
                code="weekly_holiday",
                label_ko="주휴수당",
                label_en="Weekly holiday pay",
                amount=_owed(paid_hours * weeks * rate),
                minutes=int(paid_hours * weeks * 60),
                method_ko=f"개근한 {weeks}주 × 주휴 {_num(paid_hours)}시간(주 소정 "
                f"{_num(Fraction(weekly, 60))}시간 ÷ 40 × 8) × {rate_ko}원{missed_ko} "
                "(근로기준법 제55조, 제18조 제3항)",
                method_en=f"{weeks} fully attended week(s) x {_num(paid_hours)} h (contract "
                f"{_num(Fraction(weekly, 60))} h / 40 x 8) x {rate_ko} KRW{missed_en} "
                "(LSA Arts. 55 and 18(3))",
            )
        )
    elif not paid_hours:
        items.append(
            PayItem(
                code="weekly_holiday",
                label_ko="주휴수당",
                label_en="Weekly holiday pay",
                amount=0,
                minutes=0,
                method_ko=f"주 소정근로시간 {_num(Fraction(weekly, 60))}시간이 "
                f"{rules.weekly_holiday.threshold_hours}시간 미만이라 주휴수당이 없습니다 "
                "(근로기준법 제18조 제3항)",
                method_en=f"{_num(Fraction(weekly, 60))} contract hours a week is under "
                f"{rules.weekly_holiday.threshold_hours}: no weekly holiday pay (LSA Art. 18(3))",
            )
        )

    if tally.excess:
        percent = contract.excess_hours_premium_percent or 0
        if full and contract.form is FormKind.SHORT_TIME:
            percent = max(percent, premiums.part_time_excess_percent)
        items.append(
            _hours_item(
                "excess",
                ("소정근로시간 초과 근로수당", "Pay for hours beyond the contract"),
                tally.excess,
                rate,
                100 + percent,
                ("계약한 근로시간을 넘는 근로", "hours beyond the contract's"),
                "기간제법 제6조 제3항" if percent else "근로기준법 제43조",
                "Fixed-term Act Art. 6(3)" if percent else "LSA Art. 43",
            )
        )
    if tally.overtime:
        percent = 100 + (premiums.overtime_percent if full else 0)
        items.append(
            _hours_item(
                "overtime",
                ("연장근로수당", "Overtime pay"),
                tally.overtime,
                rate,
                percent,
                ("하루 8시간·주 40시간을 넘는 근로", "hours beyond 8 a day or 40 a week"),
                "근로기준법 제56조 제1항" if full else "5인 미만, 가산 미적용",
                "LSA Art. 56(1)" if full else "under 5 employees, no premium",
            )
        )
    holiday = tally.holiday_up + tally.holiday_over
    if holiday:
        up = 100 + (premiums.holiday_percent_up_to_threshold if full else 0)
        over = 100 + (premiums.holiday_percent_over_threshold if full else 0)
        amount = _owed(
            Fraction(tally.holiday_up, 60) * rate * up / 100
            + Fraction(tally.holiday_over, 60) * rate * over / 100
        )
        basis_ko = "근로기준법 제56조 제2항" if full else "5인 미만, 가산 미적용"
        basis_en = "LSA Art. 56(2)" if full else "under 5 employees, no premium"
        items.append(
            PayItem(
                code="holiday",
                label_ko="휴일근로수당",
                label_en="Holiday work pay",
                amount=amount,
                minutes=holiday,
                method_ko=f"휴일 {_h_ko(tally.holiday_up)} × {rate_ko}원 × {up}%"
                + (
                    f" + 8시간 초과 {_h_ko(tally.holiday_over)} × {rate_ko}원 × {over}%"
                    if tally.holiday_over
                    else ""
                )
                + f" ({basis_ko})",
                method_en=f"{_h_en(tally.holiday_up)} on holidays x {rate_ko} KRW x {up}%"
                + (
                    f" + {_h_en(tally.holiday_over)} beyond 8 h x {rate_ko} KRW x {over}%"
                    if tally.holiday_over
                    else ""
                )
                + f" ({basis_en})",
            )
        )
    if tally.night and full:
        items.append(
            _hours_item(
                "night",
                ("야간근로수당", "Night work premium"),
                tally.night,
                rate,
                premiums.night_percent,
                (
                    f"{premiums.night_start:%H:%M}-{premiums.night_end:%H:%M} 근로의 가산분",
                    f"the premium on work {premiums.night_start:%H:%M}-{premiums.night_end:%H:%M}",
                ),
                "근로기준법 제56조 제3항",
                "LSA Art. 56(3)",
            )
        )
    for allowance in contract.allowances or ():
        items.append(
            PayItem(
                code="allowance",
                label_ko=allowance.name,
                label_en=allowance.name,
                amount=allowance.amount,
                method_ko=f"근로계약서에 정한 월 {allowance.amount:,}원",
                method_en=f"{allowance.amount:,} KRW a month as the contract states",
            )
        )
    return items


def _hours_item(
    code: str,
    labels: tuple[str, str],
    minutes: int,
    rate: Fraction,
    percent: int,
    what: tuple[str, str],
    basis_ko: str,
    basis_en: str,
) -> PayItem:
    rate_text = _rate_text(rate)
    return PayItem(
        code=code,
        label_ko=labels[0],
        label_en=labels[1],
        amount=_owed(Fraction(minutes, 60) * rate * percent / 100),
        minutes=minutes,
        method_ko=f"{what[0]} {_h_ko(minutes)} × {rate_text}원 × {percent}% ({basis_ko})",
        method_en=f"{_h_en(minutes)} of {what[1]} x {rate_text} KRW x {percent}% ({basis_en})",
    )


_INSURANCE_LABELS = {
    "national_pension": ("국민연금", "National pension"),
    "health": ("건강보험", "Health insurance"),
    "long_term_care": ("장기요양보험", "Long-term care insurance"),
    "employment": ("고용보험", "Employment insurance"),
}


def _deductions(
    gross: int, insurance: InsuranceInput, entered: EmployerEntered, period: PayPeriod
) -> list[Deduction]:
    rules = InsuranceRules.for_date(period.start)
    paid: Contributions = monthly_contributions(
        gross, insurance.coverage, insurance.employer, rules, period.start
    )
    coverage = insurance.coverage
    reasons = {
        "national_pension": coverage.national_pension,
        "health": coverage.health,
        "long_term_care": coverage.health,
        "employment": coverage.employment,
    }
    deductions = []
    for code, (label_ko, label_en) in _INSURANCE_LABELS.items():
        line: Line = getattr(paid, code)
        decision = reasons[code]
        if not line.applies or not line.worker_rate:
            method_ko, method_en = f"공제 없음: {decision.reason_ko}", f"None: {decision.reason_en}"
        elif code == "long_term_care":
            method_ko = (
                f"건강보험료 {paid.health.worker:,}원 × {_pct(line.worker_rate)} (10원 미만 절사)"
            )
            method_en = f"Health share {paid.health.worker:,} KRW x {_pct(line.worker_rate)}"
        else:
            base_ko = "기준소득월액" if code == "national_pension" else "보수월액"
            method_ko = f"{base_ko} {line.base:,}원 × {_pct(line.worker_rate)} (10원 미만 절사)"
            method_en = f"Base {line.base:,} KRW x {_pct(line.worker_rate)} (truncated to 10 KRW)"
        deductions.append(
            Deduction(
                code=code,
                label_ko=label_ko,
                label_en=label_en,
                amount=line.worker,
                method_ko=method_ko,
                method_en=method_en,
            )
        )
    deductions.append(
        Deduction(
            code="income_tax",
            label_ko="소득세",
            label_en="Income tax",
            amount=entered.income_tax,
            method_ko="사업주가 간이세액표에 따라 입력한 원천징수액",
            method_en="Withheld as entered by the employer (simplified withholding table)",
        )
    )
    deductions.append(
        Deduction(
            code="local_income_tax",
            label_ko="지방소득세",
            label_en="Local income tax",
            amount=entered.local_income_tax,
            method_ko="사업주가 입력한 원천징수액",
            method_en="Withheld as entered by the employer",
        )
    )
    for other in entered.other_deductions:
        deductions.append(
            Deduction(
                code="other",
                label_ko=other.label,
                label_en=other.label,
                amount=other.amount,
                method_ko="근로자와 합의한 공제 (근로기준법 제43조 제1항 단서)",
                method_en="Deduction agreed with the worker (LSA Art. 43(1) proviso)",
            )
        )
    return deductions


def _require_mandatory(statement: WageStatement, rules: WageRules) -> None:
    """Refuse a statement missing an item the law requires (FACTS.md §1.9)."""
    present = {
        "worker": bool(statement.worker),
        "pay_date": statement.period.pay_date is not None,
        "total_pay": statement.total_pay >= 0,
        "pay_items": bool(statement.pay_items),
        "calculation_methods": all(i.method_ko and i.method_en for i in statement.pay_items),
        "premium_hours": all(
            i.minutes is not None
            for i in statement.pay_items
            if i.code in ("overtime", "night", "holiday", "excess")
        ),
        "deductions": {"income_tax", "local_income_tax"} <= {d.code for d in statement.deductions},
    }
    missing = [item for item in rules.mandatory_items.value if not present[item]]
    if missing:
        raise InvalidStatementInput(
            f"the statement lacks mandatory items {missing} ({rules.mandatory_items.source})",
            f"임금명세서 필수 항목이 없습니다: {missing}",
        )


def _rate_text(rate: Fraction) -> str:
    if rate.denominator == 1:
        return f"{rate.numerator:,}"
    return f"{float(rate):,.2f}"


def _pct(rate: Any) -> str:
    return f"{rate * 100:g}%"


def _num(value: Fraction) -> str:
    return f"{round(float(value), 2):g}"


def _h_ko(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}시간" + (f" {rest}분" if rest else "")


def _h_en(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")
