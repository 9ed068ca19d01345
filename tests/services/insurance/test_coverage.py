"""Coverage decisions beyond the worked examples: ages, day labour, contract lengths."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from blockcity.services.insurance import EmploymentFacts, InsuranceRules, WorkerFacts, coverage

RULES = InsuranceRules.for_date(date(2026, 3, 10))
FULL_TIME = EmploymentFacts(start=date(2026, 3, 2), weekly_hours=Decimal(40), days_per_week=5)


def test_worker_insured_before_65_keeps_the_unemployment_part() -> None:
    decided = coverage(WorkerFacts(age=66, age_at_hire=63), FULL_TIME, RULES)
    assert decided.employment.applies and decided.employment.unemployment_part


@pytest.mark.parametrize(("age", "covered"), [(17, False), (18, True), (59, True), (60, False)])
def test_pension_covers_18_to_under_60(age: int, covered: bool) -> None:
    decided = coverage(WorkerFacts(age=age, age_at_hire=min(age, 17)), FULL_TIME, RULES)
    assert decided.national_pension.applies is covered


def test_health_has_no_age_limit() -> None:
    assert coverage(WorkerFacts(age=90, age_at_hire=88), FULL_TIME, RULES).health.applies


def test_day_labourer_for_two_weeks_has_employment_but_not_health() -> None:
    job = EmploymentFacts(
        start=date(2026, 3, 2),
        end=date(2026, 3, 13),
        weekly_hours=Decimal(40),
        days_per_week=5,
        day_labour=True,
    )
    decided = coverage(WorkerFacts(age=45, age_at_hire=45), job, RULES)
    assert not decided.health.applies and "Day labourers" in decided.health.reason_en
    assert decided.employment.applies


def test_short_time_worker_for_under_three_months_is_not_employment_insured() -> None:
    # 2026-03-02..2026-05-31 is one day short of 3 months (3 months end on 2026-06-01).
    job = EmploymentFacts(
        start=date(2026, 3, 2), end=date(2026, 5, 31), weekly_hours=Decimal(10), days_per_week=2
    )
    decided = coverage(WorkerFacts(age=30, age_at_hire=30), job, RULES)
    assert not decided.employment.applies
    longer = job.model_copy(update={"end": date(2026, 6, 1)})
    assert coverage(WorkerFacts(age=30, age_at_hire=30), longer, RULES).employment.applies


def test_fourteen_hours_a_week_is_short_time_even_above_60_hours_a_month() -> None:
    # 14 x 4.345 = 60.83 h a month, but under 15 h a week (EI Act Decree Art. 3(1)).
    job = EmploymentFacts(start=date(2026, 3, 2), weekly_hours=Decimal(14), days_per_week=1)
    decided = coverage(WorkerFacts(age=30, age_at_hire=30), job, RULES)
    assert not decided.health.applies
    # Pension: 60 h or more in a month over an open-ended contract is an exception that holds.
    assert decided.national_pension.applies


def test_pension_for_short_time_work_needs_a_month_of_employment() -> None:
    # 4 days a week is 17.38 days a month, but the contract lasts 3 weeks.
    job = EmploymentFacts(
        start=date(2026, 3, 2), end=date(2026, 3, 22), weekly_hours=Decimal(12), days_per_week=4
    )
    assert not coverage(WorkerFacts(age=30, age_at_hire=30), job, RULES).national_pension.applies


def test_every_decision_gives_a_reason_in_both_languages() -> None:
    for decision in coverage(WorkerFacts(age=30, age_at_hire=30), FULL_TIME, RULES).decisions():
        assert decision.reason_ko and decision.reason_en
        assert "FACTS.md" in decision.reason_en and "FACTS.md" in decision.reason_ko


def test_facts_refuse_floats_and_impossible_values() -> None:
    with pytest.raises(ValidationError):
        EmploymentFacts(start=date(2026, 3, 2), weekly_hours=40.0, days_per_week=5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        EmploymentFacts(
            start=date(2026, 3, 2), end=date(2026, 3, 1), weekly_hours=Decimal(8), days_per_week=1
        )
    with pytest.raises(ValidationError):
        WorkerFacts(age=30, age_at_hire=31)
