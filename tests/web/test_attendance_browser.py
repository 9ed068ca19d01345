"""A week of clock-ins in headless Chromium on a 360 px phone: each day the worker opens the link
the worksite's display showed and taps 출근 and 퇴근; Wednesday's clock-in is tapped while the
phone is offline, waits in the phone's queue and is sent (and flagged late) once it is back
online; the employer confirms the week; the worker's timesheet shows five days and 40 hours;
the employer issues March's wage statement and the worker sees the five days on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from blockcity.app import create_app
from blockcity.services.attendance import Flag
from blockcity.services.attendance.qr import window_of
from tests.services.labor.service_world import LaborWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

MONDAY = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
"""09:00 in Seoul on Monday 9 March 2026, when the fixed-term contract's day starts."""
WEDNESDAY = 2


@pytest.fixture
def app(lw: LaborWorld) -> FastAPI:
    """``live_server`` serves the labour world's node instead of the demo node."""
    return create_app(lw.node)


def move_clocks(lw: LaborWorld, phone: Page, at: datetime) -> None:
    """The node's clock and the phone's (``Date.now()``) to ``at``: the phone keeps network
    time, so both read the same."""
    lw.world.clock.now = at
    phone.clock.set_system_time(at)


def test_a_week_of_clock_ins_on_a_phone_with_one_offline(
    contexts: Contexts, live_server: str, lw: LaborWorld
) -> None:
    contract = lw.conclude().contract
    attendance = lw.node.attendance
    site = attendance.worksite(lw.manager.account, lw.world.org.id, contract.draft.workplace or "")

    def shown_path() -> str:
        url: str = attendance.scan_url(site.id, window_of(lw.world.clock(), attendance.policy))
        return url[url.index("/a/") :]

    phone_context = contexts.phone()
    employer_context = contexts.desktop()
    phone_context.clock.install(time=MONDAY)
    phone = phone_context.new_page()
    status = phone.locator("#scan-status")
    for day in range(5):
        start = MONDAY + timedelta(days=day)
        move_clocks(lw, phone, start)
        # A session lasts 12 hours: the worker signs in each morning and lands on the scan.
        sign_in(phone, live_server, "minji", shown_path())
        expect(phone.get_by_role("button", name="출근")).to_be_visible()
        assert_no_horizontal_scroll(phone)
        # The phone's clock flows while signing in (a second or more on a busy machine):
        # back to 09:00:00 for the tap, so each day is exactly 09:00 to 18:00.
        move_clocks(lw, phone, start)
        if day == WEDNESDAY:
            phone_context.set_offline(True)
            phone.get_by_role("button", name="출근").click()
            expect(status).to_contain_text("오프라인: 연결되면 전송합니다")
            # Back in signal twenty minutes later: more than the 10-minute threshold.
            move_clocks(lw, phone, start + timedelta(minutes=20))
            phone_context.set_offline(False)
            expect(status).to_contain_text("출근을 기록했습니다")
            expect(status).to_contain_text("늦게 전송됨")
        else:
            phone.get_by_role("button", name="출근").click()
            expect(status).to_contain_text("출근을 기록했습니다")
        move_clocks(lw, phone, start + timedelta(hours=9))
        phone.goto(live_server + shown_path())
        phone.get_by_role("button", name="퇴근").click()
        expect(status).to_contain_text("퇴근을 기록했습니다")
        expect(status).to_contain_text("18:00:00 KST")

    shifts = attendance.shifts(contract.id, MONDAY.date(), MONDAY.date() + timedelta(4))
    assert len(shifts) == 5
    wednesday = MONDAY.date() + timedelta(WEDNESDAY)
    records = attendance.records(lw.worker.account, contract.id, wednesday, wednesday)
    assert [r.flags for r in records] == [(Flag.LATE_SYNC,), ()]

    month = f"/labor/contracts/{contract.id}/attendance?month=2026-03"
    employer = employer_context.new_page()
    sign_in(employer, live_server, "manager", month)
    for _ in range(5):
        employer.locator("#sheet-days button").first.click()
        expect(employer.locator(".verdict.ok")).to_contain_text("확인했습니다")
    expect(employer.locator("#sheet-days button")).to_have_count(0)

    phone.goto(live_server + month)
    # Five days of 09:00-18:00 less the contract's 60-minute break: 5 x 8 = 40 hours.
    expect(phone.locator("#sheet-total")).to_contain_text("근무 5일 · 실근로 40:00시간")
    expect(phone.locator("#sheet-days .day")).to_have_count(5)
    expect(phone.locator("#sheet-days").get_by_text("확인됨")).to_have_count(5)
    expect(phone.locator(f"[data-day='{wednesday}'] [data-flag=late_sync]")).to_be_visible()
    assert_no_horizontal_scroll(phone)

    employer.goto(f"{live_server}/labor/contracts/{contract.id}")
    employer.get_by_role("link", name="임금명세서·분쟁용 기록").click()
    employer.get_by_label("임금 기간 (월)").fill("2026-03")
    employer.get_by_label("소득세 (원)", exact=True).fill("0")
    employer.get_by_label("지방소득세 (원)").fill("0")
    employer.get_by_label("업종 (산재보험)").select_option("construction")
    employer.get_by_role("button", name="계산해서 발급").click()
    expect(employer.locator(".verdict.ok")).to_contain_text("임금명세서를 발급하고")
    statement_path = re.sub(r"^https?://[^/]+", "", employer.url).split("?")[0]

    phone.goto(live_server + statement_path)
    expect(phone.locator("#basics")).to_contain_text("5일")
    assert_no_horizontal_scroll(phone)
