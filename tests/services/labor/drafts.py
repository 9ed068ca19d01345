"""Drafts for the labour tests: a complete, lawful 2026 draft of each form, changed per test."""

from __future__ import annotations

from typing import Any

from blockcity.services.labor import ContractDraft, FormKind

WORKER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
EMPLOYER = "0b8f6a52-3c1e-4f0a-9d7e-2f4b1c9a8e11"


def full_week(start: str = "09:00", end: str = "18:00", break_minutes: int = 60) -> dict[str, Any]:
    """Monday to Friday, the same hours each day."""
    return {
        "kind": "standard",
        "workdays": ["mon", "tue", "wed", "thu", "fri"],
        "start": start,
        "end": end,
        "break_minutes": break_minutes,
    }


def per_weekday(days: list[str], start: str, end: str, break_minutes: int) -> dict[str, Any]:
    return {
        "kind": "per_weekday",
        "workdays": {
            day: {"start": start, "end": end, "break_minutes": break_minutes} for day in days
        },
    }


def complete(form: FormKind, **changes: Any) -> dict[str, Any]:
    """A draft of ``form`` with every item stated and lawful in 2026; ``changes`` replace keys
    (a value of None removes the item)."""
    data: dict[str, Any] = {
        "form": form.value,
        "employer": {"organization_id": EMPLOYER, "did": "did:web:bakery.example"},
        "worker_did": WORKER,
        "headcount": 12,
        "period": {"start": "2026-03-02", "end": None},
        "workplace": "서울특별시 중구 세종대로 110",
        "duties": "매장 판매 및 재고 관리",
        "schedule": full_week(),
        "weekly_holiday": "sun",
        "wage": {"kind": "monthly", "amount": 2_300_000},
        "bonus": {"paid": False},
        "allowances": [{"name": "식대", "amount": 200_000}],
        "pay_day": {"cycle": "monthly", "day_of_month": 10},
        "pay_method": "account",
        "annual_leave": "근로기준법에서 정하는 바에 따라 부여함",
        "social_insurance": {
            "employment": True,
            "industrial_accident": True,
            "national_pension": True,
            "health": True,
        },
    }
    if form in (FormKind.FIXED_TERM, FormKind.PUBLIC_JOB):
        data["period"] = {"start": "2026-03-02", "end": "2026-12-31"}
    if form is FormKind.SHORT_TIME:
        data["schedule"] = per_weekday(["mon", "tue", "wed", "thu", "fri"], "10:00", "14:30", 30)
        data["wage"] = {"kind": "hourly", "amount": 10_320}
        data["excess_hours_premium_percent"] = 50
    if form is FormKind.UNDER_18:
        data["schedule"] = full_week("09:00", "17:00", 60)
        data["guardian_consent"] = True
        data["family_relation_certificate"] = True
    if form is FormKind.PUBLIC_JOB:
        data["programme"] = "2026 서울 디지털 서포터즈"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def draft(form: FormKind = FormKind.REGULAR, **changes: Any) -> ContractDraft:
    return ContractDraft.parse(complete(form, **changes))
