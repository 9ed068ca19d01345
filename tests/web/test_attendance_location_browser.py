"""The optional location in headless Chromium on a 360 px phone: on a phone that lets the page
read its position (set at Gangnam Station), the worker opts in and clocks in while offline (the
queued scan keeps the position read at the tap); once it is sent, the employer's month page shows
the coordinates, the accuracy and the 8.8 km from the worksite, marked far. On a second phone
that refuses the position, the clock-out is recorded all the same, without a location, and the
page says so politely; withdrawing there turns recording off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from blockcity.app import create_app
from blockcity.services.attendance import Location
from blockcity.services.attendance.qr import window_of
from tests.services.labor.service_world import LaborWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

MONDAY = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
"""09:00 in Seoul on Monday 9 March 2026, when the fixed-term contract's day starts."""
GANGNAM = {"latitude": 37.4979, "longitude": 127.0276, "accuracy": 30}
"""Where the first phone says it is: about 8.8 km from the worksite at City Hall."""
LOCATION_WAIT_MS = 15_000
"""Longer than the page's own 10 s bound on reading a position."""


@pytest.fixture
def app(lw: LaborWorld) -> FastAPI:
    """``live_server`` serves the labour world's node instead of the demo node."""
    return create_app(lw.node)


def test_an_opted_in_phone_sends_its_location_and_a_refusing_one_still_clocks_out(
    contexts: Contexts, live_server: str, lw: LaborWorld
) -> None:
    contract = lw.conclude().contract
    attendance = lw.node.attendance
    site = attendance.worksite(lw.manager.account, lw.world.org.id, contract.draft.workplace or "")
    attendance.set_worksite_position(lw.manager.account, site.id, Location(37.5665, 126.978))
    worker = lw.worker.account

    def shown_path() -> str:
        url: str = attendance.scan_url(site.id, window_of(lw.world.clock(), attendance.policy))
        return url[url.index("/a/") :]

    lw.world.clock.now = MONDAY
    granting = contexts.phone(permissions=["geolocation"], geolocation=GANGNAM)
    refusing = contexts.phone(permissions=[])
    employer_context = contexts.desktop()
    granting.clock.install(time=MONDAY)
    refusing.clock.install(time=MONDAY + timedelta(hours=9))
    phone = granting.new_page()
    sign_in(phone, live_server, "minji", shown_path())
    choice = phone.locator("#location-choice")
    expect(choice).to_be_visible()
    expect(choice).to_contain_text("사업주가 볼 수 있고")
    expect(phone.locator("#location-state")).to_have_text("위치는 기록하지 않습니다.")
    assert_no_horizontal_scroll(phone)
    phone.get_by_role("button", name="위치 함께 기록하기").click()
    expect(phone.locator("#location-state")).to_have_text(
        "출퇴근을 찍을 때 위치를 함께 기록합니다."
    )
    expect(phone.get_by_role("button", name="위치 기록 끄기")).to_be_visible()
    expect(phone.get_by_role("button", name="위치 함께 기록하기")).to_be_hidden()
    assert attendance.location_consent(worker, site.id) is not None
    # Tapped without signal: the scan waits in the phone's queue with the position read at
    # the tap, and is sent with it once the phone is back online.
    granting.set_offline(True)
    phone.get_by_role("button", name="출근").click()
    status = phone.locator("#scan-status")
    expect(status).to_contain_text("오프라인: 연결되면 전송합니다", timeout=LOCATION_WAIT_MS)
    queued = phone.evaluate("() => JSON.parse(localStorage.getItem('blockcity.attendance.queue'))")
    assert [item["place"]["latitude"] for item in queued] == [GANGNAM["latitude"]]
    granting.set_offline(False)
    expect(status).to_contain_text("출근을 기록했습니다")
    expect(status).to_contain_text("위치도 함께 기록했습니다 (오차 약 30m)")
    # The phone remembers the choice: a fresh load of the page shows it on.
    phone.reload()
    expect(phone.get_by_role("button", name="위치 기록 끄기")).to_be_visible()
    assert_no_horizontal_scroll(phone)

    month = f"/labor/contracts/{contract.id}/attendance?month=2026-03"
    employer = employer_context.new_page()
    sign_in(employer, live_server, "manager", month)
    line = employer.locator("#sheet-days p.location")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("출근 위치 37.498, 127.028")
    expect(line).to_contain_text("오차 ±30m")
    expect(line).to_contain_text("사업장에서 8,801m")
    expect(line.locator("[data-flag=far]")).to_have_text("사업장에서 멂")

    lw.world.clock.now = MONDAY + timedelta(hours=9)
    other = refusing.new_page()
    sign_in(other, live_server, "minji", shown_path())
    # A second phone reads no position until its worker turns it on there too.
    expect(other.get_by_role("button", name="위치 함께 기록하기")).to_be_visible()
    other.get_by_role("button", name="위치 함께 기록하기").click()
    expect(other.get_by_role("button", name="위치 기록 끄기")).to_be_visible()
    other.get_by_role("button", name="퇴근").click()
    status = other.locator("#scan-status")
    expect(status).to_contain_text("퇴근을 기록했습니다", timeout=LOCATION_WAIT_MS)
    expect(status).to_contain_text("휴대전화의 위치를 읽지 못해 위치 없이 기록했습니다")
    assert_no_horizontal_scroll(other)
    day = MONDAY.date()
    records = attendance.records(worker, contract.id, day, day)
    assert [r.location is not None for r in records] == [True, False]

    other.get_by_role("button", name="위치 기록 끄기").click()
    expect(other.locator("#location-state")).to_have_text("위치는 기록하지 않습니다.")
    expect(other.get_by_role("button", name="위치 함께 기록하기")).to_be_visible()
    assert attendance.location_consent(worker, site.id) is None
    remembered = other.evaluate(
        "key => localStorage.getItem(key)", "blockcity.attendance.location." + site.id
    )
    assert remembered is None
