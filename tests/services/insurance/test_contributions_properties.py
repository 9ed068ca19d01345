"""Properties of the contributions for any pay, contract and employer: shares never negative,
totals the sums of their parts, more pay never less premium, integers and Decimals only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.errors import InvalidInput
from blockcity.services.insurance import (
    Contributions,
    EmployerFacts,
    EmploymentFacts,
    InsuranceRules,
    WorkerFacts,
    coverage,
    monthly_contributions,
    stability_rate,
)

ON = date(2026, 3, 10)
RULES = InsuranceRules.for_date(ON)

workers = st.integers(min_value=15, max_value=80).flatmap(
    lambda age: st.builds(
        WorkerFacts, age=st.just(age), age_at_hire=st.integers(min_value=15, max_value=age)
    )
)
jobs = st.builds(
    EmploymentFacts,
    start=st.just(date(2026, 1, 5)),
    end=st.one_of(st.none(), st.dates(min_value=date(2026, 1, 5), max_value=date(2027, 12, 31))),
    weekly_hours=st.decimals(min_value=1, max_value=52, places=1),
    days_per_week=st.integers(min_value=1, max_value=6),
    day_labour=st.booleans(),
)
employers = st.builds(
    EmployerFacts,
    employees=st.integers(min_value=1, max_value=5000),
    industry=st.sampled_from(["construction", "coal_mining_quarrying"]),
    priority_support=st.booleans(),
    public_body=st.booleans(),
)
pays = st.integers(min_value=0, max_value=30_000_000)


def _compute(
    pay: int, worker: WorkerFacts, job: EmploymentFacts, employer: EmployerFacts
) -> Contributions:
    return monthly_contributions(pay, coverage(worker, job, RULES), employer, RULES, ON)


@given(pays, workers, jobs, employers)
def test_shares_are_never_negative_and_totals_are_sums_of_parts(
    pay: int, worker: WorkerFacts, job: EmploymentFacts, employer: EmployerFacts
) -> None:
    result = _compute(pay, worker, job, employer)
    lines = result.lines()
    assert all(line.worker >= 0 and line.employer >= 0 for line in lines)
    assert all(line.worker % 10 == 0 and line.employer % 10 == 0 for line in lines)
    assert result.worker_total == sum(line.worker for line in lines)
    assert result.employer_total == sum(line.employer for line in lines)
    assert result.total == result.worker_total + result.employer_total
    assert result.industrial_accident.worker == 0


@given(pays, pays, workers, jobs, employers)
def test_more_pay_never_means_less_premium(
    a: int, b: int, worker: WorkerFacts, job: EmploymentFacts, employer: EmployerFacts
) -> None:
    low, high = sorted((a, b))
    assert _compute(low, worker, job, employer).total <= _compute(high, worker, job, employer).total


@given(pays, workers, jobs, employers)
def test_amounts_are_int_and_rates_decimal_never_float(
    pay: int, worker: WorkerFacts, job: EmploymentFacts, employer: EmployerFacts
) -> None:
    result = _compute(pay, worker, job, employer)
    for line in result.lines():
        for amount in (line.base, line.worker, line.employer, line.total):
            assert type(amount) is int
        assert type(line.worker_rate) is Decimal and type(line.employer_rate) is Decimal
    for total in (result.worker_total, result.employer_total, result.total):
        assert type(total) is int


@pytest.mark.parametrize(
    ("employees", "priority", "public", "rate"),
    [
        (149, False, False, "0.0025"),
        (150, True, False, "0.0045"),
        (150, False, False, "0.0065"),
        (999, False, False, "0.0065"),
        (1000, True, False, "0.0085"),
        (3, False, True, "0.0085"),
    ],
)
def test_employer_stability_rate_follows_the_size_bands(
    employees: int, priority: bool, public: bool, rate: str
) -> None:
    employer = EmployerFacts(
        employees=employees, industry="construction", priority_support=priority, public_body=public
    )
    assert stability_rate(employer, RULES).value == Decimal(rate)


@pytest.mark.parametrize("pay", [-1, 1.5, True, Decimal(100)])
def test_pay_that_is_not_whole_won_is_refused(pay: object) -> None:
    worker = WorkerFacts(age=30, age_at_hire=30)
    job = EmploymentFacts(start=date(2026, 1, 5), weekly_hours=Decimal(40), days_per_week=5)
    with pytest.raises(InvalidInput):
        monthly_contributions(
            pay,  # type: ignore[arg-type]
            coverage(worker, job, RULES),
            EmployerFacts(employees=5, industry="construction"),
            RULES,
            ON,
        )
