"""The attendance pages through HTTP (no browser): the employer makes a worksite and opens its QR
display; the worker opens the scanned link and clocks in and out; an old, forged or someone
else's code is refused with a page that says why; the script's JSON post flags a scan sent late;
the employer confirms a day; a correction both parties sign replaces the day; the timesheet PDF
downloads; and nobody else sees a contract's month or a worksite's display."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.services.attendance import Flag, RecordKind
from blockcity.services.attendance.qr import window_of
from tests.identity._dids_support import START
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import PIN, LaborWorld, Signer
from tests.web.workplace_helpers import browser_of

MONDAY = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
"""09:00 in Seoul on Monday 9 March 2026, a working day of the fixed-term contract."""
WORKPLACE = "서울특별시 중구 세종대로 110"


class Shop:
    """A concluded contract at WORKPLACE, its worksite made through the page, the clock on
    Monday 09:00 and both parties signed in."""

    def __init__(self, lw: LaborWorld) -> None:
        self.lw = lw
        self.contract_id = lw.conclude().contract.id
        lw.world.clock.now = MONDAY
        self.manager, self.manager_csrf = browser_of(lw, lw.manager.account)
        self.worker, self.worker_csrf = browser_of(lw, lw.worker.account)
        made = self.manager.post(
            "/labor/worksites",
            data={
                "csrf": self.manager_csrf,
                "organization_id": lw.world.org.id,
                "label": WORKPLACE,
            },
        )
        assert made.status_code == 303, made.text
        assert made.headers["location"].endswith("&done=created")
        (self.site,) = lw.node.attendance.worksites(lw.manager.account, lw.world.org.id)

    @property
    def attendance(self):  # type: ignore[no-untyped-def]
        return self.lw.node.attendance

    def path(self, at: datetime | None = None) -> str:
        """The scan link the display showed at ``at`` (now by default), without the host."""
        window = window_of(at or self.lw.world.clock(), self.attendance.policy)
        url: str = self.attendance.scan_url(self.site.id, window)
        return url[url.index("/a/") :]

    def clock(self, kind: str, at: datetime) -> None:
        self.lw.world.clock.now = at
        response = self.worker.post(
            self.path(),
            data={"csrf": self.worker_csrf, "contract": self.contract_id, "kind": kind},
        )
        assert response.status_code == 200, response.text


@pytest.fixture
def shop(lw: LaborWorld) -> Shop:
    return Shop(lw)


def test_worksites_page_lists_the_worksite_and_its_staff(shop: Shop) -> None:
    page = shop.manager.get(f"/labor/worksites?org={shop.lw.world.org.id}")
    assert page.status_code == 200
    assert WORKPLACE in page.text
    assert f'href="/labor/worksite/{shop.site.id}/qr"' in page.text
    assert f'href="/labor/contracts/{shop.contract_id}/attendance"' in page.text
    dashboard = shop.manager.get("/labor")
    assert f'href="/labor/worksites?org={shop.lw.world.org.id}"' in dashboard.text
    contract = shop.worker.get(f"/labor/contracts/{shop.contract_id}")
    assert f'href="/labor/contracts/{shop.contract_id}/attendance"' in contract.text


def test_a_scan_with_the_current_code_records_with_the_server_time(shop: Shop) -> None:
    landing = shop.worker.get(shop.path())
    assert landing.status_code == 200
    assert ">출근</button>" in landing.text and ">퇴근</button>" in landing.text
    assert f'data-csrf="{shop.worker_csrf}"' in landing.text
    assert "<script>" not in landing.text
    assert "script-src 'self'" in landing.headers["Content-Security-Policy"]
    shop.lw.world.clock.now = MONDAY + timedelta(seconds=3)
    done = shop.worker.post(
        shop.path(MONDAY),
        data={"csrf": shop.worker_csrf, "contract": shop.contract_id, "kind": "in"},
    )
    assert done.status_code == 200
    assert "출근을 기록했습니다" in done.text
    # 00:00:03 UTC is 09:00:03 in Seoul (UTC+9).
    assert "2026-03-09 09:00:03 KST" in done.text
    (record,) = shop.attendance.records(
        shop.lw.worker.account, shop.contract_id, MONDAY.date(), MONDAY.date()
    )
    assert record.kind is RecordKind.CLOCK_IN and record.flags == ()


def test_signed_out_scan_goes_to_sign_in_and_back(shop: Shop) -> None:
    stranger = TestClient(create_app(shop.lw.node), follow_redirects=False)
    response = stranger.get(shop.path())
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=" + shop.path()


def test_an_old_code_is_refused_with_a_clear_page(shop: Shop) -> None:
    old = shop.path(MONDAY)
    shop.lw.world.clock.now = MONDAY + timedelta(minutes=5)
    page = shop.worker.get(old)
    assert page.status_code == 409
    assert "이 QR 코드는 만료되었습니다" in page.text
    posted = shop.worker.post(
        old, data={"csrf": shop.worker_csrf, "contract": shop.contract_id, "kind": "in"}
    )
    assert posted.status_code == 409
    assert "지금 화면의 코드를 찍으세요" in posted.text
    assert shop.attendance.shifts(shop.contract_id, MONDAY.date(), MONDAY.date()) == []


def test_a_forged_code_is_refused_as_not_shown_by_the_worksite(shop: Shop) -> None:
    window = window_of(MONDAY, shop.attendance.policy)
    page = shop.worker.get(f"/a/{shop.site.id}/{window}/{'a' * 16}")
    assert page.status_code == 404
    assert "사업장 화면에 표시된 QR 코드가 아닙니다" in page.text


def test_another_workers_contract_and_month_are_404(shop: Shop) -> None:
    other = shop.lw.node.seoul_pass.accounts.create("jisoo", PASSWORD, "이지수")
    client, csrf = browser_of(shop.lw, other)
    assert client.get(f"/labor/contracts/{shop.contract_id}/attendance").status_code == 404
    assert client.get(
        f"/labor/contracts/{shop.contract_id}/attendance/2026-03.pdf"
    ).status_code == (404)
    # Scanning the worksite's real code: she has no contract there, and posting Minji's
    # contract id records nothing.
    assert client.get(shop.path()).status_code == 404
    stolen = client.post(
        shop.path(), data={"csrf": csrf, "contract": shop.contract_id, "kind": "in"}
    )
    assert stolen.status_code == 404
    assert shop.attendance.shifts(shop.contract_id, MONDAY.date(), MONDAY.date()) == []


def test_the_qr_display_and_its_json_are_for_the_employer_only(shop: Shop) -> None:
    page = shop.manager.get(f"/labor/worksite/{shop.site.id}/qr")
    assert page.status_code == 200
    assert "<svg" in page.text and shop.path() in page.text
    assert 'src="/static/attendance.js' in page.text
    shown = shop.manager.get(f"/labor/worksite/{shop.site.id}/qr.json").json()
    # 09:00:00 starts a 30-second window: all 30 seconds are left.
    assert shown["window"] == window_of(MONDAY, shop.attendance.policy)
    assert shown["seconds_left"] == 30
    assert shown["url"].endswith(shop.path()) and shown["svg"].startswith("<svg")
    assert shop.worker.get(f"/labor/worksite/{shop.site.id}/qr").status_code == 404
    refused = shop.worker.get(f"/labor/worksite/{shop.site.id}/qr.json")
    assert refused.status_code == 404 and refused.json()["ok"] is False
    anonymous = TestClient(create_app(shop.lw.node))
    assert anonymous.get(f"/labor/worksite/{shop.site.id}/qr.json").status_code == 401


def test_the_scripts_post_uses_the_phone_time_and_flags_a_late_one(shop: Shop) -> None:
    # Scanned at 09:00 while offline, sent at 09:25: 25 minutes > the 10-minute threshold.
    shop.lw.world.clock.now = MONDAY + timedelta(minutes=25)
    window = window_of(MONDAY, shop.attendance.policy)
    code = shop.attendance.scan_url(shop.site.id, window).rsplit("/", 1)[1]
    scan = {
        "csrf": shop.worker_csrf,
        "worksite": shop.site.id,
        "window": str(window),
        "code": code,
        "contract": shop.contract_id,
        "kind": "in",
        "device_at": str(int(MONDAY.timestamp() * 1000)),
    }
    answer = shop.worker.post("/attendance/scans", data=scan)
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] and body["late"] and body["late_text"] == "늦게 전송됨"
    assert body["device_time"] == "2026-03-09 09:00:00 KST"
    assert body["server_time"] == "2026-03-09 09:25:00 KST"
    (record,) = shop.attendance.records(
        shop.lw.worker.account, shop.contract_id, MONDAY.date(), MONDAY.date()
    )
    assert record.flags == (Flag.LATE_SYNC,)
    refused = shop.worker.post("/attendance/scans", data=scan | {"csrf": "wrong"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf-rejected"
    expired = shop.worker.post(
        "/attendance/scans",
        data=scan | {"device_at": str(int(shop.lw.world.clock().timestamp() * 1000))},
    )
    assert expired.status_code == 409 and expired.json()["ok"] is False


def test_employer_confirms_a_day_and_the_worker_sees_it(shop: Shop) -> None:
    shop.clock("in", MONDAY)
    shop.clock("out", MONDAY + timedelta(hours=9))
    month = f"/labor/contracts/{shop.contract_id}/attendance?month=2026-03"
    before = shop.manager.get(month).text
    assert 'name="day" value="2026-03-09"' in before and "확인 전" in before
    # The worker may not confirm their own day.
    assert (
        shop.worker.post(
            f"/labor/contracts/{shop.contract_id}/attendance/confirm",
            data={"csrf": shop.worker_csrf, "day": "2026-03-09"},
        ).status_code
        == 404
    )
    no_csrf = shop.manager.post(
        f"/labor/contracts/{shop.contract_id}/attendance/confirm", data={"day": "2026-03-09"}
    )
    assert no_csrf.status_code == 403
    confirmed = shop.manager.post(
        f"/labor/contracts/{shop.contract_id}/attendance/confirm",
        data={"csrf": shop.manager_csrf, "day": "2026-03-09"},
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == month + "&done=confirmed"
    seen = shop.worker.get(month).text
    # 09:00-18:00 less the contract's 60-minute break: 8 hours worked.
    assert "09:00–18:00" in seen and "실근로 8:00" in seen and "확인됨" in seen
    assert "근무 1일 · 실근로 8:00시간" in seen


def test_a_correction_signed_by_both_replaces_the_day(shop: Shop) -> None:
    shop.clock("in", MONDAY)
    proposed = shop.manager.post(
        f"/labor/contracts/{shop.contract_id}/attendance/corrections",
        data={
            "csrf": shop.manager_csrf,
            "day": "2026-03-09",
            "start": "09:00",
            "end": "18:00",
            "reason": "forgot_scan",
            "note": "퇴근 스캔을 잊음",
        },
    )
    assert proposed.status_code == 303, proposed.text
    (correction,) = shop.attendance.corrections(shop.lw.manager.account, shop.contract_id)
    sign = f"/labor/attendance/corrections/{correction.id}/sign"
    wrong = shop.worker.post(sign, data={"csrf": shop.worker_csrf, "pin": "000000"})
    assert wrong.status_code in (400, 401, 403) and 'role="alert"' in wrong.text
    for client, csrf in ((shop.worker, shop.worker_csrf), (shop.manager, shop.manager_csrf)):
        signed = client.post(sign, data={"csrf": csrf, "pin": PIN})
        assert signed.status_code == 303, signed.text
    (shift,) = shop.attendance.shifts(shop.contract_id, MONDAY.date(), MONDAY.date())
    assert shift.corrected and shift.worked_minutes == 8 * 60
    page = shop.worker.get(f"/labor/contracts/{shop.contract_id}/attendance?month=2026-03")
    assert "기록됨" in page.text and "정정됨" in page.text


def test_timesheet_pdf_downloads_for_both_parties(shop: Shop) -> None:
    shop.clock("in", MONDAY)
    shop.clock("out", MONDAY + timedelta(hours=9))
    for client in (shop.worker, shop.manager):
        response = client.get(f"/labor/contracts/{shop.contract_id}/attendance/2026-03.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert re.search(
            r'filename="timesheet-[0-9a-f]{8}-2026-03\.pdf"',
            response.headers["content-disposition"],
        )


def test_an_amended_workplace_reaches_the_scan_page_of_a_running_node(shop: Shop) -> None:
    lw = shop.lw
    # Cached once by a scan at the old workplace.
    assert shop.worker.get(shop.path()).status_code == 200
    moved = "서울특별시 마포구 양화로 45"
    # Signing the amendment on 2 March, with fresh signing sessions then.
    lw.world.clock.now = START
    lw.worker = Signer(lw.node, lw.worker.account)
    lw.manager = Signer(lw.node, lw.manager.account)
    amended = lw.node.labor.amend(lw.manager.account, shop.contract_id, lw.draft(workplace=moved))
    lw.send_version(amended)
    lw.world.clock.now = MONDAY
    new_site = lw.node.attendance.worksite(lw.manager.account, lw.world.org.id, moved)
    window = window_of(lw.world.clock(), lw.node.attendance.policy)
    new_url = lw.node.attendance.scan_url(new_site.id, window)
    assert shop.worker.get(new_url[new_url.index("/a/") :]).status_code == 200
    assert shop.worker.get(shop.path()).status_code == 404
