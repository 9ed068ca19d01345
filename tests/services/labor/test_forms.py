"""Each standard form refuses to be sent while an item the law requires is missing."""

from __future__ import annotations

from typing import Any

import pytest

from blockcity.services.labor import (
    FormKind,
    LaborRules,
    RequiredItem,
    Severity,
    check_contract,
)
from tests.services.labor.drafts import draft, full_week

# How to leave each item out of a complete draft.
_WITHOUT: dict[RequiredItem, dict[str, Any]] = {
    RequiredItem.PERIOD_START: {"period": None},
    RequiredItem.PERIOD_END: {"period": {"start": "2026-03-02", "end": None}},
    RequiredItem.WORKPLACE: {"workplace": None},
    RequiredItem.DUTIES: {"duties": None},
    RequiredItem.WORKING_HOURS: {"schedule": None},
    RequiredItem.WORKING_DAYS_AND_HOURS_PER_DAY: {"schedule": None},
    RequiredItem.BREAK_TIMES: {
        "schedule": {
            "kind": "per_weekday",
            "workdays": {
                day: {"start": "10:00", "end": "14:30"} for day in ("mon", "tue", "wed", "thu")
            }
            | {"fri": {"start": "10:00", "end": "14:30", "break_minutes": 30}},
        }
    },
    RequiredItem.WEEKLY_HOLIDAY: {"weekly_holiday": None},
    RequiredItem.ANNUAL_LEAVE: {"annual_leave": None},
    RequiredItem.WAGE: {"wage": None},
    RequiredItem.WAGE_COMPONENTS: {"allowances": None},
    RequiredItem.PAY_DAY: {"pay_day": None},
    RequiredItem.PAY_METHOD: {"pay_method": None},
    RequiredItem.SOCIAL_INSURANCE: {"social_insurance": None},
    RequiredItem.GUARDIAN_CONSENT: {"guardian_consent": None},
    RequiredItem.FAMILY_RELATION_CERTIFICATE: {"family_relation_certificate": None},
    RequiredItem.PROGRAMME_NAME: {"programme": None},
}

_CASES = [
    (form, item.item, item.severity)
    for form in FormKind
    for item in LaborRules.for_year(2026).forms[form].items
]


@pytest.mark.parametrize("form", list(FormKind))
def test_complete_draft_of_each_form_is_ready_to_send(form: FormKind, rules: LaborRules) -> None:
    check = check_contract(draft(form), rules)
    assert check.ready_to_send, check.codes(Severity.ERROR)
    assert check.codes(Severity.WARNING) == []


@pytest.mark.parametrize(("form", "item", "severity"), _CASES, ids=lambda v: str(v))
def test_missing_item_is_named_with_its_law(
    form: FormKind, item: RequiredItem, severity: Severity, rules: LaborRules
) -> None:
    check = check_contract(draft(form, **_WITHOUT[item]), rules)
    finding = next(f for f in check.findings if f.code == f"missing.{item.value}")
    assert finding.severity is severity
    assert finding.figures["item"] == item.value
    assert check.ready_to_send is (severity is not Severity.ERROR)


def test_fixed_term_form_requires_the_end_date_and_regular_does_not(rules: LaborRules) -> None:
    open_ended = {"period": {"start": "2026-03-02", "end": None}}
    assert check_contract(draft(FormKind.REGULAR, **open_ended), rules).ready_to_send
    fixed = check_contract(draft(FormKind.FIXED_TERM, **open_ended), rules)
    assert fixed.codes(Severity.ERROR) == ["missing.period_end"]
    assert "기간제법 제17조 제1호" in fixed.errors[0].message_ko


def test_weekly_holiday_and_leave_are_not_required_below_15_hours(rules: LaborRules) -> None:
    # 3 days x (09:00-13:30 - 30 min) = 12 h a week < 15 h (LSA Art. 18(3)).
    short = {
        "schedule": {
            "kind": "standard",
            "workdays": ["mon", "wed", "fri"],
            "start": "09:00",
            "end": "13:30",
            "break_minutes": 30,
        },
        "weekly_holiday": None,
        "annual_leave": None,
    }
    assert check_contract(draft(**short), rules).ready_to_send


def test_annual_leave_is_not_required_below_five_employees(rules: LaborRules) -> None:
    check = check_contract(draft(schedule=full_week(), headcount=4, annual_leave=None), rules)
    assert "missing.annual_leave" not in check.codes()
    assert "missing.annual_leave" in check_contract(draft(annual_leave=None), rules).codes()


def test_every_form_item_has_a_way_to_be_left_out() -> None:
    assert set(_WITHOUT) == set(RequiredItem)
