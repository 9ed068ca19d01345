"""The verification page and the wallet, through HTTP: green and red answers with the checks,
the QR link target, a holder's credentials and bundle, and share links that expire and can be
revoked; someone else's credential or share is "not found"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from tests.credentials.holders import CredentialWorld
from tests.web.account_helpers import csrf_token


@pytest.fixture
def http(cw: CredentialWorld) -> Iterator[TestClient]:
    with TestClient(create_app(cw.node), follow_redirects=False) as client:
        yield client


def bundle_bytes(cw: CredentialWorld) -> bytes:
    return json.dumps(cw.node.credentials.bundle(cw.credential.id)).encode()


def checks_of(html: str) -> dict[str, bool]:
    return {
        name: ok == "true"
        for name, ok in re.findall(r'data-check="([^"]+)" data-ok="(true|false)"', html)
    }


def make_share(http: TestClient, cw: CredentialWorld, lifetime: str = "1h") -> str:
    cw.world.sign_in(http, cw.holder)
    token = csrf_token(http.get("/wallet").text)
    made = http.post(
        "/wallet/shares",
        data={"credential_id": cw.credential.id, "lifetime": lifetime, "csrf_token": token},
    )
    assert made.status_code == 201, made.text
    assert "<svg" in made.text
    found = re.search(r'id="share-link" href="[^"]*(/s/[^"]+)"', made.text)
    assert found
    return found[1]


def test_verify_page_shows_green_for_a_valid_bundle(http: TestClient, cw: CredentialWorld) -> None:
    assert 'type="file"' in http.get("/verify").text
    answer = http.post("/verify", files={"file": ("c.json", bundle_bytes(cw), "application/json")})
    assert answer.status_code == 200
    assert "유효합니다" in answer.text and "유효하지 않습니다" not in answer.text
    assert all(checks_of(answer.text).values())
    assert "마포 카페" in answer.text and "바리스타" in answer.text


def test_verify_page_shows_red_with_the_signature_reason_for_a_changed_claim(
    http: TestClient, cw: CredentialWorld
) -> None:
    changed = json.loads(bundle_bytes(cw))
    changed["credential"]["credentialSubject"]["duties"] = "점장"
    answer = http.post(
        "/verify?lang=en", files={"file": ("c.json", json.dumps(changed).encode(), "text/plain")}
    )
    assert "Not valid" in answer.text
    assert checks_of(answer.text)["signature"] is False


def test_verify_page_says_why_a_file_is_unreadable(http: TestClient) -> None:
    answer = http.post("/verify?lang=en", files={"file": ("x.bin", b"\xff\xfe\x00", "x/y")})
    assert answer.status_code == 200
    assert "Not valid" in answer.text and "neither a PDF" in answer.text


def test_the_qr_link_verifies_the_stored_credential(http: TestClient, cw: CredentialWorld) -> None:
    answer = http.get(f"/verify/c/{cw.credential.id}")
    assert answer.status_code == 200 and "유효합니다" in answer.text
    assert http.get("/verify/c/urn:uuid:nothing").status_code == 404


def test_wallet_needs_sign_in_and_lists_the_holders_credential(
    http: TestClient, cw: CredentialWorld
) -> None:
    assert http.get("/wallet").headers["location"] == "/signin?next=/wallet"
    cw.world.sign_in(http, cw.holder)
    page = http.get("/wallet")
    assert page.status_code == 200 and cw.credential.id in page.text
    download = http.get(f"/wallet/credentials/{cw.credential.id}/bundle")
    assert download.status_code == 200
    assert download.json()["credential"]["id"] == cw.credential.id


def test_another_person_cannot_download_or_share_the_credential(
    http: TestClient, cw: CredentialWorld
) -> None:
    token = cw.world.sign_in(http, cw.world.stranger)
    assert cw.credential.id not in http.get("/wallet").text
    assert http.get(f"/wallet/credentials/{cw.credential.id}/bundle").status_code == 404
    shared = http.post(
        "/wallet/shares",
        data={"credential_id": cw.credential.id, "lifetime": "1h", "csrf_token": token},
    )
    assert shared.status_code == 404
    assert cw.node.credentials.db.query("SELECT * FROM credential_shares") == []


def test_a_share_without_the_csrf_token_is_refused(http: TestClient, cw: CredentialWorld) -> None:
    cw.world.sign_in(http, cw.holder)
    refused = http.post("/wallet/shares", data={"credential_id": cw.credential.id})
    assert refused.status_code == 403


def test_a_share_link_opens_for_anyone_until_revoked(http: TestClient, cw: CredentialWorld) -> None:
    link = make_share(http, cw)
    with TestClient(http.app) as visitor:
        opened = visitor.get(link)
        assert opened.status_code == 200 and "유효합니다" in opened.text
        assert opened.headers["referrer-policy"] == "no-referrer"
    share_id = re.search(r'data-share="([^"]+)"', http.get("/wallet").text)
    assert share_id
    token = csrf_token(http.get("/wallet").text)
    # Someone else cannot revoke it.
    other = TestClient(http.app, follow_redirects=False)
    other_csrf = cw.world.sign_in(other, cw.world.stranger)
    refused = other.post(f"/wallet/shares/{share_id[1]}/revoke", data={"csrf_token": other_csrf})
    assert refused.status_code == 404
    assert http.get(link).status_code == 200
    revoked = http.post(f"/wallet/shares/{share_id[1]}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    closed = http.get(link)
    assert closed.status_code == 410 and "취소했습니다" in closed.text


def test_a_share_link_stops_when_it_expires(http: TestClient, cw: CredentialWorld) -> None:
    link = make_share(http, cw, "1h")
    cw.world.clock.advance(minutes=59)
    assert http.get(link).status_code == 200
    cw.world.clock.advance(minutes=1)
    expired = http.get(link + "?lang=en")
    assert expired.status_code == 410 and "expired" in expired.text


def test_an_unknown_share_token_and_an_unknown_lifetime(
    http: TestClient, cw: CredentialWorld
) -> None:
    assert http.get("/s/not-a-token").status_code == 404
    cw.world.sign_in(http, cw.holder)
    token = csrf_token(http.get("/wallet").text)
    wrong = http.post(
        "/wallet/shares",
        data={"credential_id": cw.credential.id, "lifetime": "forever", "csrf_token": token},
    )
    assert wrong.status_code == 400
