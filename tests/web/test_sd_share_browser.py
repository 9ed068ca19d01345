"""On a 360 px phone in headless Chromium: a holder keeps 2 of the 4 claims of a career
certificate ticked and shares them; a stranger opening the link in a fresh browser sees those
2 claims, green, and that 2 were withheld, without their values."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from blockcity.app import create_app
from tests.credentials.holders import CredentialWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, wallet_card

pytestmark = pytest.mark.browser


@pytest.fixture
def app(cw: CredentialWorld) -> FastAPI:
    return create_app(cw.node)


def test_holder_shares_two_of_four_claims_and_a_stranger_sees_only_them(
    contexts: Contexts, live_server: str, cw: CredentialWorld
) -> None:
    holder = contexts.phone()
    page = holder.new_page()
    visitor = contexts.phone().new_page()
    card = wallet_card(page, live_server, cw.credential.id)
    boxes = card.locator('input[name="claim"]')
    expect(boxes).to_have_count(4)
    card.get_by_label("업무 내용").uncheck()
    card.get_by_label("근무 종료일").uncheck()
    expect(card.locator('input[name="claim"]:checked')).to_have_count(2)
    assert_no_horizontal_scroll(page)
    card.get_by_role("button", name="공유 링크 만들기").click()
    link = page.locator("#share-link")
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    assert url

    visitor.goto(url)
    expect(visitor.locator(".banner.ok")).to_have_text("✓ 유효합니다")
    facts = visitor.locator("dl.facts")
    expect(facts).to_contain_text("사업장")
    expect(facts).to_contain_text("마포 카페")
    expect(facts).to_contain_text("근무 시작일")
    expect(facts).to_contain_text("2025-03-01")
    expect(visitor.locator("#withheld")).to_contain_text("2개 항목을 감췄습니다")
    html = visitor.content()
    assert "바리스타" not in html and "2025-12-31" not in html
    expect(visitor.locator('[data-check="key-binding"]')).to_have_attribute("data-ok", "true")
    assert_no_horizontal_scroll(visitor)
