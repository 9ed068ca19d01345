"""The passkey, PIN and signing pages and their JSON endpoints through HTTP, with a software
authenticator; and the attacks: CSRF, session fixation, replayed assertions, a PIN without a
session, PIN brute force, another user's passkey or signature id, a tampered record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import sha256
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.model import Account
from blockcity.node import Node
from blockcity.web.auth import ANONYMOUS_CSRF_COOKIE
from blockcity.web.passkeys import DEVICE_COOKIE
from tests.identity.webauthn_fakes import SoftAuthenticator

SITE = "http://localhost"
DIGEST = sha256("표준근로계약서 (단시간근로자)".encode()).hexdigest()
PIN = "250814"


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """A browser on http://localhost: a secure context whose host can be a passkey's RP ID."""
    with TestClient(app, base_url=SITE) as test_client:
        yield test_client


class Visitor:
    """One browser: its cookies, its authenticator, and the account it signed in to."""

    def __init__(self, node: Node, app: FastAPI, username: str) -> None:
        self.node = node
        self.client = TestClient(app, base_url=SITE)
        self.phone = SoftAuthenticator(origin=SITE)
        self.account: Account = node.seoul_pass.accounts.create(
            username, "a long pass phrase", "김민지"
        )
        token, session = node.seoul_pass.sessions.start(self.account.id)
        self.client.cookies.set(SESSION_COOKIE, token)
        self.csrf = session.csrf

    def post(self, path: str, body: dict[str, Any] | None = None) -> Response:
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def enrol(self) -> str:
        options = self.post("/me/passkeys/options").json()
        added = self.post("/me/passkeys", {"credential": self.phone.create(options), "name": "폰"})
        assert added.status_code == 201, added.text
        return str(added.json()["id"])

    def set_pin(self) -> None:
        page = self.client.post(
            "/me/pin",
            data={"pin": PIN, "pin_again": PIN, "csrf_token": self.csrf},
            follow_redirects=False,
        )
        assert page.status_code == 303, page.text


@pytest.fixture
def minji(node: Node, app: FastAPI) -> Visitor:
    return Visitor(node, app, "minji")


@pytest.fixture
def intruder(node: Node, app: FastAPI) -> Visitor:
    return Visitor(node, app, "intruder")


def page_token(client: TestClient) -> str:
    """The CSRF token the sign-in page gives its passkey button, as the page script reads it:
    the double-submit token (also set as a cookie) unless the browser holds a session."""
    page = client.get("/signin")
    found = re.search(r'id="passkey-signin" data-csrf="([^"]+)"', page.text)
    assert found is not None
    return found[1]


def passkey_sign_in(client: TestClient, phone: SoftAuthenticator) -> Response:
    headers = {"X-CSRF-Token": page_token(client)}
    options = client.post("/signin/passkey/options", headers=headers).json()
    body = {"credential": phone.get(options), "next": "/sign"}
    return client.post("/signin/passkey", json=body, headers=headers)


