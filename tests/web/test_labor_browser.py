"""The labour contract flow in headless Chromium: the employer drafts a short-time contract and
sends it; the worker opens the link on a 360 px phone, signs in, sets a PIN, enters their
details and signs; the employer countersigns; both download their copy; the worker downloads a
career certificate; a verifier sees the genuine certificate valid and a one-byte edit invalid."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from blockcity.app import create_app
from tests.identity.orgs_world import PASSWORD
from tests.services.labor.service_world import PERSONAL, PIN, LaborWorld
from tests.web.browser import Contexts, assert_no_horizontal_scroll, set_pin, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def app(lw: LaborWorld) -> FastAPI:
    """``live_server`` serves the labour world's node instead of the demo node."""
    return create_app(lw.node)


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "".join(page.get_textpage().get_text_range() for page in document)


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    assert path is not None
    return Path(path).read_bytes()


def test_contract_signed_on_a_phone_concluded_and_certified(
    contexts: Contexts, live_server: str, lw: LaborWorld, tmp_path: Path
) -> None:
    site = live_server
    employer_context = contexts.desktop(accept_downloads=True)
    phone_context = contexts.phone(accept_downloads=True)
    verifier_context = contexts.phone()
    employer = employer_context.new_page()
    sign_in(employer, site, "manager", "/labor")
    set_pin(employer, site)
    employer.goto(f"{site}/labor/new?org={lw.world.org.id}&form=short_time")
    employer.get_by_label("근로자 서울패스 아이디 또는 DID").fill("minji")
    # Begun on 5 January: 57 days by the world's 2 March, enough for a certificate.
    employer.get_by_label("근로개시일").fill("2026-01-05")
    employer.get_by_label("계약 종료일").fill("2026-08-31")
    employer.get_by_label("근무장소").fill("서울특별시 마포구 양화로 45")
    employer.get_by_label("업무의 내용").fill("커피 제조 및 매장 응대")
    for day in ("월요일", "수요일", "금요일"):
        row = employer.locator("table.schedule tr", has_text=day)
        row.locator("input[type=checkbox]").check()
        row.get_by_label(f"{day} 시작 시각").fill("10:00")
        row.get_by_label(f"{day} 종료 시각").fill("14:30")
        row.get_by_label(f"{day} 휴게시간(분)").fill("30")
    employer.get_by_label("초과근로 가산임금률(%)").fill("50")
    employer.get_by_label("임금(원)", exact=True).fill("10,320")
    employer.get_by_role("button", name="법 기준 확인하고 저장").click()
    expect(employer.locator(".verdict.ok").first).to_contain_text("계약서를 저장했습니다")
    employer.get_by_label("휴대전화 번호 또는 이메일 주소").fill("010-4821-7395")
    employer.get_by_role("button", name="서명 요청 보내기").click()
    expect(employer.locator(".verdict.ok")).to_contain_text("발송 대기열")
    link = employer.locator("#invitation-link").get_attribute("href")
    assert link is not None
    invite_path = link[link.index("/labor/invite/") :]

    phone = phone_context.new_page()
    phone.goto(site + invite_path)
    expect(phone).to_have_url(f"{site}/signin?next={invite_path}")
    phone.get_by_label("아이디").fill("minji")
    phone.get_by_label("비밀번호").fill(PASSWORD)
    phone.locator("form[action='/signin'] button[type=submit]").click()
    expect(phone.get_by_text("서명하려면 이 기기에 PIN을 먼저 설정하세요")).to_be_visible()
    set_pin(phone, site)
    phone.goto(site + invite_path)
    expect(phone.locator(".reader")).to_contain_text("시급 10,320원")
    assert_no_horizontal_scroll(phone)
    for field, label in (
        ("name", "이름"),
        ("birth_date", "생년월일"),
        ("phone", "휴대전화 번호"),
        ("bank_name", "은행"),
        ("account_number", "계좌번호"),
        ("account_holder", "예금주"),
    ):
        phone.get_by_label(label, exact=True).fill(PERSONAL[field])
    phone.get_by_label("PIN (숫자 6자리)").fill(PIN)
    phone.get_by_role("button", name="PIN으로 확인하고 서명").click()
    expect(phone.locator("#waiting")).to_contain_text("사업주 서명을 기다립니다")
    assert_no_horizontal_scroll(phone)

    employer.get_by_role("link", name="계약서로 돌아가기").click()
    employer.reload()
    employer.get_by_label("PIN (숫자 6자리)").fill(PIN)
    employer.get_by_role("button", name="PIN으로 확인하고 서명").click()
    expect(employer.locator(".verdict.ok")).to_contain_text("계약이 체결되어")
    employer_copy = download(employer, "사업주 보관용 내려받기 (제1판)")

    phone.reload()
    worker_copy = download(phone, "근로자 보관용 내려받기 (제1판)")
    assert_no_horizontal_scroll(phone)
    for data, label in ((worker_copy, "근로자 보관용"), (employer_copy, "사업주 보관용")):
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        assert label in text and "근로계약기간" in text and "김민지" in text

    phone.goto(site + "/career")
    expect(phone.get_by_text("출퇴근 기록이 생기면 표시됩니다").first).to_be_visible()
    assert_no_horizontal_scroll(phone)
    with phone.expect_download() as info:
        phone.get_by_role("button", name="사용증명서 PDF 받기").click()
    path = info.value.path()
    assert path is not None
    certificate = Path(path).read_bytes()
    assert certificate.startswith(b"%PDF") and "사용증명서" in pdf_text(certificate)

    genuine = tmp_path / "certificate.pdf"
    genuine.write_bytes(certificate)
    edited = bytearray(certificate)
    # One byte inside the page content: the PDF the credential vouches for is no longer it.
    middle = len(edited) // 3
    edited[middle] ^= 0x01
    changed = tmp_path / "edited.pdf"
    changed.write_bytes(bytes(edited))

    verifier = verifier_context.new_page()
    verifier.goto(site + "/verify")
    verifier.set_input_files("#file", str(genuine))
    verifier.get_by_role("button", name="검증하기").click()
    expect(verifier.locator(".banner.ok")).to_have_text("✓ 유효합니다")
    verifier.set_input_files("#file", str(changed))
    verifier.get_by_role("button", name="검증하기").click()
    expect(verifier.locator(".banner.bad")).to_have_text("✗ 유효하지 않습니다")
