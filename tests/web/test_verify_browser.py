"""On a 360 px phone in headless Chromium: a clerk verifies a bundle (green) and a tampered one
(red, the signature named); a holder shares a credential from the wallet, a stranger opens the
link (green), and once the holder revokes it the link says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect

from blockcity.api.app import create_app
from tests.conftest import PHONE, assert_no_horizontal_scroll
from tests.credentials.holders import HOLDER_PASSWORD, CredentialWorld, credential_world

pytestmark = pytest.mark.browser


@pytest.fixture
def cw(tmp_path: Path) -> Iterator[CredentialWorld]:
    with credential_world(tmp_path / "data") as world:
        yield world


@pytest.fixture
def app(cw: CredentialWorld) -> FastAPI:
    """The app ``live_server`` serves: the credential world's node."""
    return create_app(cw.node)


def test_clerk_sees_green_then_red_with_the_signature_reason(
    browser: Browser, live_server: str, cw: CredentialWorld, tmp_path: Path
) -> None:
    good = tmp_path / "certificate.json"
    bundle = cw.node.credentials.bundle(cw.credential.id)
    good.write_text(json.dumps(bundle), encoding="utf-8")
    bundle["credential"]["credentialSubject"]["duties"] = "점장"
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(live_server + "/verify")
        page.set_input_files("#file", str(good))
        page.get_by_role("button", name="검증하기").click()
        expect(page.locator(".banner.ok")).to_have_text("✓ 유효합니다")
        assert_no_horizontal_scroll(page)

        page.set_input_files("#file", str(bad))
        page.get_by_role("button", name="검증하기").click()
        expect(page.locator(".banner.bad")).to_have_text("✗ 유효하지 않습니다")
        signature = page.locator('[data-check="signature"]')
        expect(signature).to_have_attribute("data-ok", "false")
        expect(signature).to_contain_text("signature")
        assert_no_horizontal_scroll(page)
    finally:
        context.close()


def test_holder_shares_a_credential_and_revokes_the_link(
    browser: Browser, live_server: str, cw: CredentialWorld
) -> None:
    holder = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = holder.new_page()
    stranger = browser.new_context(viewport=PHONE, locale="ko-KR")
    visitor = stranger.new_page()
    try:
        page.goto(live_server + "/wallet")
        page.fill("#username", "holder")
        page.fill("#password", HOLDER_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        card = page.locator(f'[data-credential="{cw.credential.id}"]')
        expect(card).to_contain_text("CareerCertificate")
        assert_no_horizontal_scroll(page)

        card.get_by_label("공유 기간").select_option("1h")
        card.get_by_role("button", name="공유 링크 만들기").click()
        link = page.locator("#share-link")
        expect(link).to_be_visible()
        expect(page.locator("#new-share svg")).to_be_visible()
        assert_no_horizontal_scroll(page)
        url = link.get_attribute("href")
        assert url

        visitor.goto(url)
        expect(visitor.locator(".banner.ok")).to_have_text("✓ 유효합니다")

        page.goto(live_server + "/wallet")
        page.get_by_role("button", name="공유 취소").click()
        expect(page.locator("[data-share]")).to_contain_text("취소됨")

        visitor.goto(url)
        expect(visitor.locator(".banner.bad")).to_contain_text("공유 링크를 더 이상 쓸 수 없습니다")
        expect(visitor.get_by_text("소지자가 이 공유 링크를 취소했습니다")).to_be_visible()
    finally:
        holder.close()
        stranger.close()
