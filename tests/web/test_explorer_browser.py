"""A visitor on a 360 px phone walks from the home page to a verified entry in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.browser import Contexts, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_phone_visitor_switches_language_and_checks_an_entry(
    contexts: Contexts, live_server: str, tmp_path: Path
) -> None:
    page = contexts.phone().new_page()
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("서울 블록체인 도시 원장")
    assert_no_horizontal_scroll(page)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="본문으로 건너뛰기")).to_be_focused()

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seoul Blockchain City ledger")
    page.get_by_role("link", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    menu = page.get_by_role("navigation", name="주 메뉴")
    menu.get_by_role("link", name="원장 탐색기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("원장 탐색기")
    assert_no_horizontal_scroll(page)

    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("블록 #2")
    assert_no_horizontal_scroll(page)

    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("항목 #2")
    expect(page.locator(".verdict.ok").first).to_contain_text("검증됨")
    expect(page.locator(".verdict.bad")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "entry-360.png", full_page=True)


def test_phone_visitor_finds_a_block_by_its_height(contexts: Contexts, live_server: str) -> None:
    page = contexts.phone(locale="en-US").new_page()
    page.goto(live_server + "/ledger")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Find by number or ID").fill("b0")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Block #0")
    assert_no_horizontal_scroll(page)

    page.go_back()
    page.get_by_label("Find by number or ID").fill("no such thing")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("is not an entry number")
    assert_no_horizontal_scroll(page)
