"""The account pages through HTTP: sign up with recovery codes, sign in and out, my account and
certificate, password change, recovery, the officer's identity check; and the attacks on them:
CSRF, open redirects, another user's certificate."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from blockcity.http.sessions import SESSION_COOKIE
from blockcity.node import Node
from blockcity.web.auth import ANONYMOUS_CSRF_COOKIE
from tests.identity.certificates_v1 import issue_certificate_v1
from tests.web.account_helpers import (
    OFFICER_PASSWORD,
    PASSWORD,
    form_token,
    officer,
    proof,
    quick_node,
    recovery_codes,
    session_cookie,
    sign_in,
    sign_up,
)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with quick_node(tmp_path) as opened:
        yield opened


PAGES = [
    ("/signup", "서울패스 가입", "Sign up for Seoul Pass"),
    ("/signin", "로그인", "Sign in"),
    ("/recover", "계정 복구", "Recover your account"),
]


def test_account_pages_speak_korean_first_and_english_on_request(client: TestClient) -> None:
    for path, korean, english in PAGES:
        ko = client.get(path + "?lang=ko")
        assert ko.status_code == 200 and f"<h1>{korean}</h1>" in ko.text, path
        assert '<html lang="ko">' in ko.text
        en = client.get(path + "?lang=en")
        assert f"<h1>{english}</h1>" in en.text and '<html lang="en">' in en.text, path
        for field in re.findall(r'<input id="([a-z_]+)"', ko.text):
            assert f'<label for="{field}">' in ko.text, f"{path}: {field} has no label"
        assert ko.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in ko.headers["Content-Security-Policy"]


def test_sign_up_shows_ten_codes_once_and_signs_in(client: TestClient, node: Node) -> None:
    page = sign_up(client, "minji")
    assert page.status_code == 201
    codes = recovery_codes(page.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in page.headers["Cache-Control"]
    cookie = page.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    me = client.get("/me")
    account = node.seoul_pass.accounts.by_username("minji")
    assert account is not None
    assert account.did in me.text and "아직 확인하지 않음" in me.text
    assert "(남은 복구 코드 10개)" in me.text
    assert not any(code in me.text for code in codes)


def test_cookies_are_secure_when_served_over_tls(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as tls:
        page = sign_up(tls, "minji")
    cookies = page.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "Secure" in session and "HttpOnly" in session


REFUSED_SIGN_UPS = [
    ("minji", PASSWORD, PASSWORD + "x", "두 비밀번호가 다릅니다"),
    ("minji", "short", "short", "10자 이상"),
    ("m", PASSWORD, PASSWORD, "아이디는 3~32자"),
]


def test_a_refused_sign_up_shows_why_and_creates_nothing(client: TestClient, node: Node) -> None:
    for username, password, again, message in REFUSED_SIGN_UPS:
        token = form_token(client, "/signup")
        page = client.post(
            "/signup",
            data={
                "username": username,
                "display_name": "민지",
                "password": password,
                "password_again": again,
                "csrf_token": token,
            },
        )
        assert page.status_code == 400 and message in page.text, message
        assert f'value="{username}"' in page.text and password not in page.text
        assert node.seoul_pass.accounts.by_username(username) is None
        assert session_cookie(client) is None


def test_a_taken_username_is_a_conflict(client: TestClient) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    again = sign_up(client, "minji")
    assert again.status_code == 409 and "이미 쓰이고 있습니다" in again.text


def test_the_menu_offers_sign_in_or_my_account_on_every_page(client: TestClient) -> None:
    assert 'href="/signin"' in client.get("/ledger").text
    sign_up(client, "minji")
    for path in ("/", "/ledger", "/me"):
        page = client.get(path).text
        assert 'href="/me"' in page and ">내 정보</a>" in page and 'href="/signin"' not in page


def test_my_account_asks_to_sign_in_and_comes_back(client: TestClient) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    away = client.get("/me", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/signin?next=/me"
    form = client.get(away.headers["location"]).text
    assert '<input type="hidden" name="next" value="/me">' in form
    back = sign_in(client, "minji", next="/me")
    assert back.status_code == 303 and back.headers["location"] == "/me"


OFFSITE = [
    "https://evil.example/",
    "//evil.example/me",
    "/\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "/me\r\nLocation: https://evil.example",
    " /me",
]


def test_next_cannot_send_anyone_to_another_site(client: TestClient) -> None:
    sign_up(client, "minji")
    for target in OFFSITE:
        client.cookies.clear()
        form = client.get("/signin", params={"next": target}).text
        assert '<input type="hidden" name="next" value="/me">' in form, target
        answer = sign_in(client, "minji", next=target)
        assert answer.status_code == 303 and answer.headers["location"] == "/me", target


def test_a_wrong_password_keeps_the_username_but_never_the_password(client: TestClient) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    page = sign_in(client, "minji", "not my password at all")
    assert page.status_code == 401
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in page.text
    assert 'value="minji"' in page.text and "not my password at all" not in page.text
    assert session_cookie(client) is None


def test_sign_out_ends_the_session(client: TestClient, node: Node) -> None:
    sign_up(client, "minji")
    token = session_cookie(client)
    out = client.post(
        "/signout", data={"csrf_token": form_token(client, "/me")}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert node.seoul_pass.sessions.get(token) is None
    assert session_cookie(client) is None


def test_sign_out_without_the_csrf_token_is_refused(client: TestClient, node: Node) -> None:
    sign_up(client, "minji")
    session = session_cookie(client)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged-token"}):
        refused = client.post("/signout", data=data)
        assert refused.status_code == 403, data
        assert node.seoul_pass.sessions.get(session) is not None


def test_a_form_from_another_site_cannot_sign_anyone_up(client: TestClient, node: Node) -> None:
    client.get("/signup")
    client.cookies.delete(ANONYMOUS_CSRF_COOKIE)
    refused = client.post(
        "/signup",
        data={
            "username": "planted",
            "display_name": "Planted",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "csrf_token": "guessed",
        },
    )
    assert refused.status_code == 403
    assert node.seoul_pass.accounts.by_username("planted") is None


def _change_password(client: TestClient, current: str, new: str, token: str | None) -> Response:
    data = {"current": current, "new": new, "new_again": new}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/me/password", data=data, follow_redirects=False)


def test_changing_the_password_signs_out_every_other_device(
    client: TestClient, app: FastAPI, node: Node
) -> None:
    sign_up(client, "minji")
    with TestClient(app) as phone:
        assert sign_in(phone, "minji").status_code == 303
        phone_session = session_cookie(phone)
    before = session_cookie(client)
    changed = _change_password(client, PASSWORD, "a fresh new password", form_token(client, "/me"))
    assert changed.status_code == 303
    assert node.seoul_pass.sessions.get(phone_session) is None
    assert node.seoul_pass.sessions.get(before) is None
    assert "비밀번호를 바꿨습니다" in client.get(changed.headers["location"]).text
    client.cookies.clear()
    assert sign_in(client, "minji", "a fresh new password").status_code == 303


def test_a_password_change_needs_the_current_password_and_the_csrf_token(
    client: TestClient, node: Node
) -> None:
    sign_up(client, "minji")
    token = form_token(client, "/me/password")
    before = node.seoul_pass.db.one("SELECT password_hash FROM accounts")
    wrong = _change_password(client, "not the password", "a fresh new password", token)
    assert wrong.status_code == 401
    assert "현재 비밀번호가 올바르지 않습니다" in wrong.text
    forged = _change_password(client, PASSWORD, "a fresh new password", "forged")
    missing = _change_password(client, PASSWORD, "a fresh new password", None)
    assert forged.status_code == missing.status_code == 403
    after = node.seoul_pass.db.one("SELECT password_hash FROM accounts")
    assert before is not None and after is not None
    assert before["password_hash"] == after["password_hash"]


def test_recovery_through_the_page_sets_a_password_and_ends_sessions(
    client: TestClient, node: Node
) -> None:
    codes = recovery_codes(sign_up(client, "minji").text)
    old_session = session_cookie(client)
    client.cookies.clear()
    token = form_token(client, "/recover")
    data = {"username": "minji", "code": codes[2], "new": "recovered at last", "csrf_token": token}
    done = client.post(
        "/recover", data={**data, "new_again": "recovered at last"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/signin?recovered=1"
    assert node.seoul_pass.sessions.get(old_session) is None
    assert "모든 패스키와 PIN을 지웠습니다" in client.get(done.headers["location"]).text
    assert sign_in(client, "minji", "recovered at last").status_code == 303

    client.cookies.clear()
    token = form_token(client, "/recover")
    again = client.post(
        "/recover", data={**data, "new_again": "recovered at last", "csrf_token": token}
    )
    assert again.status_code == 401 and "한 번만 쓸 수 있습니다" in again.text


def test_new_recovery_codes_need_the_password_and_replace_the_old(
    client: TestClient, node: Node
) -> None:
    old = recovery_codes(sign_up(client, "minji").text)
    token = form_token(client, "/me/recovery-codes")
    refused = client.post("/me/recovery-codes", data={"current": "wrong one!", "csrf_token": token})
    assert refused.status_code == 401 and not recovery_codes(refused.text)
    fresh = client.post("/me/recovery-codes", data={"current": PASSWORD, "csrf_token": token})
    new = recovery_codes(fresh.text)
    assert fresh.status_code == 200 and len(new) == 10 and not set(old) & set(new)


def _proofed_pair(client: TestClient, node: Node) -> str:
    """Minji signs up, an officer confirms her; returns her certificate's download path."""
    sign_up(client, "minji")
    client.cookies.clear()
    officer(node)
    sign_in(client, "officer", OFFICER_PASSWORD)
    issued = proof(client, "minji")
    assert issued.status_code == 303, issued.text
    client.cookies.clear()
    sign_in(client, "minji")
    me = client.get("/me").text
    found = re.search(r'href="(/me/certificates/[0-9a-f-]+)"', me)
    assert found
    return found[1]