def count(node: Node, table: str) -> int:
    row = node.seoul_pass.db.one(f"SELECT COUNT(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


@pytest.mark.parametrize(
    ("path", "korean", "english"),
    [
        ("/me/passkeys", "내 패스키", "My passkeys"),
        ("/me/pin", "내 PIN", "My PIN"),
        ("/sign", "문서 서명", "Sign a document"),
    ],
)
def test_pages_speak_korean_first_and_english_on_request(
    minji: Visitor, path: str, korean: str, english: str
) -> None:
    page = minji.client.get(path)
    assert page.status_code == 200 and f"<h1>{korean}</h1>" in page.text
    assert f"<h1>{english}</h1>" in minji.client.get(path + "?lang=en").text
    for field in re.findall(r'<(?:input|textarea) id="([a-z_-]+)"', page.text):
        assert f'<label for="{field}">' in page.text, f"{path}: {field} has no label"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert re.search(r"<script(?![^>]*\ssrc=)", page.text) is None, "inline script"


@pytest.mark.parametrize("path", ["/me/passkeys", "/me/pin", "/sign"])
def test_pages_send_strangers_to_sign_in(web: TestClient, path: str) -> None:
    page = web.get(path, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/signin?next={path}"


def test_sign_in_page_offers_a_passkey_and_explains_the_pin(web: TestClient) -> None:
    page = web.get("/signin")
    assert "패스키로 로그인" in page.text and "PIN만으로는 로그인할 수 없습니다" in page.text
    assert '<script src="/static/passkeys.js' in page.text
    script = web.get("/static/passkeys.js")
    assert script.status_code == 200 and "navigator.credentials.get" in script.text


def test_enrolled_passkey_is_listed_and_signs_in_to_a_fresh_session(
    node: Node, app: FastAPI, minji: Visitor
) -> None:
    minji.enrol()
    assert "<h3>폰</h3>" in minji.client.get("/me/passkeys").text

    browser = TestClient(app, base_url=SITE)
    # Session fixation: the attacker's own session, planted in the victim's browser.
    intruder = node.seoul_pass.accounts.create("intruder", "a long pass phrase", "침입자")
    planted, _ = node.seoul_pass.sessions.start(intruder.id)
    browser.cookies.set(SESSION_COOKIE, planted)
    signed_in = passkey_sign_in(browser, minji.phone)

    assert signed_in.status_code == 200 and signed_in.json() == {"redirect": "/sign"}
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    found = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie)
    assert found is not None and found[1] != planted
    assert node.seoul_pass.sessions.get(planted) is None
    session = node.seoul_pass.sessions.get(found[1])
    assert session is not None and session.account_id == minji.account.id


def test_replayed_sign_in_assertion_gets_no_session(
    node: Node, app: FastAPI, minji: Visitor
) -> None:
    minji.enrol()
    browser = TestClient(app, base_url=SITE)
    headers = {"X-CSRF-Token": page_token(browser)}
    options = browser.post("/signin/passkey/options", headers=headers).json()
    body = {"credential": minji.phone.get(options), "next": "/me"}
    assert browser.post("/signin/passkey", json=body, headers=headers).status_code == 200
    sessions = count(node, "sessions")

    attacker = TestClient(app, base_url=SITE)
    attacker_headers = {"X-CSRF-Token": page_token(attacker)}
    replay = attacker.post("/signin/passkey", json=body, headers=attacker_headers)

    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json()["code"] == "passkey-rejected"
    assert "set-cookie" not in replay.headers and count(node, "sessions") == sessions


def test_passkey_sign_in_without_the_csrf_token_is_refused(web: TestClient) -> None:
    page_token(web)
    refused = web.post("/signin/passkey/options", headers={"X-CSRF-Token": "forged"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf-rejected"


def test_json_calls_need_a_session_and_its_csrf_token(node: Node, minji: Visitor) -> None:
    stranger = TestClient(minji.client.app, base_url=SITE)
    assert stranger.post("/me/passkeys/options").json()["code"] == "not-signed-in"
    challenges = count(node, "webauthn_challenges")

    minji.client.cookies.set(ANONYMOUS_CSRF_COOKIE, "double-submit-token")
    for token in (None, "forged", "double-submit-token"):
        headers = {"X-CSRF-Token": token} if token else {}
        refused = minji.client.post("/me/passkeys/options", headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf-rejected"
    assert count(node, "webauthn_challenges") == challenges


def test_errors_of_json_calls_follow_the_page_language(minji: Visitor) -> None:
    refused = minji.post("/sign/custodial?lang=en", {"sha256": DIGEST})
    assert refused.status_code == 403
    assert "confirm with your PIN or your passkey" in refused.json()["detail"]
    korean = minji.post("/sign/custodial?lang=ko", {"sha256": DIGEST})
    assert "PIN이나 패스키로 확인한 뒤" in korean.json()["detail"]


def test_passkeys_need_a_domain_name_not_an_ip_address(app: FastAPI, node: Node) -> None:
    browser = TestClient(app, base_url="http://127.0.0.1:8000")
    account = node.seoul_pass.accounts.create("minji", "a long pass phrase", "김민지")
    token, session = node.seoul_pass.sessions.start(account.id)
    browser.cookies.set(SESSION_COOKIE, token)
    refused = browser.post("/me/passkeys/options", headers={"X-CSRF-Token": session.csrf})
    assert refused.status_code == 400 and "localhost" in refused.json()["detail"]


def test_removing_another_users_passkey_is_not_found_and_removes_nothing(
    node: Node, minji: Visitor, intruder: Visitor
) -> None:
    passkey_id = minji.enrol()
    attack = intruder.client.post(
        f"/me/passkeys/{passkey_id}/remove", data={"csrf_token": intruder.csrf}
    )
    assert attack.status_code == 404
    assert [p.id for p in node.seoul_pass.passkeys.list(minji.account.id)] == [passkey_id]

    forged = minji.client.post(f"/me/passkeys/{passkey_id}/remove", data={"csrf_token": "x"})
    assert forged.status_code == 403
    removed = minji.client.post(
        f"/me/passkeys/{passkey_id}/remove", data={"csrf_token": minji.csrf}, follow_redirects=False
    )
    assert removed.status_code == 303 and node.seoul_pass.passkeys.list(minji.account.id) == []


def test_setting_a_pin_gives_this_browser_a_long_lived_device_cookie(minji: Visitor) -> None:
    page = minji.client.post(
        "/me/pin",
        data={"pin": PIN, "pin_again": PIN, "csrf_token": minji.csrf},
        follow_redirects=False,
    )
    cookie = page.headers["set-cookie"]
    assert page.status_code == 303 and page.headers["location"] == "/me/pin?done=saved"
    assert f"{DEVICE_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=34560000" in cookie
    assert "이 기기에 PIN이 설정되어 있습니다" in minji.client.get("/me/pin").text


@pytest.mark.parametrize(
    ("pin", "again", "message"),
    [
        ("250814", "250815", "서로 다릅니다"),
        ("123456", "123456", "연속 숫자"),
        ("12345", "12345", "6자리"),
    ],
)
def test_bad_pins_are_shown_back_with_the_reason(
    node: Node, minji: Visitor, pin: str, again: str, message: str
) -> None:
    page = minji.client.post(
        "/me/pin", data={"pin": pin, "pin_again": again, "csrf_token": minji.csrf}
    )
    assert page.status_code == 400 and message in page.text
    assert DEVICE_COOKIE not in page.headers.get("set-cookie", "")
    assert count(node, "pins") == 0


def test_pin_brute_force_locks_the_pin(minji: Visitor) -> None:
    minji.set_pin()
    codes = [minji.post("/me/step-up/pin", {"pin": "000001"}) for _ in range(5)]
    assert [r.status_code for r in codes] == [401, 401, 401, 401, 423]
    assert codes[0].json()["tries_left"] == 4
    assert minji.post("/me/step-up/pin", {"pin": PIN}).status_code == 423
    assert minji.post("/sign/custodial", {"sha256": DIGEST}).status_code == 403


def test_a_pin_alone_never_signs_in(app: FastAPI, minji: Visitor) -> None:
    minji.set_pin()
    thief = TestClient(app, base_url=SITE)
    thief.cookies.set(DEVICE_COOKIE, minji.client.cookies[DEVICE_COOKIE])
    token = page_token(thief)
    assert thief.cookies.get(ANONYMOUS_CSRF_COOKIE) == token
    refused = thief.post("/me/step-up/pin", json={"pin": PIN}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 401 and refused.json()["code"] == "not-signed-in"
    assert "set-cookie" not in refused.headers


def test_custodial_signing_needs_a_step_up_then_verifies(node: Node, minji: Visitor) -> None:
    minji.set_pin()
    refused = minji.post("/sign/custodial", {"sha256": DIGEST})
    assert refused.status_code == 403 and refused.json()["code"] == "step-up-required"
    assert count(node, "signatures") == 0

    assert minji.post("/me/step-up/pin", {"pin": PIN}).json() == {"stepped_up": True}
    signed = minji.post("/sign/custodial", {"sha256": DIGEST})

    assert signed.status_code == 201 and signed.json()["verified"] is True
    record = signed.json()["record"]
    assert record["kind"] == "custodial" and record["sha256"] == DIGEST
    assert record["kid"] == minji.account.kid


def test_passkey_signing_and_its_replay(node: Node, minji: Visitor) -> None:
    minji.enrol()
    minji.phone.counts = False
    options = minji.post("/sign/passkey/options", {"sha256": DIGEST}).json()
    answer = minji.phone.get(options)
    signed = minji.post("/sign/passkey", {"credential": answer})
    assert signed.status_code == 201 and signed.json()["verified"] is True

    minji.post("/sign/passkey/options", {"sha256": DIGEST})
    replay = minji.post("/sign/passkey", {"credential": answer})
    assert replay.status_code == 401 and replay.json()["code"] == "passkey-rejected"
    assert count(node, "signatures") == 1


def test_signature_download_is_for_its_owner_only(minji: Visitor, intruder: Visitor) -> None:
    minji.enrol()
    options = minji.post("/sign/passkey/options", {"sha256": DIGEST}).json()
    signed = minji.post("/sign/passkey", {"credential": minji.phone.get(options)}).json()

    mine = minji.client.get(signed["download"])
    assert mine.status_code == 200 and mine.json() == signed["record"]
    assert "attachment" in mine.headers["content-disposition"]
    assert intruder.client.get(signed["download"]).status_code == 404
    assert minji.client.get("/me/signatures/no-such-id").status_code == 404


def test_anyone_can_verify_a_record_through_the_api(web: TestClient, minji: Visitor) -> None:
    minji.enrol()
    options = minji.post("/sign/passkey/options", {"sha256": DIGEST}).json()
    record = minji.post("/sign/passkey", {"credential": minji.phone.get(options)}).json()["record"]

    good = web.post("/api/v1/signatures/verify", json={"record": record, "sha256": DIGEST})
    assert good.status_code == 200 and good.json()["verified"] is True
    assert good.json()["signer"] == minji.account.did

    other = sha256(b"another document").hexdigest()
    wrong = web.post("/api/v1/signatures/verify?lang=en", json={"record": record, "sha256": other})
    assert wrong.status_code == 200
    assert wrong.json()["verified"] is False and wrong.json()["check"] == "digest"
    assert "different document" in wrong.json()["reason"]

    tampered = {**record, "signer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
    forged = web.post("/api/v1/signatures/verify", json={"record": tampered, "sha256": DIGEST})
    assert forged.json()["verified"] is False and forged.json()["check"] == "key"

    malformed = web.post(
        "/api/v1/signatures/verify", json={"record": {"kind": 1}, "sha256": DIGEST}
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/problem+json"


def test_passkey_step_up_unlocks_custodial_signing(minji: Visitor, intruder: Visitor) -> None:
    minji.enrol()
    intruder.enrol()
    options = minji.post("/me/step-up/passkey/options").json()
    stolen = intruder.phone.get(options, next(iter(intruder.phone.credentials)))
    refused = minji.post("/me/step-up/passkey", {"credential": stolen})
    assert refused.status_code == 401 and refused.json()["code"] == "passkey-rejected"
    assert minji.post("/sign/custodial", {"sha256": DIGEST}).status_code == 403

    options = minji.post("/me/step-up/passkey/options").json()
    confirmed = minji.post("/me/step-up/passkey", {"credential": minji.phone.get(options)})
    assert confirmed.json() == {"stepped_up": True}
    assert minji.post("/sign/custodial", {"sha256": DIGEST}).status_code == 201
