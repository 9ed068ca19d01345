"""Acquisition and loss reports: one per insurance that applies, deadlines, export, and no
personal data in them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from blockcity.services.insurance import (
    AcquisitionReport,
    EmploymentFacts,
    InsuranceKind,
    InsuranceRules,
    Insurer,
    LossReason,
    LossReport,
    WorkerFacts,
    acquisition_reports,
    coverage,
    loss_reports,
)

EMPLOYER = "did:web:build.example.kr"
WORKER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
VAULT = "vault:3f9c2a7b41d84e0c9b1a"
PART_TIMER = EmploymentFacts(start=date(2026, 3, 10), weekly_hours=Decimal(12), days_per_week=4)


def _acquire(on: date, pay: int = 538_084) -> tuple[AcquisitionReport, ...]:
    rules = InsuranceRules.for_date(on)
    return acquisition_reports(
        employer_did=EMPLOYER,
        worker_did=WORKER,
        worker_vault_ref=VAULT,
        acquired_on=on,
        monthly_pay=pay,
        coverage=coverage(WorkerFacts(age=30, age_at_hire=30), PART_TIMER, rules),
        rules=rules,
    )


def test_acquisition_reports_go_to_each_insurer_that_covers_the_worker() -> None:
    # The 4-day part-timer under 15 h: pension, employment, industrial accident; not health.
    reports = _acquire(date(2026, 3, 10))
    assert [(r.insurance, r.insurer) for r in reports] == [
        (InsuranceKind.NATIONAL_PENSION, Insurer.NPS),
        (InsuranceKind.EMPLOYMENT, Insurer.COMWEL),
        (InsuranceKind.INDUSTRIAL_ACCIDENT, Insurer.COMWEL),
    ]
    # The pension reports the standard monthly income: 538,084 truncated to 538,000.
    assert [r.monthly_pay for r in reports] == [538_000, 538_084, 538_084]
    assert {r.filing_deadline for r in reports} == {date(2026, 4, 15)}


def test_acquisition_in_december_is_due_on_15_january() -> None:
    assert _acquire(date(2026, 12, 1))[0].filing_deadline == date(2027, 1, 15)


def test_loss_is_the_day_after_the_last_day_worked() -> None:
    rules = InsuranceRules.for_date(date(2026, 3, 10))
    reports = loss_reports(
        employer_did=EMPLOYER,
        worker_did=WORKER,
        worker_vault_ref=VAULT,
        last_day_worked=date(2026, 8, 31),
        reason=LossReason.CONTRACT_END,
        monthly_pay=538_084,
        coverage=coverage(WorkerFacts(age=30, age_at_hire=30), PART_TIMER, rules),
    )
    assert len(reports) == 3
    assert {r.lost_on for r in reports} == {date(2026, 9, 1)}
    assert reports[0].to_dict()["reason"] == "contract_end"


def test_reports_export_to_json_ready_dicts_and_back() -> None:
    report = _acquire(date(2026, 3, 10))[0]
    exported = report.to_dict()
    assert exported == {
        "insurance": "national_pension",
        "insurer": "nps",
        "employer_did": EMPLOYER,
        "worker_did": WORKER,
        "worker_vault_ref": VAULT,
        "monthly_pay": 538_000,
        "acquired_on": "2026-03-10",
        "filing_deadline": "2026-04-15",
    }
    assert AcquisitionReport.from_dict(exported) == report


@pytest.mark.parametrize(
    "vault_ref",
    ["홍길동", "vault:홍길동", "vault:010 1234 5678", "vault:900101-1234567", "", "vault:short"],
)
def test_personal_data_cannot_stand_in_for_the_vault_reference(vault_ref: str) -> None:
    exported = _acquire(date(2026, 3, 10))[0].to_dict()
    with pytest.raises(ValidationError):
        AcquisitionReport.from_dict({**exported, "worker_vault_ref": vault_ref})


def test_reports_refuse_extra_fields_such_as_a_name() -> None:
    exported = _acquire(date(2026, 3, 10))[0].to_dict()
    with pytest.raises(ValidationError):
        AcquisitionReport.from_dict({**exported, "name": "홍길동"})
    loss = {
        **{k: v for k, v in exported.items() if k not in ("acquired_on", "filing_deadline")},
        "last_day_worked": "2026-08-31",
        "lost_on": "2026-09-01",
        "reason": "resignation",
    }
    assert LossReport.from_dict(loss).reason is LossReason.RESIGNATION
    with pytest.raises(ValidationError):
        LossReport.from_dict({**loss, "resident_number": "900101-1234567"})


def test_reports_refuse_a_worker_that_is_not_a_did() -> None:
    exported = _acquire(date(2026, 3, 10))[0].to_dict()
    with pytest.raises(ValidationError):
        AcquisitionReport.from_dict({**exported, "worker_did": "hong@example.kr"})
