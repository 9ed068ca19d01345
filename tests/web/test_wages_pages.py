"""The wage-statement pages through HTTP (no browser): the employer issues March's statement from
the contract's page, the worker reads every mandatory item and signs receipt with a PIN step-up,
an objection is answered (flagged overdue first), a missing tax is shown next to its field, the
dispute export downloads and verifies, and nobody else sees a statement."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from blockcity.documents import open_sealed_pdf
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import PIN, LaborWorld, labor_world
from tests.services.wages.shifts import on
from tests.web.workplace_helpers import browser_of

TAXES = {"income_tax": "45,000", "local_income_tax": "4500", "industry": "construction"}


@pytest.fixture
def lw(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "data") as world:
        # Monday to Friday 09:00-18:00 with an hour's break through March 2026, as
        # node.attendance.shifts gives them once the worker has clocked in and out.
        world.node.wages.shifts = lambda contract_id, start, end: [
            s for s in on(range(5), "09:00", "18:00", 60) if start <= s.day <= end
        ]
        yield world


def issued_by_pages(lw: LaborWorld) -> tuple[str, str, TestClient, str]:
    """A concluded contract whose March statement the manager issued through the pages."""
    contract_id = lw.conclude().contract.id
    manager, csrf = browser_of(lw, lw.manager.account)
    contract_page = manager.get(f"/labor/contracts/{contract_id}")
    assert f'href="/labor/contracts/{contract_id}/wages"' in contract_page.text
    form = manager.get(f"/labor/contracts/{contract_id}/wages")
    assert form.status_code == 200 and 'name="income_tax"' in form.text
    assert '<option value="construction">건설업</option>' in form.text
    response = manager.post(
        f"/labor/contracts/{contract_id}/wages", data={"csrf": csrf, "month": "2026-03", **TAXES}
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/wages/([0-9a-f-]{36})\?done=issued", response.headers["location"])
    assert match
    return contract_id, match.group(1), manager, csrf


def test_employer_issues_and_worker_sees_every_item_then_signs_receipt(lw: LaborWorld) -> None:
    contract_id, statement_id, _, _ = issued_by_pages(lw)
    worker, csrf = browser_of(lw, lw.worker.account)
    assert statement_id in worker.get(f"/labor/contracts/{contract_id}/wages").text
    assert statement_id in worker.get("/wages").text
    page = worker.get(f"/wages/{statement_id}")
    assert page.status_code == 200
    text = page.text
    # Fixed-term from 2 March at 2,300,000 a month: 30 of March's 31 days employed,
    # 2,300,000 x 30 / 31 = 2,225,806.45 -> 2,225,807; plus the 200,000 meal allowance.
    # Total pay 2,225,807 + 200,000 = 2,425,807.
    for shown in ("2,225,807원", "재직일 30일 ÷ 31일", "식대", "200,000원", "2,425,807원"):
        assert shown in text, shown
    # Worker's shares, each truncated below 10 won:
    # pension 2,425,000 (base in thousands) x 4.75% = 115,187.5 -> 115,180;
    # health 2,425,807 x 3.595% = 87,207.76 -> 87,200; long-term care 87,200 x 13.14%
    # = 11,458.08 -> 11,450; employment 2,425,807 x 0.9% = 21,832.26 -> 21,830.
    # Deductions 115,180 + 87,200 + 11,450 + 21,830 + 45,000 + 4,500 = 285,160;
    # net 2,425,807 - 285,160 = 2,140,647.
    for shown in ("115,180원", "87,200원", "11,450원", "21,830원", "45,000원", "4,500원"):
        assert shown in text, shown
    assert "285,160원" in text and "2,140,647원" in text
    # Period, pay date (the 10th of the next month), days and hours: 22 weekdays x 8 h = 176 h.
    for shown in ("2026-03-01 ~ 2026-03-31", "2026-04-10", "22일", "176시간", "통상시급"):
        assert shown in text, shown
    assert "Content-Security-Policy" in page.headers

    wrong = worker.post(f"/wages/{statement_id}/acknowledge", data={"csrf": csrf, "pin": "000000"})
    assert wrong.status_code in (400, 401, 403) and 'role="alert"' in wrong.text
    assert lw.node.wages.get(lw.worker.account, statement_id).acknowledgement is None

    signed = worker.post(f"/wages/{statement_id}/acknowledge", data={"csrf": csrf, "pin": PIN})
    assert signed.status_code == 303
    issued = lw.node.wages.get(lw.worker.account, statement_id)
    assert issued.acknowledgement is not None and issued.acknowledgement_index is not None
    entry = json.loads(lw.node.ledger.entry(issued.acknowledgement_index).data)
    assert entry["type"] == "wages.statement.acknowledged"
    assert entry["body"]["statement_digest"] == issued.digest
    after = worker.get(f"/wages/{statement_id}?done=acknowledged")
    assert 'id="acknowledged"' in after.text and "/acknowledge" not in after.text

    pdf = worker.get(f"/wages/{statement_id}/statement.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="wage-statement-2026-03-' in pdf.headers["content-disposition"]
    sealed = open_sealed_pdf(pdf.content)
    assert sealed.intact and json.loads(sealed.attachment.payload)["statement"]["id"] == (
        statement_id
    )

    english = worker.get(f"/wages/{statement_id}?lang=en")
    assert "Net pay" in english.text and "2,140,647 KRW" in english.text


def test_another_worker_and_another_organizations_manager_get_404(lw: LaborWorld) -> None:
    contract_id, statement_id, _, _ = issued_by_pages(lw)
    other_worker = lw.node.seoul_pass.accounts.create("jisoo", PASSWORD, "이지수")
    for account in (other_worker, lw.world.stranger):
        client, csrf = browser_of(lw, account)
        assert client.get(f"/wages/{statement_id}").status_code == 404
        assert client.get(f"/wages/{statement_id}/statement.pdf").status_code == 404
        assert client.get(f"/labor/contracts/{contract_id}/wages").status_code == 404
        signed = client.post(f"/wages/{statement_id}/acknowledge", data={"csrf": csrf, "pin": PIN})
        assert signed.status_code == 404
        objected = client.post(
            f"/wages/{statement_id}/object",
            data={"csrf": csrf, "category": "hours", "text": "남의 명세서"},
        )
        assert objected.status_code == 404
        exported = client.post(
            f"/labor/contracts/{contract_id}/dispute-record", data={"csrf": csrf}
        )
        assert exported.status_code == 404
        assert statement_id not in client.get("/wages").text
    stranger, _ = browser_of(lw, lw.world.stranger)
    assert stranger.get(f"/wages/organizations/{lw.world.org.id}").status_code == 404
    assert lw.node.wages.get(lw.worker.account, statement_id).objections == ()


def test_objection_is_flagged_overdue_then_answered(lw: LaborWorld) -> None:
    contract_id, statement_id, manager, manager_csrf = issued_by_pages(lw)
    worker, csrf = browser_of(lw, lw.worker.account)
    unknown = worker.post(
        f"/wages/{statement_id}/object", data={"csrf": csrf, "category": "mood", "text": "x"}
    )
    assert unknown.status_code == 400 and "목록에서 고르세요" in unknown.text
    objected = worker.post(
        f"/wages/{statement_id}/object",
        data={"csrf": csrf, "category": "hours", "text": "3월 12일 연장근로 1시간이 빠졌습니다"},
    )
    assert objected.status_code == 303
    (objection,) = lw.node.wages.open_objections(lw.manager.account, lw.world.org.id)

    waiting = manager.get(f"/labor/contracts/{contract_id}/wages")
    assert "3월 12일 연장근로 1시간이 빠졌습니다" in waiting.text
    assert "답변 기한 지남" not in waiting.text
    # The 2026 wage rules give the employer 7 days to answer; 8 days later it is overdue.
    lw.world.clock.advance(days=8)
    # Sessions do not last a week: both sign in again.
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, csrf = browser_of(lw, lw.worker.account)
    overdue = manager.get(f"/labor/contracts/{contract_id}/wages")
    assert "답변 기한 지남" in overdue.text
    assert "답변 기한 지남" in manager.get(f"/wages/organizations/{lw.world.org.id}").text

    empty = manager.post(
        f"/wages/objections/{objection.id}/answer",
        data={"csrf": manager_csrf, "statement_id": statement_id, "text": "  "},
    )
    assert empty.status_code == 400 and 'class="field-error"' in empty.text
    # The worker cannot answer their own objection.
    by_worker = worker.post(
        f"/wages/objections/{objection.id}/answer",
        data={"csrf": csrf, "statement_id": statement_id, "text": "제가 답합니다"},
    )
    assert by_worker.status_code == 404
    answered = manager.post(
        f"/wages/objections/{objection.id}/answer",
        data={
            "csrf": manager_csrf,
            "statement_id": statement_id,
            "text": "확인 후 4월에 정산합니다",
        },
    )
    assert answered.status_code == 303
    seen = worker.get(f"/wages/{statement_id}")
    assert "확인 후 4월에 정산합니다" in seen.text and "사업주 답변" in seen.text
    assert lw.node.wages.open_objections(lw.manager.account, lw.world.org.id) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"income_tax": ""}, "income_tax"),
        ({"local_income_tax": "사천오백"}, "local_income_tax"),
        ({"income_tax": "-100"}, "income_tax"),
        ({"industry": ""}, "industry"),
        ({"month": "2026-13"}, "month"),
    ],
)
def test_a_missing_or_wrong_field_is_shown_next_to_it_and_nothing_is_issued(
    lw: LaborWorld, changes: dict[str, str], field: str
) -> None:
    contract_id = lw.conclude().contract.id
    manager, csrf = browser_of(lw, lw.manager.account)
    data = {"csrf": csrf, "month": "2026-03", **TAXES} | changes
    response = manager.post(f"/labor/contracts/{contract_id}/wages", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error" class="field-error"' in response.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert lw.node.wages.for_worker(lw.worker.account) == []


def test_zero_taxes_are_allowed_and_a_second_issue_is_refused_on_the_form(
    lw: LaborWorld,
) -> None:
    contract_id = lw.conclude().contract.id
    manager, csrf = browser_of(lw, lw.manager.account)
    data = {"csrf": csrf, "month": "2026-03", **TAXES, "income_tax": "0", "local_income_tax": "0"}
    assert manager.post(f"/labor/contracts/{contract_id}/wages", data=data).status_code == 303
    again = manager.post(f"/labor/contracts/{contract_id}/wages", data=data)
    assert again.status_code == 409 and "이미 발급했습니다" in again.text


def test_dispute_export_downloads_a_bundle_the_verifier_accepts(lw: LaborWorld) -> None:
    contract_id, statement_id, manager, manager_csrf = issued_by_pages(lw)
    worker, csrf = browser_of(lw, lw.worker.account)
    page = worker.get(f"/labor/contracts/{contract_id}/wages")
    assert "분쟁용 기록 내보내기" in page.text and "blockcity verify" in page.text
    assert worker.post(f"/wages/{statement_id}/acknowledge", data={"csrf": csrf, "pin": PIN})
    response = worker.post(f"/labor/contracts/{contract_id}/dispute-record", data={"csrf": csrf})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert re.search(
        rf'attachment; filename="blockcity-dispute-record-{contract_id[:8]}-2026-03-02\.json"',
        response.headers["content-disposition"],
    )
    verdict = lw.node.verifier().verify(response.content)
    assert verdict.valid, verdict.to_dict("en")
    bundle = json.loads(response.content)
    assert [s["statement"]["id"] for s in bundle["statements"]] == [statement_id]
    # Only the worker exports: the employer's side has no such button and is refused.
    assert "dispute-record" not in manager.get(f"/labor/contracts/{contract_id}/wages").text
    refused = manager.post(
        f"/labor/contracts/{contract_id}/dispute-record", data={"csrf": manager_csrf}
    )
    assert refused.status_code == 404


def test_forms_without_the_csrf_token_are_refused(lw: LaborWorld) -> None:
    contract_id, statement_id, manager, _ = issued_by_pages(lw)
    worker, _ = browser_of(lw, lw.worker.account)
    forged = manager.post(
        f"/labor/contracts/{contract_id}/wages",
        data={"csrf": "forged", "month": "2026-04", **TAXES},
    )
    assert forged.status_code == 403
    assert worker.post(f"/wages/{statement_id}/acknowledge", data={"pin": PIN}).status_code == 403
    assert (
        worker.post(
            f"/wages/{statement_id}/object", data={"category": "hours", "text": "x"}
        ).status_code
        == 403
    )
    assert worker.post(f"/labor/contracts/{contract_id}/dispute-record").status_code == 403
    issued = lw.node.wages.get(lw.worker.account, statement_id)
    assert issued.acknowledgement is None and issued.objections == ()


def test_links_from_the_career_page_and_the_dashboard(lw: LaborWorld) -> None:
    issued_by_pages(lw)
    worker, _ = browser_of(lw, lw.worker.account)
    assert 'href="/wages"' in worker.get("/career").text
    manager, _ = browser_of(lw, lw.manager.account)
    dashboard = manager.get("/labor")
    assert f'href="/wages/organizations/{lw.world.org.id}"' in dashboard.text
