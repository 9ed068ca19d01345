"""Drafts are validated with messages in Korean and English naming the field; rules load per
year from validated data and a year without data is a clear error."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from pydantic import ValidationError

from blockcity.services.labor import (
    ContractDraft,
    FormKind,
    InvalidContractDraft,
    LaborRules,
    NoRulesForYear,
    available_years,
)
from tests.services.labor.drafts import complete


def _problems(data: dict[str, object]) -> list[dict[str, str]]:
    with pytest.raises(InvalidContractDraft) as caught:
        ContractDraft.parse(data)
    assert caught.value.status == 400
    problems = caught.value.detail["problems"]
    assert isinstance(problems, list)
    return problems


def test_end_before_start_names_the_period_in_both_languages() -> None:
    [problem] = _problems(
        complete(FormKind.FIXED_TERM, period={"start": "2026-05-01", "end": "2026-04-30"})
    )
    assert problem["field"] == "period"
    assert problem["field_ko"] == "근로계약기간"
    assert "종료일이 시작일보다 앞섭니다" in problem["ko"]
    assert "end date is before the start date" in problem["en"]


def test_personal_details_cannot_be_put_in_a_draft() -> None:
    # Names, birth dates, phones and accounts belong in the vault, never in the draft.
    for field in ("worker_name", "birth_date", "phone", "bank_account"):
        [problem] = _problems(complete(FormKind.REGULAR, **{field: "x"}))
        assert problem["field"] == field
        assert problem["ko"] == "알 수 없는 항목입니다. 지우세요."


def test_worker_must_be_named_by_did_key() -> None:
    [problem] = _problems(complete(FormKind.REGULAR, worker_did="홍길동"))
    assert problem["field_ko"] == "근로자 DID"


def test_bonus_marked_paid_needs_an_amount() -> None:
    [problem] = _problems(complete(FormKind.REGULAR, bonus={"paid": True}))
    assert problem["field"] == "bonus"
    assert "금액을 원 단위로" in problem["ko"]


def test_break_as_long_as_the_day_is_refused() -> None:
    schedule = {
        "kind": "standard",
        "workdays": ["mon"],
        "start": "09:00",
        "end": "10:00",
        "break_minutes": 60,
    }
    [problem] = _problems(complete(FormKind.REGULAR, schedule=schedule))
    assert problem["field"] == "schedule.standard"
    assert "휴게시간이 근무시간 전체만큼" in problem["ko"]


def test_short_time_form_needs_hours_per_weekday() -> None:
    standard = {
        "kind": "standard",
        "workdays": ["mon"],
        "start": "09:00",
        "end": "12:00",
        "break_minutes": 0,
    }
    [problem] = _problems(complete(FormKind.SHORT_TIME, schedule=standard))
    assert "요일별 근무표" in problem["ko"]


def test_items_of_other_forms_are_refused() -> None:
    [problem] = _problems(complete(FormKind.REGULAR, programme="청년 일자리"))
    assert "공공일자리" in problem["ko"]
    [problem] = _problems(complete(FormKind.REGULAR, guardian_consent=True))
    assert "연소근로자" in problem["ko"]


def test_pay_day_must_fit_its_cycle() -> None:
    [problem] = _problems(complete(FormKind.REGULAR, pay_day={"cycle": "monthly"}))
    assert problem["field"] == "pay_day"


def test_wage_must_be_whole_positive_won() -> None:
    problems = _problems(complete(FormKind.REGULAR, wage={"kind": "hourly", "amount": 0}))
    assert problems[0]["field"] == "wage.amount"
    assert problems[0]["ko"] == "더 큰 값을 적으세요."


def test_minimum_wages_2024_to_2026_come_from_the_data() -> None:
    # Hourly x 209 h: 9,860 x 209 = 2,060,740; 10,030 x 209 = 2,096,270; 10,320 x 209 = 2,156,880.
    expected = {2024: (9_860, 2_060_740), 2025: (10_030, 2_096_270), 2026: (10_320, 2_156_880)}
    assert available_years() == [2024, 2025, 2026]
    for year, (hourly, monthly) in expected.items():
        wage = LaborRules.for_year(year).minimum_wage
        assert (wage.hourly, wage.monthly) == (hourly, monthly)
        assert "FACTS.md §1.4" in wage.source


def test_a_year_without_data_is_a_clear_error() -> None:
    with pytest.raises(NoRulesForYear) as caught:
        LaborRules.for_year(2023)
    assert caught.value.detail == {"year": 2023, "available_years": [2024, 2025, 2026]}
    assert "2024, 2025, 2026" in caught.value.message_ko
    assert caught.value.status == 422


def _year_data() -> dict[str, object]:
    data = resources.files("blockcity.services.labor") / "data"
    year = json.loads((data / "year-2026.json").read_text(encoding="utf-8"))
    forms = {
        kind.value: json.loads((data / f"form-{kind.value}.json").read_text(encoding="utf-8"))
        for kind in FormKind
    }
    return {**year, "forms": forms}


def test_rules_data_with_a_wrong_type_or_sum_is_refused() -> None:
    good = _year_data()
    LaborRules.model_validate_json(json.dumps(good))
    as_text = json.loads(json.dumps(good))
    as_text["weekly_holiday"]["threshold_hours"] = "15"
    with pytest.raises(ValidationError):
        LaborRules.model_validate_json(json.dumps(as_text))
    wrong_monthly = json.loads(json.dumps(good))
    wrong_monthly["minimum_wage"]["monthly"] = 2_156_879
    with pytest.raises(ValidationError, match="hourly x monthly_hours"):
        LaborRules.model_validate_json(json.dumps(wrong_monthly))
    no_form = json.loads(json.dumps(good))
    del no_form["forms"]["under_18"]
    with pytest.raises(ValidationError, match="under_18"):
        LaborRules.model_validate_json(json.dumps(no_form))


def test_every_form_item_cites_its_law_in_both_languages() -> None:
    for form in LaborRules.for_year(2026).forms.values():
        for item in form.items:
            assert item.basis and item.basis_ko