def test_an_officer_proofs_a_person_who_then_sees_a_verified_certificate(
    client: TestClient, node: Node
) -> None:
    download = _proofed_pair(client, node)
    me = client.get("/me").text
    assert "유효한 인증서입니다" in me and me.count("✓") >= 7
    assert 'data-check="status"' in me and "SeoulPassIdentityCredential" in me
    assert "김민지" in me and "1990-05-17" in me
    doc = client.get(download)
    assert doc.status_code == 200 and "attachment" in doc.headers["Content-Disposition"]
    bundle = json.loads(doc.text)
    assert bundle["credential"]["type"] == ["VerifiableCredential", "SeoulPassIdentityCredential"]
    assert "김민지" not in doc.text and "1990-05-17" not in doc.text
    assert node.verifier().verify(doc.content).valid
    wallet = client.get("/wallet").text
    assert "SeoulPassIdentityCredential" in wallet and "신원 커밋먼트" in wallet
    entry = node.ledger.entry(bundle["anchor"]["index"]).data
    assert "김민지".encode() not in entry and b"1990-05-17" not in entry


def test_a_certificate_of_the_earlier_format_still_shows_as_verified(
    client: TestClient, node: Node
) -> None:
    sign_up(client, "minji")
    accounts = node.seoul_pass.accounts
    minji = accounts.by_username("minji")
    assert minji is not None
    stored = issue_certificate_v1(
        node, node.identity_proofing(), officer(node), minji, name="김민지"
    )
    me = client.get("/me").text
    assert "유효한 인증서입니다" in me and "SeoulPassIdentityCertificate" in me
    assert "김민지" in me and f"/me/certificates/{stored.id}" in me
    assert json.loads(client.get(f"/me/certificates/{stored.id}").text) == stored.document


