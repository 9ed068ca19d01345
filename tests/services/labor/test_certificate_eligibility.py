"""Which jobs a certificate of employment may cover (LSA Art. 39, Enforcement Decree Art. 19),
with every date counted by hand: at least 30 consecutive days counted inclusively, and a
request within 3 years after leaving (the day of leaving not counted, Civil Act Arts. 157 and
160)."""

from __future__ import annotations

from datetime import date

import pytest

from blockcity.services.labor import (
    Bar,
    Certificate,
    Eligibility,
    available_years,
    certificate_eligibility,
)
from blockcity.services.labor import rules as labor_rules
from blockcity.services.labor.model import Period


def judge(
    start: str, end: str | None, requested_on: str, rule: Certificate | None = None
) -> Eligibility:
    """The verdict under ``rule``, or the Decree in force on the request day."""
    period = Period(start=date.fromisoformat(start), end=date.fromisoformat(end) if end else None)
    return certificate_eligibility(period, date.fromisoformat(requested_on), rule)


def test_the_decree_art_19_figures_are_data_with_their_source() -> None:
    rule = Certificate.on(date(2026, 11, 25))
    assert (rule.min_continuous_days, rule.request_years_after_end) == (30, 3)
    assert "Decree Art. 19" in rule.source and "FACTS.md §1.10" in rule.source
    assert rule.basis_ko == "근로기준법 시행령 제19조"


def test_requests_in_a_year_without_labour_rules_are_still_judged() -> None:
    # The Decree is versioned by its amendments, not by the yearly minimum-wage files: a
    # request in a year with no year file yet (no minimum wage decided) is judged all the same.
    assert 2031 not in available_years()
    assert judge("2026-03-02", "2026-12-31", "2029-12-31").eligible
    assert not judge("2026-03-02", "2026-12-31", "2030-01-01").eligible


def test_job_of_29_days_is_refused_naming_its_dates_and_the_decree() -> None:
    # 2 to 30 March counted inclusively: 30 - 2 + 1 = 29 days.
    verdict = judge("2026-03-02", "2026-03-30", "2026-04-10")
    assert not verdict.eligible and verdict.days == 29
    (refusal,) = verdict.refusals
    assert refusal.code is Bar.TOO_SHORT
    assert refusal.message_en == (
        "this job lasted 29 days (2026-03-02 to 2026-03-30); a certificate needs at least 30 "
        "consecutive days (Enforcement Decree of the Labor Standards Act, Art. 19)"
    )
    assert refusal.message_ko == (
        "이 근무는 29일(2026-03-02~2026-03-30)입니다. 사용증명서는 30일 이상 계속 근무한 "
        "경우에 받을 수 있습니다(근로기준법 시행령 제19조)."
    )
    assert refusal.figures == {
        "start": "2026-03-02",
        "counted_to": "2026-03-30",
        "days": 29,
        "min_days": 30,
    }


def test_the_example_of_21_days_is_refused_in_both_languages() -> None:
    # 2 to 22 March: 22 - 2 + 1 = 21 days.
    (refusal,) = judge("2026-03-02", "2026-03-22", "2026-05-01").refusals
    assert "this job lasted 21 days (2026-03-02 to 2026-03-22)" in refusal.message_en
    assert "21일(2026-03-02~2026-03-22)" in refusal.message_ko


@pytest.mark.parametrize(("end", "days"), [("2026-03-31", 30), ("2026-04-01", 31)])
def test_jobs_of_30_and_31_days_may_be_certified(end: str, days: int) -> None:
    verdict = judge("2026-03-02", end, "2026-04-10")
    assert verdict.eligible and verdict.days == days and verdict.refusals == ()


def test_february_of_a_leap_year_has_one_day_more() -> None:
    # 1 February to 1 March: 29 + 1 = 30 days in 2028 (a leap year), 28 + 1 = 29 in 2027.
    assert judge("2028-02-01", "2028-03-01", "2028-03-10").days == 30
    assert judge("2028-02-01", "2028-03-01", "2028-03-10").eligible
    common = judge("2027-02-01", "2027-03-01", "2027-03-10")
    assert common.days == 29 and [r.code for r in common.refusals] == [Bar.TOO_SHORT]


def test_current_job_counts_to_the_request_day_and_says_when_it_can_be_asked() -> None:
    # Open-ended from 2 March: on 30 March it has lasted 29 days, on 31 March 30 days.
    early = judge("2026-03-02", None, "2026-03-30")
    assert early.days == 29 and early.eligible_from == date(2026, 3, 31)
    assert early.eligible_until is None
    (refusal,) = early.refusals
    assert "has lasted 29 days so far (2026-03-02 to 2026-03-30)" in refusal.message_en
    assert refusal.message_en.endswith("it can be asked for from 2026-03-31")
    assert "2026-03-31부터 요청할 수 있습니다" in refusal.message_ko
    on_time = judge("2026-03-02", None, "2026-03-31")
    assert on_time.eligible and on_time.days == 30


