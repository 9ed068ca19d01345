"""The career certificate service keeps to Decree Art. 19: the worker's career lists each job
with whether it may go on a certificate today, and a request naming a job too short is refused
(422) with each such job and its dates, while amendments continue the same employment. The
world's clock stands at 2 March 2026, 18:00 in Seoul."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from blockcity.services.labor import Bar, FormKind
from blockcity.services.labor.contracts import JobsNotEligible
from blockcity.services.labor.records import TerminationReason
from tests.services.labor.service_world import LaborWorld, labor_world


@pytest.fixture
def lw(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "data") as world:
        yield world


def open_ended(lw: LaborWorld, start: str) -> str:
    """A concluded contract without a fixed term, begun on ``start``; returns its id."""
    return lw.conclude(lw.draft(FormKind.REGULAR, period={"start": start, "end": None})).contract.id


def refused_jobs(error: JobsNotEligible) -> list[dict[str, Any]]:
    jobs = error.detail["jobs"]
    assert isinstance(jobs, list)
    return jobs


def test_job_begun_29_days_ago_is_refused_naming_the_job_and_its_dates(lw: LaborWorld) -> None:
    # 2 February to 2 March: 27 + 2 = 29 days.
    contract_id = open_ended(lw, "2026-02-02")
    with pytest.raises(JobsNotEligible) as refused:
        lw.node.labor.career_certificate(lw.worker.account, [contract_id], {"period"})
    error = refused.value
    assert error.status == 422 and error.code == "labor-certificate-not-eligible"
    assert "한강 베이커리, 매장 판매 및 재고 관리" in error.message_en
    assert "29 days so far (2026-02-02 to 2026-03-02)" in error.message_en
    assert "from 2026-03-03" in error.message_en
    assert "29일(2026-02-02~2026-03-02)" in error.message_ko
    (job,) = refused_jobs(error)
    assert job["contract_id"] == contract_id and job["days"] == 29
    assert [r["code"] for r in job["refusals"]] == [Bar.TOO_SHORT.value]


def test_job_begun_30_days_ago_is_certified(lw: LaborWorld) -> None:
    # 1 February to 2 March: 28 + 2 = 30 days.
    contract_id = open_ended(lw, "2026-02-01")
    pdf, credential_id = lw.node.labor.career_certificate(
        lw.worker.account, [contract_id], {"period"}
    )
    assert pdf.startswith(b"%PDF") and credential_id.startswith("urn:uuid:")


def test_one_short_job_refuses_the_whole_request_and_only_it_is_named(lw: LaborWorld) -> None:
    long = open_ended(lw, "2026-01-05")
    short = open_ended(lw, "2026-02-20")
    with pytest.raises(JobsNotEligible) as refused:
        lw.node.labor.career_certificate(lw.worker.account, [long, short], {"period"})
    assert [job["contract_id"] for job in refused_jobs(refused.value)] == [short]
    assert short[:8] in refused.value.message_en and long[:8] not in refused.value.message_en
    assert lw.node.credentials.db.query("SELECT id FROM issued_credentials") == []


def test_career_lists_each_job_with_its_eligibility(lw: LaborWorld) -> None:
    long = open_ended(lw, "2026-01-05")
    short = open_ended(lw, "2026-02-20")
    career = {job.contract.id: job.eligibility for job in lw.node.labor.career(lw.worker.account)}
    assert career[long].eligible and career[long].days == 57
    # 20 February to 2 March: 9 + 2 = 11 days; 30 days are reached on 21 March.
    assert not career[short].eligible and career[short].days == 11
    assert career[short].eligible_from == date(2026, 3, 21)


def test_an_amendment_continues_the_same_employment(lw: LaborWorld) -> None:
    first = open_ended(lw, "2026-02-01")
    changed = lw.draft(
        FormKind.REGULAR,
        period={"start": "2026-02-01", "end": None},
        wage={"kind": "monthly", "amount": 2_500_000},
    )
    amended = lw.send_version(lw.node.labor.amend(lw.manager.account, first, changed))
    assert amended.contract.version == 2
    (job,) = lw.node.labor.career(lw.worker.account)
    assert job.contract.version == 2 and job.eligibility.days == 30 and job.eligibility.eligible
    lw.node.labor.career_certificate(lw.worker.account, [first], {"period", "wage"})


def test_a_termination_counts_to_its_end_date(lw: LaborWorld) -> None:
    first = open_ended(lw, "2026-02-01")
    # Ends 21 February: 21 days, however long ago the contract was concluded.
    ending = lw.node.labor.terminate(
        lw.manager.account, first, date(2026, 2, 21), TerminationReason.RESIGNATION
    )
    lw.send_version(ending)
    (job,) = lw.node.labor.career(lw.worker.account)
    assert job.eligibility.days == 21 and job.eligibility.eligible_until == date(2029, 2, 21)
    with pytest.raises(JobsNotEligible, match=r"lasted 21 days \(2026-02-01 to 2026-02-21\)"):
        lw.node.labor.career_certificate(lw.worker.account, [first], {"period"})
