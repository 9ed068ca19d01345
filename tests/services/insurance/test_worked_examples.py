"""The six worked examples of issue 6, with every amount computed by hand.

All on 2026-03-10: pension 4.75 % + 4.75 % of the standard monthly income (floor 400,000,
ceiling 6,370,000 for 2025-07..2026-06), health 3.595 % + 3.595 %, long-term care 13.14 % of
each health share, employment 0.9 % + 0.9 % plus the employer's 0.25 % (under 150 workers),
industrial accident for construction 3.5 % + 0.06 % commuting = 3.56 %, employer only. Every
share is truncated below 10 won. Hourly wage 10,320 (2026 minimum); a month is 4.345 weeks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from blockcity.services.insurance import (
    EmployerFacts,
    EmploymentFacts,
    InsuranceRules,
    WorkerFacts,
    coverage,
    monthly_contributions,
)

ON = date(2026, 3, 10)


@pytest.fixture(scope="module")
def rules() -> InsuranceRules:
    return InsuranceRules.for_date(ON)


SITE_OF_12 = EmployerFacts(employees=12, industry="construction")
SHOP_OF_4 = EmployerFacts(employees=4, industry="construction")


def _amounts(
    pay: int,
    worker: WorkerFacts,
    job: EmploymentFacts,
    employer: EmployerFacts,
    rules: InsuranceRules,
) -> dict[str, tuple[int, int]]:
    result = monthly_contributions(pay, coverage(worker, job, rules), employer, rules, ON)
    return {
        "pension": (result.national_pension.worker, result.national_pension.employer),
        "health": (result.health.worker, result.health.employer),
        "care": (result.long_term_care.worker, result.long_term_care.employer),
        "employment": (result.employment.worker, result.employment.employer),
        "accident": (result.industrial_accident.worker, result.industrial_accident.employer),
        "totals": (result.worker_total, result.employer_total),
    }


def test_four_day_part_timer_under_15_hours_pays_pension_and_employment_but_not_health(
    rules: InsuranceRules,
) -> None:
    # 4 days x 3 h = 12 h a week; 12 x 4.345 = 52.14 h a month (< 60, short-time work).
    # Pay: 52.14 h x 10,320 = 538,084.8 -> 538,084 (no weekly holiday pay under 15 h).
    worker = WorkerFacts(age=30, age_at_hire=30)
    job = EmploymentFacts(start=date(2026, 3, 2), weekly_hours=Decimal(12), days_per_week=4)
    decided = coverage(worker, job, rules)
    # Pension: open-ended (>= 1 month) and 4 x 4.345 = 17.38 days a month (>= 8): covered.
    assert decided.national_pension.applies
    assert not decided.health.applies and not decided.long_term_care
    # Employment: short-time but continuing 3 months or more: covered.
    assert decided.employment.applies and decided.employment.unemployment_part
    assert decided.industrial_accident.applies
    assert _amounts(538_084, worker, job, SITE_OF_12, rules) == {
        # base 538,000 (truncated to 1,000) x 0.0475 = 25,555 -> 25,550 each
        "pension": (25_550, 25_550),
        "health": (0, 0),
        "care": (0, 0),
        # 538,084 x 0.009 = 4,842.756 -> 4,840; x 0.0115 = 6,187.966 -> 6,180
        "employment": (4_840, 6_180),
        # 538,084 x 0.0356 = 19,155.79 -> 19,150
        "accident": (0, 19_150),
        # worker 25,550 + 4,840; employer 25,550 + 6,180 + 19,150
        "totals": (30_390, 50_880),
    }


def test_five_day_part_timer_over_15_hours_is_covered_by_all_four(rules: InsuranceRules) -> None:
    # 5 days x 4 h = 20 h a week; 20 x 4.345 = 86.9 h a month. Weekly holiday: 20/40 x 8 = 4 h
    # a week, 17.38 h a month. Pay: (86.9 + 17.38) x 10,320 = 1,076,169.6 -> 1,076,169.
    worker = WorkerFacts(age=25, age_at_hire=25)
    job = EmploymentFacts(start=date(2026, 3, 2), weekly_hours=Decimal(20), days_per_week=5)
    decided = coverage(worker, job, rules)
    assert all(d.applies for d in decided.decisions()) and decided.long_term_care
    assert _amounts(1_076_169, worker, job, SITE_OF_12, rules) == {
        # base 1,076,000 x 0.0475 = 51,110 each
        "pension": (51_110, 51_110),
        # 1,076,169 x 0.03595 = 38,688.28 -> 38,680 each
        "health": (38_680, 38_680),
        # 38,680 x 0.1314 = 5,082.55 -> 5,080 each
        "care": (5_080, 5_080),
        # x 0.009 = 9,685.52 -> 9,680; x 0.0115 = 12,375.94 -> 12,370
        "employment": (9_680, 12_370),
        # x 0.0356 = 38,311.62 -> 38,310
        "accident": (0, 38_310),
        # worker 51,110 + 38,680 + 5,080 + 9,680; employer 51,110 + 38,680 + 5,080 + 12,370 + 38,310
        "totals": (104_550, 145_550),
    }


def test_full_timer_with_night_and_holiday_work_at_a_site_of_12(rules: InsuranceRules) -> None:
    # 209 h x 10,320 = 2,156,880; 8 night hours inside them earn +50 %: 8 x 5,160 = 41,280;
    # 8 holiday hours at 150 % (LSA Art. 56, 5+ workers): 8 x 15,480 = 123,840.
    # Pay: 2,156,880 + 41,280 + 123,840 = 2,322,000.
    worker = WorkerFacts(age=40, age_at_hire=38)
    job = EmploymentFacts(start=date(2024, 5, 1), weekly_hours=Decimal(40), days_per_week=5)
    assert _amounts(2_322_000, worker, job, SITE_OF_12, rules) == {
        # 2,322,000 x 0.0475 = 110,295 -> 110,290
        "pension": (110_290, 110_290),
        # x 0.03595 = 83,475.9 -> 83,470
        "health": (83_470, 83_470),
        # 83,470 x 0.1314 = 10,967.96 -> 10,960
        "care": (10_960, 10_960),
        # x 0.009 = 20,898 -> 20,890; x 0.0115 = 26,703 -> 26,700
        "employment": (20_890, 26_700),
        # x 0.0356 = 82,663.2 -> 82,660
        "accident": (0, 82_660),
        # worker 110,290 + 83,470 + 10,960 + 20,890;
        # employer 110,290 + 83,470 + 10,960 + 26,700 + 82,660
        "totals": (225_610, 314_080),
    }


def test_same_full_timer_at_a_shop_of_4_pays_on_pay_without_premiums(
    rules: InsuranceRules,
) -> None:
    # Under 5 workers LSA Art. 56 does not apply: night hours earn no premium and the 8 holiday
    # hours are paid at 100 %. Pay: 2,156,880 + 8 x 10,320 = 2,239,440.
    worker = WorkerFacts(age=40, age_at_hire=38)
    job = EmploymentFacts(start=date(2024, 5, 1), weekly_hours=Decimal(40), days_per_week=5)
    assert _amounts(2_239_440, worker, job, SHOP_OF_4, rules) == {
        # base 2,239,000 x 0.0475 = 106,352.5 -> 106,350
        "pension": (106_350, 106_350),
        # 2,239,440 x 0.03595 = 80,507.87 -> 80,500
        "health": (80_500, 80_500),
        # 80,500 x 0.1314 = 10,577.7 -> 10,570
        "care": (10_570, 10_570),
        # x 0.009 = 20,154.96 -> 20,150; x 0.0115 = 25,753.56 -> 25,750
        "employment": (20_150, 25_750),
        # x 0.0356 = 79,724.06 -> 79,720
        "accident": (0, 79_720),
        # worker 106,350 + 80,500 + 10,570 + 20,150;
        # employer 106,350 + 80,500 + 10,570 + 25,750 + 79,720
        "totals": (217_570, 302_890),
    }


def test_66_year_old_new_hire_pays_no_pension_and_no_unemployment_part(
    rules: InsuranceRules,
) -> None:
    # Full time, 209 h x 10,320 = 2,156,880.
    worker = WorkerFacts(age=66, age_at_hire=66)
    job = EmploymentFacts(start=date(2026, 3, 2), weekly_hours=Decimal(40), days_per_week=5)
    decided = coverage(worker, job, rules)
    assert not decided.national_pension.applies
    assert "66" in decided.national_pension.reason_en
    assert decided.health.applies
    assert decided.employment.applies and not decided.employment.unemployment_part
    assert "Art. 10(2)" in decided.employment.reason_en
    assert _amounts(2_156_880, worker, job, SITE_OF_12, rules) == {
        "pension": (0, 0),
        # 2,156,880 x 0.03595 = 77,539.84 -> 77,530
        "health": (77_530, 77_530),
        # 77,530 x 0.1314 = 10,187.44 -> 10,180
        "care": (10_180, 10_180),
        # worker nothing; employer stability only: 2,156,880 x 0.0025 = 5,392.2 -> 5,390
        "employment": (0, 5_390),
        # x 0.0356 = 76,784.93 -> 76,780
        "accident": (0, 76_780),
        # worker 77,530 + 10,180; employer 77,530 + 10,180 + 5,390 + 76,780
        "totals": (87_710, 169_880),
    }


def test_worker_under_60_hours_a_month_on_a_short_contract_has_only_accident_cover(
    rules: InsuranceRules,
) -> None:
    # 1 day x 7 h a week, 2026-03-01..2026-04-30 (2 months): 7 x 4.345 = 30.415 h a month,
    # 4.345 days a month (< 8). Pay: 30.415 x 10,320 = 313,882.8 -> 313,882.
    worker = WorkerFacts(age=22, age_at_hire=22)
    job = EmploymentFacts(
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        weekly_hours=Decimal(7),
        days_per_week=1,
    )
    decided = coverage(worker, job, rules)
    assert [d.applies for d in decided.decisions()] == [False, False, False, True]
    assert "60" in decided.health.reason_en and "60" in decided.health.reason_ko
    assert _amounts(313_882, worker, job, SITE_OF_12, rules) == {
        "pension": (0, 0),
        "health": (0, 0),
        "care": (0, 0),
        "employment": (0, 0),
        # 313,882 x 0.0356 = 11,174.20 -> 11,170
        "accident": (0, 11_170),
        "totals": (0, 11_170),
    }
