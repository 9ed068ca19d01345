"""Shifts for the wage tests, in the shape ``node.attendance.shifts`` returns them, and the
insurance facts of a contract, so each worked example reads as its month of attendance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from blockcity.services.insurance import (
    EmployerFacts,
    InsuranceRules,
    WorkerFacts,
    coverage,
)
from blockcity.services.labor import ContractDraft
from blockcity.services.wages import InsuranceInput, employment_facts

SEOUL = ZoneInfo("Asia/Seoul")
MARCH = [date(2026, 3, day) for day in range(1, 32)]


@dataclass(frozen=True)
class Shift:
    day: date
    start: datetime
    end: datetime
    break_minutes: int
    confirmed: bool = True
    corrected: bool = False


def shift(day: date, start: str, end: str, break_minutes: int = 0) -> Shift:
    """A shift in Seoul time; an end at or before the start is the next morning."""
    begin = datetime.combine(day, time.fromisoformat(start), SEOUL)
    finish = datetime.combine(day, time.fromisoformat(end), SEOUL)
    if finish <= begin:
        finish += timedelta(days=1)
    return Shift(day, begin, finish, break_minutes)


def on(weekdays: Iterable[int], start: str, end: str, break_minutes: int = 0) -> list[Shift]:
    """A shift on each March 2026 day from the 2nd whose weekday (Monday 0) is listed."""
    wanted = set(weekdays)
    return [
        shift(day, start, end, break_minutes)
        for day in MARCH
        if day >= date(2026, 3, 2) and day.weekday() in wanted
    ]


def insurance(contract: ContractDraft, age: int, age_at_hire: int | None = None) -> InsuranceInput:
    rules = InsuranceRules.for_date(date(2026, 3, 1))
    decided = coverage(
        WorkerFacts(age=age, age_at_hire=age if age_at_hire is None else age_at_hire),
        employment_facts(contract),
        rules,
    )
    employer = EmployerFacts(employees=contract.headcount, industry="construction")
    return InsuranceInput(coverage=decided, employer=employer)
