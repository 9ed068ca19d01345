"""A new user on a 360 px phone signs up, keeps the recovery codes, sees their DID, signs out
and signs in again, in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.browser import Contexts, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "a quiet morning in Seoul"


def test_phone_user_signs_up_sees_the_did_signs_out_and_back_in(
    contexts: Contexts, live_server: str, tmp_path: Path
) -> None:
    page = contexts.phone().new_page()
    page.goto(live_server + "/")
    menu = page.get_by_role("navigation", name="주 메뉴")
    menu.get_by_role("link", name="로그인").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("로그인")
    page.get_by_role("link", name="계정이 없나요? 서울패스 가입").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("서울패스 가입")
    assert_no_horizontal_scroll(page)
    page.get_by_label("아이디").fill("minji")
    page.get_by_label("이름 (화면에 보일 이름)").fill("김민지")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_label("비밀번호 다시 입력").fill(PASSWORD)
    page.get_by_role("button", name="가입하기").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("복구 코드")
    codes = page.get_by_role("list", name="복구 코드").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", codes.first.inner_text().strip())
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "codes-360.png", full_page=True)
    page.get_by_role("link", name="코드를 보관했습니다. 내 정보로 가기").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("내 정보")
    did = page.locator("dd code.hash").first
    expect(did).to_contain_text("did:key:z6Mk")
    expect(menu.get_by_role("link", name="내 정보")).to_have_attribute("aria-current", "page")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "me-360.png", full_page=True)
    my_did = did.inner_text()

    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("서울 블록체인 도시 원장")
    menu.get_by_role("link", name="로그인").click()
    page.get_by_label("아이디").fill("minji")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="로그인", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("내 정보")
    expect(page.locator("dd code.hash").first).to_have_text(my_did)


def test_phone_user_sees_a_clear_message_for_a_wrong_password(
    contexts: Contexts, live_server: str
) -> None:
    page = contexts.phone(locale="en-US").new_page()
    page.goto(live_server + "/signin?lang=en")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password", exact=True).fill("not a real password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("The username or password is wrong")
    expect(page.get_by_label("Username")).to_have_value("nobody")
    assert_no_horizontal_scroll(page)
