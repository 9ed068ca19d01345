"""A week of clock-ins through ``node.attendance``, then in headless Chromium: the employer issues
March's statement from the contract's page, and the worker opens it on a 360 px phone, sees the
week's days and the net pay, and signs receipt with a PIN step-up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from blockcity.app import create_app
from blockcity.services.attendance import RecordKind
from blockcity.services.attendance.qr import window_of
from tests.services.labor.service_world import LaborWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, set_pin, sign_in

pytestmark = pytest.mark.browser

MONDAY = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
"""09:00 in Seoul on Monday 9 March 2026, when the fixed-term contract's day starts."""


@pytest.fixture
def app(lw: LaborWorld) -> FastAPI:
    """``live_server`` serves the labour world's node instead of the demo node."""
    return create_app(lw.node)


def a_week_of_clock_ins(lw: LaborWorld, contract_id: str, workplace: str) -> None:
    """Monday to Friday, the worker scans the worksite's code at 09:00 and at 18:00 Seoul time,
    each time the code the display showed at that moment."""
    attendance = lw.node.attendance
    site = attendance.worksite(lw.manager.account, lw.world.org.id, workplace)
    for day in range(5):
        for kind, hours in ((RecordKind.CLOCK_IN, 0), (RecordKind.CLOCK_OUT, 9)):
            lw.world.clock.now = MONDAY + timedelta(days=day, hours=hours)
            window = window_of(lw.world.clock(), attendance.policy)
            code = attendance.scan_url(site.id, window).rsplit("/", 1)[1]
            attendance.clock_in_out(
                lw.worker.account, contract_id, kind, site.id, window, code, lw.world.clock()
            )
    lw.world.clock.now = MONDAY + timedelta(days=4, hours=10)


def test_a_week_of_clock_ins_becomes_a_statement_signed_on_a_phone(
    contexts: Contexts, live_server: str, lw: LaborWorld
) -> None:
    contract = lw.conclude().contract
    a_week_of_clock_ins(lw, contract.id, contract.draft.workplace or "")
    assert (
        len(lw.node.attendance.shifts(contract.id, MONDAY.date(), MONDAY.date() + timedelta(4)))
        == 5
    )

    site = live_server
    employer_context = contexts.desktop()
    phone_context = contexts.phone()
    employer = employer_context.new_page()
    sign_in(employer, site, "manager", f"/labor/contracts/{contract.id}")
    employer.get_by_role("link", name="임금명세서·분쟁용 기록").click()
    employer.get_by_label("임금 기간 (월)").fill("2026-03")
    employer.get_by_label("소득세 (원)", exact=True).fill("0")
    employer.get_by_label("지방소득세 (원)").fill("0")
    employer.get_by_label("업종 (산재보험)").select_option("construction")
    employer.get_by_role("button", name="계산해서 발급").click()
    expect(employer.locator(".verdict.ok")).to_contain_text("임금명세서를 발급하고")
    statement_path = re.sub(r"^https?://[^/]+", "", employer.url).split("?")[0]

    phone = phone_context.new_page()
    sign_in(phone, site, "minji", "/career")
    set_pin(phone, site)
    phone.goto(site + "/career")
    phone.get_by_role("link", name="내 임금명세서").click()
    phone.get_by_role("link", name="2026년 3월분").click()
    assert phone.url.endswith(statement_path)
    # The week's five shifts; the monthly wage of 2,300,000 x 30 / 31 days employed
    # = 2,225,806.45 -> 2,225,807 is the base whatever the days attended.
    expect(phone.locator("#basics")).to_contain_text("5일")
    expect(phone.locator("#pay-items")).to_contain_text("2,225,807원")
    expect(phone.locator("#net-pay")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    phone.get_by_label("PIN (숫자 6자리)").fill("250814")
    phone.get_by_role("button", name="PIN으로 확인하고 수령 서명").click()
    expect(phone.locator("#acknowledged")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    issued = lw.node.wages.for_worker(lw.worker.account)[0]
    assert issued.acknowledgement is not None
    assert issued.statement.attendance.days_worked == 5
