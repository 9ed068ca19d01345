"""What the browser tests share: how Debian's Chromium is launched, browser contexts for a
phone (360 px wide, DESIGN.md section 7) and for a desktop, the phone's no-sideways-scroll
check, and the steps many tests take in a page: sign in, set a PIN, open the holder's wallet."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.credentials.holders import HOLDER_PASSWORD
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import PIN

CHROMIUM = "/usr/bin/chromium"
# Quiet, offline Chromium: no sandbox (containers), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
NO_CHROMIUM = (
    "Chromium not found: install it with `apt-get install -y chromium` (Debian) to run browser "
    "tests"
)
PHONE: ViewportSize = {"width": 360, "height": 740}
"""The phone screen, as a Playwright viewport: the narrowest the pages must fit."""
DESKTOP: ViewportSize = {"width": 1280, "height": 720}
"""An office computer's screen: where an employer or a clerk works."""


class Contexts:
    """The browser contexts (each one a person's browser, with its own cookies) of one test,
    all closed when the test ends. Korean unless the test asks for another locale."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._opened: list[BrowserContext] = []

    def phone(self, locale: str = "ko-KR", **options: Any) -> BrowserContext:
        return self._open(PHONE, locale, options)

    def desktop(self, locale: str = "ko-KR", **options: Any) -> BrowserContext:
        return self._open(DESKTOP, locale, options)

    def _open(self, viewport: ViewportSize, locale: str, options: dict[str, Any]) -> BrowserContext:
        context = self._browser.new_context(viewport=viewport, locale=locale, **options)
        self._opened.append(context)
        return context

    def close(self) -> None:
        for context in self._opened:
            context.close()


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the phone's width: nothing to scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 360 px screen"


def sign_in(page: Page, site: str, username: str, next_path: str) -> None:
    page.goto(f"{site}/signin?next={next_path}")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.locator("form[action='/signin'] button[type=submit]").click()


def set_pin(page: Page, site: str) -> None:
    page.goto(site + "/me/pin")
    page.get_by_label("PIN (숫자 6자리)").fill(PIN)
    page.get_by_label("PIN 다시 입력").fill(PIN)
    page.get_by_role("button", name="PIN 저장").click()
    expect(page.locator(".verdict.ok")).to_contain_text("PIN을 저장했습니다")


def wallet_card(page: Page, site: str, credential_id: str) -> Locator:
    """The credential world's holder signs in at their wallet; the card of one credential."""
    page.goto(site + "/wallet")
    page.fill("#username", "holder")
    page.fill("#password", HOLDER_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    return page.locator(f'[data-credential="{credential_id}"]')
