"""On a 360 px phone in headless Chromium: a clerk verifies a bundle (green) and a tampered one
(red, the signature named); a holder shares a credential from the wallet, a stranger opens the
link (green), and once the holder revokes it the link says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from blockcity.app import create_app
from tests.credentials.holders import CredentialWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, wallet_card

pytestmark = pytest.mark.browser


@pytest.fixture
def app(cw: CredentialWorld) -> FastAPI:
    """The app ``live_server`` serves: the credential world's node."""
    return create_app(cw.node)


def test_clerk_sees_green_then_red_with_the_signature_reason(
    contexts: Contexts, live_server: str, cw: CredentialWorld, tmp_path: Path
) -> None:
    good = tmp_path / "certificate.json"
    bundle = cw.node.credentials.bundle(cw.credential.id)
    good.write_text(json.dumps(bundle), encoding="utf-8")
    bundle["credential"]["credentialSubject"]["duties"] = "점장"
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    page = contexts.phone().new_page()
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


def test_holder_shares_a_credential_and_revokes_the_link(
    contexts: Contexts, live_server: str, cw: CredentialWorld
) -> None:
    page = contexts.phone().new_page()
    visitor = contexts.phone().new_page()
    card = wallet_card(page, live_server, cw.credential.id)
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
