"""``/api/v1/identity`` through HTTP: sign up, sign in with the cookie, my account, sign out with
the CSRF header, recovery, and anyone checking a certificate."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blockcity.http.sessions import SESSION_COOKIE
from blockcity.node import Node
from tests.web.account_helpers import (
    OFFICER_PASSWORD,
    PASSWORD,
    officer,
    proof,
    quick_node,
    sign_in,
)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with quick_node(tmp_path) as opened:
        yield opened


API = "/api/v1/identity"


def _sign_up(client: TestClient, username: str = "minji") -> dict[str, Any]:
    answer = client.post(
        f"{API}/accounts",
        json={"username": username, "display_name": "김민지", "password": PASSWORD},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _sign_in(client: TestClient, username: str = "minji") -> dict[str, Any]:
    answer = client.post(f"{API}/sessions", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_sign_up_returns_the_account_and_ten_recovery_codes(client: TestClient) -> None:
    body = _sign_up(client)
    assert body["account"]["username"] == "minji"
    assert body["account"]["did"].startswith("did:key:z6Mk")
    assert body["account"]["kind"] == "citizen" and body["account"]["proofed_at"] is None
    assert len(body["recovery_codes"]) == 10
    assert SESSION_COOKIE not in client.cookies


def test_refused_sign_ups_are_problems_that_say_why(client: TestClient) -> None:
    _sign_up(client)
    taken = client.post(
        f"{API}/accounts", json={"username": "minji", "display_name": "x", "password": PASSWORD}
    )
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
    assert taken.headers["content-type"] == "application/problem+json"
    weak = client.post(
        f"{API}/accounts",
        json={"username": "other", "display_name": "x", "password": "short"},
        headers={"Accept-Language": "en"},
    )
    assert weak.status_code == 400 and weak.json()["code"] == "weak-password"
    assert "at least 10 characters" in weak.json()["detail"]
    extra = client.post(
        f"{API}/accounts",
        json={"username": "other", "display_name": "x", "password": PASSWORD, "kind": "admin"},
    )
    assert extra.status_code == 400
    assert client.post(f"{API}/accounts", content=b"not json").status_code == 400


def test_a_session_signs_in_shows_me_and_signs_out_with_the_csrf_header(
    client: TestClient, node: Node
) -> None:
    _sign_up(client)
    session = _sign_in(client)
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and session["csrf_token"]
    me = client.get(f"{API}/me")
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"
    assert me.json()["account"]["username"] == "minji"
    assert me.json()["certificate"] is None and me.json()["recovery_codes_left"] == 10

    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.delete(f"{API}/sessions/current", headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf-rejected"
        assert node.seoul_pass.sessions.get(cookie) is not None

    out = client.delete(f"{API}/sessions/current", headers={"X-CSRF-Token": session["csrf_token"]})
    assert out.status_code == 204
    assert node.seoul_pass.sessions.get(cookie) is None
    assert client.get(f"{API}/me").status_code == 401
    assert client.delete(f"{API}/sessions/current").status_code == 401


def test_wrong_passwords_and_unknown_users_get_the_same_answer(client: TestClient) -> None:
    _sign_up(client)
    answers = [
        client.post(f"{API}/sessions", json={"username": name, "password": "wrong password!"})
        for name in ("minji", "nobody-at-all")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]


def test_a_form_posted_from_another_site_cannot_sign_in(client: TestClient) -> None:
    _sign_up(client)
    sneaky = client.post(
        f"{API}/sessions",
        content=b'{"username": "minji", "password": "' + PASSWORD.encode() + b'"}',
        headers={"Content-Type": "text/plain"},
    )
    assert sneaky.status_code == 400 and SESSION_COOKIE not in client.cookies


def test_recovery_through_the_api(client: TestClient, node: Node) -> None:
    codes = _sign_up(client)["recovery_codes"]
    _sign_in(client)
    cookie = client.cookies.get(SESSION_COOKIE)
    recovered = client.post(
        f"{API}/recovery",
        json={"username": "minji", "code": codes[0], "new_password": "recovered through api"},
    )
    assert recovered.status_code == 204
    assert client.get(f"{API}/me").status_code == 401
    assert cookie and node.seoul_pass.sessions.get(cookie) is None
    again = client.post(
        f"{API}/sessions", json={"username": "minji", "password": "recovered through api"}
    )
    assert again.status_code == 201


def _proofed_certificate(client: TestClient, node: Node) -> dict[str, Any]:
    _sign_up(client)
    officer(node)
    sign_in(client, "officer", OFFICER_PASSWORD)
    assert proof(client, "minji").status_code == 303
    client.cookies.clear()
    _sign_in(client)
    me = client.get(f"{API}/me").json()
    assert me["certificate_check"]["valid"] is True, me["certificate_check"]
    assert me["certificate_revoked_at"] is None
    assert me["account"]["proofed_at"] is not None
    assert me["certificate_file"]["credential"] == me["certificate"]
    certificate: dict[str, Any] = me["certificate"]
    assert certificate["type"] == ["VerifiableCredential", "SeoulPassIdentityCredential"]
    return certificate


def test_anyone_can_check_a_certificate_without_an_account(client: TestClient, node: Node) -> None:
    certificate = _proofed_certificate(client, node)
    client.cookies.clear()
    good = client.post(f"{API}/certificates/verify", json=certificate)
    assert good.status_code == 200 and good.json()["valid"] is True
    assert [c["name"] for c in good.json()["checks"]][:7] == [
        "format",
        "signature",
        "issuer-key",
        "issuer",
        "validity",
        "status",
        "ledger",
    ]
    altered = copy.deepcopy(certificate)
    altered["credentialSubject"]["identityCommitment"] = "A" * 43
    bad = client.post(f"{API}/certificates/verify", json=altered).json()
    assert bad["valid"] is False
    assert {c["name"] for c in bad["checks"] if not c["ok"]} == {"signature", "ledger"}
    junk = client.post(f"{API}/certificates/verify", json={"hello": "world"}).json()
    assert junk["valid"] is False and junk["checks"][0]["name"] == "format"


def test_the_openapi_document_explains_the_csrf_header(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    sign_out = spec["paths"]["/api/v1/identity/sessions/current"]["delete"]
    assert "X-CSRF-Token" in sign_out["description"]
    assert "/api/v1/identity/accounts" in spec["paths"]
