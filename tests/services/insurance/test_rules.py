"""The insurance data files: dates they cover, July pension periods, rounding, no floats."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from blockcity.errors import InvalidInput
from blockcity.services.insurance import (
    EmployerFacts,
    EmploymentFacts,
    InsuranceRules,
    InsuranceRulesMissing,
    UnknownIndustry,
    WorkerFacts,
    coverage,
    monthly_contributions,
    pension_base,
)
from blockcity.services.insurance.rules import Rounding, add_months_period_end

CONSTRUCTION = EmployerFacts(employees=12, industry="construction")
WORKER = WorkerFacts(age=35, age_at_hire=35)
FULL_TIME = EmploymentFacts(start=date(2025, 1, 2), weekly_hours=Decimal(40), days_per_week=5)


def _pension_worker_share(pay: int, on: date) -> tuple[int, int]:
    rules = InsuranceRules.for_date(on)
    result = monthly_contributions(pay, coverage(WORKER, FULL_TIME, rules), CONSTRUCTION, rules, on)
    return result.national_pension.base, result.national_pension.worker


def test_pension_ceiling_rises_on_1_july_2026() -> None:
    # June: ceiling 6,370,000 x 0.0475 = 302,575 -> 302,570.
    assert _pension_worker_share(6_500_000, date(2026, 6, 30)) == (6_370_000, 302_570)
    # July: ceiling 6,590,000 is above the pay: 6,500,000 x 0.0475 = 308,750.
    assert _pension_worker_share(6_500_000, date(2026, 7, 1)) == (6_500_000, 308_750)


def test_pension_floor_rises_on_1_july_2026() -> None:
    # June: floor 400,000 is below the pay: 405,000 x 0.0475 = 19,237.5 -> 19,230.
    assert _pension_worker_share(405_000, date(2026, 6, 30)) == (405_000, 19_230)
    # July: floor 410,000: 410,000 x 0.0475 = 19,475 -> 19,470.
    assert _pension_worker_share(405_000, date(2026, 7, 1)) == (410_000, 19_470)


def test_pension_floor_and_ceiling_of_2025_before_and_after_july() -> None:
    # 2025-06-30: 2024-07 period, ceiling 6,170,000 x 0.045 = 277,650.
    assert _pension_worker_share(9_000_000, date(2025, 6, 30)) == (6_170_000, 277_650)
    # 2025-07-01: ceiling 6,370,000 x 0.045 = 286,650.
    assert _pension_worker_share(9_000_000, date(2025, 7, 1)) == (6_370_000, 286_650)


def test_rules_of_one_period_are_refused_on_a_date_of_the_next() -> None:
    june = InsuranceRules.for_date(date(2026, 6, 30))
    assert (june.valid_from, june.valid_to) == (date(2026, 1, 1), date(2026, 6, 30))
    with pytest.raises(InvalidInput) as caught:
        monthly_contributions(
            2_000_000, coverage(WORKER, FULL_TIME, june), CONSTRUCTION, june, date(2026, 7, 1)
        )
    assert "2026-07-01" in caught.value.message_en


def test_year_without_rates_is_refused_naming_the_years_on_file() -> None:
    with pytest.raises(InsuranceRulesMissing) as caught:
        InsuranceRules.for_date(date(2027, 1, 1))
    assert caught.value.status == 404
    assert "2024, 2025, 2026" in caught.value.message_en
    assert "2027년" in caught.value.message_ko


def test_date_without_pension_limits_is_refused_naming_the_periods_on_file() -> None:
    # FACTS.md §2.2 gives no floor and ceiling before 2024-07.
    with pytest.raises(InsuranceRulesMissing) as caught:
        InsuranceRules.for_date(date(2024, 3, 1))
    assert "2024-07-01..2025-06-30" in caught.value.message_en
    assert caught.value.detail["known_periods"] == [
        "2024-07-01..2025-06-30",
        "2025-07-01..2026-06-30",
        "2026-07-01..2027-06-30",
    ]


def test_unknown_industry_is_refused_naming_the_industries_on_file() -> None:
    on = date(2026, 3, 10)
    rules = InsuranceRules.for_date(on)
    restaurant = EmployerFacts(employees=3, industry="restaurant")
    with pytest.raises(UnknownIndustry) as caught:
        monthly_contributions(2_000_000, coverage(WORKER, FULL_TIME, rules), restaurant, rules, on)
    assert caught.value.code == "insurance-unknown-industry"
    assert "coal_mining_quarrying, construction" in caught.value.message_en


def test_each_year_has_the_rates_facts_gives() -> None:
    by_year = {y: InsuranceRules.for_date(date(y, 9, 1)).year for y in (2024, 2025, 2026)}
    pension = {y: r.national_pension.worker_rate.value for y, r in by_year.items()}
    health = {y: r.health.worker_rate.value for y, r in by_year.items()}
    care = {y: r.long_term_care.rate_of_health.value for y, r in by_year.items()}
    assert pension == {2024: Decimal("0.045"), 2025: Decimal("0.045"), 2026: Decimal("0.0475")}
    assert health == {2024: Decimal("0.03545"), 2025: Decimal("0.03545"), 2026: Decimal("0.03595")}
    assert care == {2024: Decimal("0.1295"), 2025: Decimal("0.1295"), 2026: Decimal("0.1314")}
    for rules in by_year.values():
        assert rules.employment.worker_rate.value == Decimal("0.009")
        assert rules.industrial_accident.commuting_rate.value == Decimal("0.0006")


def test_every_rate_in_the_data_names_its_source() -> None:
    rules = InsuranceRules.for_date(date(2026, 3, 10)).year
    sourced = [
        rules.national_pension.worker_rate,
        rules.health.employer_rate,
        rules.long_term_care.rate_of_health,
        rules.employment.stability.large_or_public,
        rules.industrial_accident.industries["construction"].rate,
    ]
    assert all(("FACTS.md" in r.source or "http" in r.source) for r in sourced)


def test_data_files_hold_no_json_floats() -> None:
    def refuse(text: str) -> Decimal:
        raise AssertionError(f"float {text} in an insurance data file; write rates as strings")

    folder = resources.files("blockcity.services.insurance") / "data"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
    assert names == ["2024.json", "2025.json", "2026.json", "pension_income_limits.json"]
    for name in names:
        json.loads((folder / name).read_text(encoding="utf-8"), parse_float=refuse)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("19.99", 10), ("0", 0), ("9.99", 0), ("25555", 25_550), ("25550", 25_550)],
)
def test_premiums_are_truncated_below_10_won(amount: str, expected: int) -> None:
    rounding = Rounding(unit=10, mode="down", source="test")
    assert rounding.apply(Decimal(amount)) == expected


def test_pension_base_truncates_to_1000_won_before_clamping() -> None:
    rules = InsuranceRules.for_date(date(2026, 3, 10))
    assert pension_base(538_999, rules) == 538_000
    assert pension_base(0, rules) == 400_000
    assert pension_base(10**9, rules) == 6_370_000


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 3, 1), 1, date(2026, 3, 31)),
        (date(2026, 3, 10), 3, date(2026, 6, 9)),
        # Civil Act Art. 160(3): no 31 February, so the month ends on the 28th.
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), 2, date(2027, 1, 14)),
    ],
)
def test_periods_in_months_end_as_the_civil_act_says(start: date, months: int, end: date) -> None:
    assert add_months_period_end(start, months) == end