def test_another_users_certificate_is_not_found_not_forbidden(
    client: TestClient, node: Node
) -> None:
    download = _proofed_pair(client, node)
    client.cookies.clear()
    sign_up(client, "snoop")
    theirs = client.get(download)
    unknown = client.get("/me/certificates/00000000-0000-0000-0000-000000000000")
    assert theirs.status_code == unknown.status_code == 404
    assert "김민지" not in theirs.text and "SeoulPassIdentity" not in theirs.text
    assert "snoop".title() in client.get("/me").text and "김민지" not in client.get("/me").text


def test_only_officers_reach_the_identity_check(client: TestClient, node: Node) -> None:
    away = client.get("/officer/proof", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/signin?next=/officer/proof"
    sign_up(client, "minji")
    assert client.get("/officer/proof").status_code == 403
    token = form_token(client, "/me")
    size = node.ledger.size
    forged = client.post(
        "/officer/proof",
        data={
            "username": "minji",
            "legal_name": "김민지",
            "birth_date": "1990-05-17",
            "officer_password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert forged.status_code == 403 and node.ledger.size == size


def test_identity_check_refuses_without_csrf_or_with_a_wrong_officer_password(
    client: TestClient, node: Node
) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    officer(node)
    sign_in(client, "officer", OFFICER_PASSWORD)
    size = node.ledger.size
    fields = {"username": "minji", "legal_name": "김민지", "birth_date": "1990-05-17"}
    no_token = client.post("/officer/proof", data={**fields, "officer_password": OFFICER_PASSWORD})
    forged = client.post(
        "/officer/proof",
        data={**fields, "officer_password": OFFICER_PASSWORD, "csrf_token": "forged"},
    )
    assert no_token.status_code == forged.status_code == 403
    token = form_token(client, "/officer/proof?username=minji")
    wrong = client.post(
        "/officer/proof", data={**fields, "officer_password": "not mine!", "csrf_token": token}
    )
    assert wrong.status_code == 401
    future = client.post(
        "/officer/proof",
        data={
            **fields,
            "birth_date": "2999-01-01",
            "officer_password": OFFICER_PASSWORD,
            "csrf_token": token,
        },
    )
    assert future.status_code == 400 and "생년월일" in future.text
    minji = node.seoul_pass.accounts.by_username("minji")
    assert node.ledger.size == size and minji is not None and minji.proofed_at is None


def test_the_officer_is_told_when_nobody_has_that_username(client: TestClient, node: Node) -> None:
    officer(node)
    sign_in(client, "officer", OFFICER_PASSWORD)
    page = client.get("/officer/proof", params={"username": "ghost"})
    assert page.status_code == 200 and "'ghost'인 계정이 없습니다" in html.unescape(page.text)
    assert 'name="legal_name"' not in page.text