def test_fixed_term_job_still_running_counts_to_the_request_day() -> None:
    # Until 31 December, asked for on 15 March: 15 - 2 + 1 = 14 days so far.
    verdict = judge("2026-03-02", "2026-12-31", "2026-03-15")
    assert verdict.days == 14 and verdict.eligible_from == date(2026, 3, 31)
    assert judge("2026-03-02", "2026-12-31", "2026-06-01").eligible


def test_contract_too_short_to_ever_qualify_says_so() -> None:
    # 2 to 20 March is 19 days in all; on 10 March 9 days have passed.
    verdict = judge("2026-03-02", "2026-03-20", "2026-03-10")
    assert verdict.days == 9 and verdict.eligible_from is None
    (refusal,) = verdict.refusals
    assert "contract ends on 2026-03-20, after 19 days" in refusal.message_en
    assert "2026-03-20에 끝나 모두 19일" in refusal.message_ko


def test_job_not_started_yet_says_from_when() -> None:
    # Starts 1 April: 30 days counted inclusively end on 30 April.
    verdict = judge("2026-04-01", None, "2026-03-20")
    assert verdict.days == 0
    (refusal,) = verdict.refusals
    assert refusal.code is Bar.NOT_STARTED
    assert "starts on 2026-04-01 and has not begun" in refusal.message_en
    assert "from 2026-04-30" in refusal.message_en and "2026-04-30부터" in refusal.message_ko


def test_ended_3_years_ago_exactly_may_still_be_certified() -> None:
    # Left on 31 March 2023: the 3 years run 1 April 2023 to 31 March 2026.
    verdict = judge("2023-01-02", "2023-03-31", "2026-03-31")
    assert verdict.eligible and verdict.eligible_until == date(2026, 3, 31)


def test_one_day_more_than_3_years_after_leaving_is_refused_with_the_date() -> None:
    verdict = judge("2023-01-02", "2023-03-31", "2026-04-01")
    (refusal,) = verdict.refusals
    assert refusal.code is Bar.TOO_LATE
    assert refusal.message_en == (
        "this job ended on 2023-03-31; a certificate may be asked for within 3 years after "
        "leaving, that is until 2026-03-31, and not since 2026-04-01 (Enforcement Decree of the "
        "Labor Standards Act, Art. 19)"
    )
    assert "2026-03-31까지" in refusal.message_ko and "2026-04-01부터는" in refusal.message_ko
    assert refusal.figures["closed_on"] == "2026-04-01"


@pytest.mark.parametrize(
    ("left_on", "last_day"),
    [
        # Day after 28 Feb 2025 is 1 Mar; 1 Mar 2028 less a day is 29 Feb 2028 (leap year).
        ("2025-02-28", "2028-02-29"),
        # Day after is 1 Mar 2024; 1 Mar 2027 less a day is 28 Feb 2027.
        ("2024-02-29", "2027-02-28"),
        # Day after is 29 Feb 2024; 2027 has no 29 Feb, so the last day of February (Art. 160(3)).
        ("2024-02-28", "2027-02-28"),
    ],
)
def test_request_window_across_leap_days(left_on: str, last_day: str) -> None:
    verdict = judge("2023-01-02", left_on, last_day)
    assert verdict.eligible and verdict.eligible_until == date.fromisoformat(last_day)
    day_after = date.fromordinal(date.fromisoformat(last_day).toordinal() + 1).isoformat()
    late = judge("2023-01-02", left_on, day_after)
    assert [r.code for r in late.refusals] == [Bar.TOO_LATE]


def test_short_job_asked_for_too_late_gives_both_reasons() -> None:
    verdict = judge("2022-06-01", "2022-06-10", "2026-03-02")
    assert [r.code for r in verdict.refusals] == [Bar.TOO_SHORT, Bar.TOO_LATE]
    assert verdict.days == 10 and verdict.eligible_until == date(2025, 6, 10)


def test_contract_without_a_period_cannot_be_counted() -> None:
    verdict = certificate_eligibility(None, date(2026, 3, 2))
    assert [r.code for r in verdict.refusals] == [Bar.NO_PERIOD]
    assert "시행령 제19조" in verdict.refusals[0].message_ko


def test_the_figures_are_read_from_the_data() -> None:
    stricter = Certificate.on(date(2026, 4, 10)).model_copy(
        update={"min_continuous_days": 31, "request_years_after_end": 1}
    )
    assert judge("2026-03-02", "2026-03-31", "2026-04-10").eligible
    short = judge("2026-03-02", "2026-03-31", "2026-04-10", stricter)
    assert "at least 31 consecutive days" in short.refusals[0].message_en
    late = judge("2026-01-02", "2026-03-31", "2027-04-01", stricter)
    assert late.eligible_until == date(2027, 3, 31)
    assert [r.code for r in late.refusals] == [Bar.TOO_LATE]


def test_an_amendment_of_the_decree_applies_from_its_in_force_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = Certificate.on(date(2026, 1, 1))
    amended = first.model_copy(
        update={"in_force_from": date(2027, 7, 1), "min_continuous_days": 14}
    )
    monkeypatch.setattr(labor_rules, "_certificate_versions", lambda: (first, amended))
    assert not judge("2027-06-01", None, "2027-06-20").eligible  # 20 days under the old rule
    assert judge("2027-06-15", None, "2027-07-01").eligible  # 17 days under the amended one
