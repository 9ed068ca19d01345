"""The labour contract pages through HTTP (no browser): drafting with the law check shown,
sending, the worker signing with a PIN step-up, countersigning, the PDFs, the career
certificate, a decline, and who may see what: another organization's manager gets 404, a used
signing link says it was used, a form without its CSRF token is refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from blockcity.app import create_app
from tests.services.labor.service_world import PERSONAL, PIN, LaborWorld
from tests.web.workplace_helpers import browser_of


def short_time_form(lw: LaborWorld, csrf: str, **changes: str) -> dict[str, str]:
    # Monday, Wednesday and Friday 10:00-14:30 with a 30-minute break: 4 hours a day,
    # 3 x 4 = 12 hours a week, at 10,320 won an hour (the 2026 minimum wage).
    form = {
        "csrf": csrf,
        "form": "short_time",
        "organization_id": lw.world.org.id,
        "worker": lw.worker.account.username,
        "headcount": "12",
        "period_start": "2026-03-02",
        "period_end": "2026-08-31",
        "workplace": "서울특별시 마포구 양화로 45",
        "duties": "커피 제조 및 매장 응대",
        "weekly_holiday": "sun",
        "annual_leave": "근로기준법에서 정하는 바에 따라 부여함",
        "wage_kind": "hourly",
        "wage_amount": "10,320",
        "bonus": "no",
        "pay_cycle": "monthly",
        "pay_day_of_month": "10",
        "pay_method": "account",
        "excess_premium": "50",
        "ins_employment": "on",
        "ins_industrial_accident": "on",
        "ins_national_pension": "on",
        "ins_health": "on",
    }
    for day in ("mon", "wed", "fri"):
        form |= {
            f"day_{day}_on": "on",
            f"day_{day}_start": "10:00",
            f"day_{day}_end": "14:30",
            f"day_{day}_break": "30",
        }
    return form | changes


def drafted(lw: LaborWorld, client: TestClient, csrf: str, **changes: str) -> str:
    response = client.post("/labor/new", data=short_time_form(lw, csrf, **changes))
    assert response.status_code == 303, response.text
    match = re.fullmatch(
        r"/labor/contracts/([0-9a-f-]{36})\?done=drafted", response.headers["location"]
    )
    assert match
    return match.group(1)


def sent(lw: LaborWorld, client: TestClient, csrf: str, contract_id: str) -> str:
    response = client.post(
        f"/labor/contracts/{contract_id}/send",
        data={"csrf": csrf, "channel": "phone", "contact": "010-4821-7395"},
    )
    assert response.status_code == 200
    assert "발송 대기열" in response.text and "<svg" in response.text
    match = re.search(r"/labor/invite/([A-Za-z0-9_-]{43})", response.text)
    assert match
    return match.group(1)


def signed_by_worker(lw: LaborWorld, worker: TestClient, csrf: str, token: str) -> None:
    response = worker.post(
        f"/labor/invite/{token}/sign", data={"csrf": csrf, "pin": PIN, **PERSONAL}
    )
    assert response.status_code == 303, response.text


def test_draft_with_a_wage_below_the_minimum_shows_the_error_and_is_not_saved(
    lw: LaborWorld,
) -> None:
    manager, csrf = browser_of(lw, lw.manager.account)
    # 9,000 won an hour is 1,320 won below the 2026 minimum of 10,320 won.
    response = manager.post("/labor/new", data=short_time_form(lw, csrf, wage_amount="9000"))
    assert response.status_code == 200
    assert "finding-error" in response.text and "최저임금" in response.text
    assert lw.node.labor.for_organization(lw.manager.account, lw.world.org.id) == []


def test_whole_flow_through_the_pages(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, worker_csrf = browser_of(lw, lw.worker.account)
    assert "한강 베이커리" in manager.get("/labor").text
    form_page = manager.get(f"/labor/new?org={lw.world.org.id}&form=short_time")
    assert form_page.status_code == 200 and "월요일" in form_page.text

    # Begun on 5 January: 57 days by the world's 2 March, long enough for a certificate.
    contract_id = drafted(lw, manager, manager_csrf, period_start="2026-01-05")
    page = manager.get(f"/labor/contracts/{contract_id}?done=drafted")
    assert "계약서를 저장했습니다" in page.text and "근로자에게 서명 요청 보내기" in page.text
    token = sent(lw, manager, manager_csrf, contract_id)

    invite = worker.get(f"/labor/invite/{token}")
    assert invite.status_code == 200
    assert "커피 제조 및 매장 응대" in invite.text and "시급 10,320원" in invite.text
    assert 'autocomplete="bday"' in invite.text

    bad = worker.post(
        f"/labor/invite/{token}/sign",
        data={"csrf": worker_csrf, "pin": PIN, **PERSONAL, "phone": "12345"},
    )
    assert bad.status_code == 400
    assert 'id="p-phone-error"' in bad.text and "010-1234-5678" in bad.text

    signed_by_worker(lw, worker, worker_csrf, token)
    assert "사업주 서명을 기다립니다" in worker.get(f"/labor/contracts/{contract_id}").text

    countersigned = manager.post(
        f"/labor/contracts/{contract_id}/countersign", data={"csrf": manager_csrf, "pin": PIN}
    )
    assert countersigned.status_code == 303
    page = manager.get(f"/labor/contracts/{contract_id}")
    assert "체결됨" in page.text and "/ledger/entries/" in page.text

    for client, copy in ((worker, "worker"), (manager, "employer")):
        pdf = client.get(f"/labor/contracts/{contract_id}/versions/1/{copy}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    career = worker.get("/career")
    assert (
        "커피 제조 및 매장 응대" in career.text and "출퇴근 기록이 생기면 표시됩니다" in career.text
    )
    # 3 days x 4 hours = 12 hours a week.
    assert "12:00" in career.text and "넣을 수 있음 (57일 근무)" in career.text
    certificate = worker.post(
        "/career/certificate",
        data={"csrf": worker_csrf, "contract": contract_id, "item": ["employer", "period"]},
    )
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    assert certificate.headers["x-credential-id"].startswith("urn:uuid:")


def test_worker_declines_and_sees_the_record(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, worker_csrf = browser_of(lw, lw.worker.account)
    token = sent(lw, manager, manager_csrf, drafted(lw, manager, manager_csrf))
    response = worker.post(
        f"/labor/invite/{token}/decline", data={"csrf": worker_csrf, "reason": "other_job"}
    )
    assert response.status_code == 200
    assert "거절이 기록되었습니다" in response.text and "다른 일자리를 구함" in response.text


def test_another_organizations_manager_gets_404(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    contract_id = drafted(lw, manager, manager_csrf)
    stranger, stranger_csrf = browser_of(lw, lw.world.stranger)
    assert stranger.get(f"/labor/contracts/{contract_id}").status_code == 404
    assert (
        stranger.get(f"/labor/contracts/{contract_id}/versions/1/employer.pdf").status_code == 404
    )
    refused = stranger.post(
        f"/labor/contracts/{contract_id}/send",
        data={"csrf": stranger_csrf, "channel": "phone", "contact": "010-4821-7395"},
    )
    assert refused.status_code == 404
    assert stranger.get(f"/labor/new?org={lw.world.org.id}&form=regular").status_code == 404


def test_a_used_signing_link_says_it_was_used(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, worker_csrf = browser_of(lw, lw.worker.account)
    token = sent(lw, manager, manager_csrf, drafted(lw, manager, manager_csrf))
    signed_by_worker(lw, worker, worker_csrf, token)
    again = worker.get(f"/labor/invite/{token}")
    assert again.status_code == 404 and "이미 사용했거나" in again.text
    english = worker.get(f"/labor/invite/{token}?lang=en")
    assert "already used" in english.text


def test_signing_link_of_another_worker_is_refused(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    token = sent(lw, manager, manager_csrf, drafted(lw, manager, manager_csrf))
    other, _ = browser_of(lw, lw.world.clerk)
    response = other.get(f"/labor/invite/{token}")
    assert response.status_code == 403 and "다른 사람의 서울패스" in response.text


def test_signing_link_sends_a_visitor_to_sign_in_first(lw: LaborWorld) -> None:
    visitor = TestClient(create_app(lw.node), follow_redirects=False)
    response = visitor.get("/labor/invite/some-token")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/labor/invite/some-token"


def test_forms_without_the_csrf_token_are_refused(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, worker_csrf = browser_of(lw, lw.worker.account)
    assert manager.post("/labor/new", data=short_time_form(lw, "forged")).status_code == 403
    contract_id = drafted(lw, manager, manager_csrf)
    refused = manager.post(
        f"/labor/contracts/{contract_id}/send",
        data={"csrf": "forged", "channel": "phone", "contact": "010-4821-7395"},
    )
    assert refused.status_code == 403
    token = sent(lw, manager, manager_csrf, contract_id)
    forged = worker.post(f"/labor/invite/{token}/sign", data={"csrf": "", "pin": PIN, **PERSONAL})
    assert forged.status_code == 403
    # The refused post used nothing up: the worker can still sign.
    signed_by_worker(lw, worker, worker_csrf, token)


def test_career_page_disables_a_job_too_short_and_says_why(lw: LaborWorld) -> None:
    manager, manager_csrf = browser_of(lw, lw.manager.account)
    worker, worker_csrf = browser_of(lw, lw.worker.account)
    # Begun on 20 February: 9 + 2 = 11 days by the world's 2 March; 30 days on 21 March.
    contract_id = drafted(lw, manager, manager_csrf, period_start="2026-02-20")
    signed_by_worker(lw, worker, worker_csrf, sent(lw, manager, manager_csrf, contract_id))
    manager.post(
        f"/labor/contracts/{contract_id}/countersign", data={"csrf": manager_csrf, "pin": PIN}
    )
    career = worker.get("/career").text
    checkbox = re.search(
        rf'<input type="checkbox" name="contract" value="{contract_id}"[^>]*>', career
    )
    assert checkbox and " disabled" in checkbox.group(0) and " checked" not in checkbox.group(0)
    assert "지금까지 11일(2026-02-20~2026-03-02)" in career and "시행령 제19조" in career
    assert "2026-03-21부터 요청할 수 있습니다" in career
    assert re.search(r'<button type="submit" disabled', career)
    english = worker.get("/career?lang=en").text
    assert "has lasted 11 days so far (2026-02-20 to 2026-03-02)" in english
    # A form posted around the disabled checkbox is refused with the same reason.
    refused = worker.post(
        "/career/certificate",
        data={"csrf": worker_csrf, "contract": contract_id, "item": ["period"]},
    )
    assert refused.status_code == 422 and 'id="certificate-error"' in refused.text
    assert "11 days so far" in refused.text and not refused.content.startswith(b"%PDF")
