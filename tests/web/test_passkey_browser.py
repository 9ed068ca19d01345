"""A new person on a 360 px phone, in headless Chromium with a virtual authenticator (DevTools
protocol, WebAuthn domain): signs up, enrols a passkey, signs out, signs in with the passkey,
signs a document digest with it and sees the record verify; then sets a PIN and signs with
the Seoul Pass key after a PIN step-up."""

from __future__ import annotations

import json
from hashlib import sha256

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.web.browser import Contexts, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "seoul spring 2026"
DOCUMENT = "근로계약서\n근로자: 김민지\n기간: 2026-03-02 ~ 2026-06-30\n시급: 10,320원"


@pytest.fixture
def site(live_server: str) -> str:
    """The live server as http://localhost: WebAuthn needs a secure context and a domain name
    for the RP ID, which http://127.0.0.1 is not."""
    return live_server.replace("127.0.0.1", "localhost")


@pytest.fixture
def phone(contexts: Contexts) -> tuple[BrowserContext, Page]:
    """A phone-sized page whose device has a platform authenticator with fingerprint-style
    user verification that always succeeds."""
    context = contexts.phone()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return context, page


def _sign_up(page: Page, site: str, username: str) -> None:
    page.goto(site + "/signup")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=display_name]").fill("김민지")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password_again]").fill(PASSWORD)
    page.locator("form[action='/signup'] button[type=submit]").click()
    expect(page.locator("ol.codes")).to_be_visible()


def _type_document(page: Page) -> None:
    page.get_by_label("문서 내용 붙여넣기").fill(DOCUMENT)
    expect(page.locator("#digest")).to_have_text(sha256(DOCUMENT.encode()).hexdigest())


def _record_verifies(page: Page) -> dict[str, object]:
    result = page.locator("#result")
    expect(result.locator(".verdict.ok")).to_contain_text("검증되었습니다")
    record = json.loads(page.locator("#result-json").inner_text())
    assert record["sha256"] == sha256(DOCUMENT.encode()).hexdigest()

    page.get_by_label("서명 기록 (JSON)", exact=True).fill(json.dumps(record))
    page.get_by_role("button", name="확인", exact=True).click()
    expect(page.locator("#verify-status")).to_have_class("status ok")
    return record


def test_new_person_enrols_a_passkey_signs_in_with_it_and_signs_a_document(
    phone: tuple[BrowserContext, Page], site: str
) -> None:
    context, page = phone
    _sign_up(page, site, "minji")

    page.goto(site + "/me/passkeys")
    expect(page.get_by_role("heading", level=1)).to_have_text("내 패스키")
    assert_no_horizontal_scroll(page)
    page.get_by_label("패스키 이름").fill("민지의 휴대폰")
    page.get_by_role("button", name="패스키 등록").click()
    expect(page.locator(".verdict.ok")).to_contain_text("패스키를 등록했습니다")
    expect(page.locator("ul.passkeys h3")).to_have_text("민지의 휴대폰")
    assert_no_horizontal_scroll(page)

    page.goto(site + "/me")
    page.locator("form[action='/signout'] button").click()
    expect(page.get_by_role("link", name="로그인")).to_be_visible()
    assert not [c for c in context.cookies() if c["name"] == "bc_session"]

    page.goto(site + "/signin")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="패스키로 로그인").click()
    page.wait_for_url(site + "/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("내 정보")
    session = [c for c in context.cookies() if c["name"] == "bc_session"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Lax"

    page.get_by_role("navigation").get_by_role("link", name="문서 서명").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("문서 서명")
    _type_document(page)
    page.get_by_role("button", name="패스키로 서명").click()
    record = _record_verifies(page)
    assert record["kind"] == "passkey"
    assert_no_horizontal_scroll(page)

    download = page.request.get(site + page.locator("#result-download").get_attribute("href"))
    assert download.ok and json.loads(download.body()) == record


def test_person_sets_a_pin_and_signs_with_the_seoul_pass_key_after_a_pin_step_up(
    phone: tuple[BrowserContext, Page], site: str
) -> None:
    _, page = phone
    _sign_up(page, site, "jiho")

    page.goto(site + "/me/pin")
    assert_no_horizontal_scroll(page)
    page.get_by_label("PIN (숫자 6자리)").fill("250814")
    page.get_by_label("PIN 다시 입력").fill("250814")
    page.get_by_role("button", name="PIN 저장").click()
    expect(page.locator(".verdict.ok")).to_contain_text("PIN을 저장했습니다")

    page.goto(site + "/sign")
    _type_document(page)
    page.get_by_role("button", name="서울패스 키로 서명").click()
    expect(page.locator("#step-up")).to_be_visible()
    expect(page.locator("#sign-status")).to_contain_text("PIN이나 패스키로 확인한 뒤")

    page.get_by_label("PIN (숫자 6자리)").fill("000001")
    page.get_by_role("button", name="PIN으로 확인하고 서명").click()
    expect(page.locator("#sign-status")).to_contain_text("4번 더 틀리면")

    page.get_by_label("PIN (숫자 6자리)").fill("250814")
    page.get_by_role("button", name="PIN으로 확인하고 서명").click()
    record = _record_verifies(page)
    assert record["kind"] == "custodial"
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign a document")
    expect(page.get_by_role("table")).to_contain_text("Seoul Pass key")
