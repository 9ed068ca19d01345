"""Attacks on signing in, through the pages and the API as an attacker would send them: brute
force, credential stuffing, session fixation, expired and ended sessions, a replayed recovery
code. Each must fail with the right status and leave nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.passwords import TooManyAttempts
from blockcity.node import Node
from tests.web.account_helpers import (
    PASSWORD,
    form_token,
    plant,
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


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(node: Node) -> Clock:
    """The accounts' and sessions' clock, which the tests move forward."""
    fake = Clock()
    node.seoul_pass.accounts.clock = fake
    node.seoul_pass.sessions.clock = fake
    return fake


def _password_hash(node: Node, username: str) -> str:
    row = node.seoul_pass.db.one(
        "SELECT password_hash FROM accounts WHERE username = ?", (username,)
    )
    assert row is not None
    return str(row["password_hash"])


def _session_count(node: Node) -> int:
    row = node.seoul_pass.db.one("SELECT count(*) AS n FROM sessions")
    return int(row["n"]) if row else 0


def test_brute_force_locks_the_account_even_against_the_right_password(
    client: TestClient, node: Node, clock: Clock
) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    stored = _password_hash(node, "minji")
    sessions = _session_count(node)
    for _ in range(5):
        assert sign_in(client, "minji", "guess number n").status_code == 401
    locked = sign_in(client, "minji", PASSWORD)
    assert locked.status_code == 429
    assert "15분" in locked.text
    assert int(locked.headers["Retry-After"]) == 15 * 60
    assert session_cookie(client) is None and _session_count(node) == sessions
    assert _password_hash(node, "minji") == stored

    clock.now += timedelta(minutes=15, seconds=1)
    opened = sign_in(client, "minji", PASSWORD)
    assert opened.status_code == 303 and opened.headers["location"] == "/me"
    assert session_cookie(client) is not None


def test_brute_force_through_the_api_answers_429_with_retry_after(
    client: TestClient, node: Node, clock: Clock
) -> None:
    client.post(
        "/api/v1/identity/accounts",
        json={"username": "minji", "display_name": "Minji", "password": PASSWORD},
    )
    for _ in range(5):
        wrong = client.post(
            "/api/v1/identity/sessions", json={"username": "minji", "password": "guess again!"}
        )
        assert wrong.status_code == 401 and wrong.json()["code"] == "sign-in-failed"
    locked = client.post(
        "/api/v1/identity/sessions",
        json={"username": "minji", "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.headers["Retry-After"] == "900"
    assert "locked for 15 more minutes" in locked.json()["detail"]
    assert SESSION_COOKIE not in locked.cookies


def test_credential_stuffing_from_one_address_is_cut_off(client: TestClient, node: Node) -> None:
    limit = node.seoul_pass.sign_in_limiter.limit
    for i in range(limit):
        attempt = client.post(
            "/api/v1/identity/sessions",
            json={"username": f"leaked{i}", "password": "leaked password 1"},
        )
        assert attempt.status_code == 401
    stuffed = client.post(
        "/api/v1/identity/sessions", json={"username": "leaked-last", "password": "x" * 12}
    )
    assert stuffed.status_code == 429 and stuffed.json()["code"] == "too-many-attempts"
    assert int(stuffed.headers["Retry-After"]) >= 1
    page = sign_in(client, "anyone", "whatever it is")
    assert page.status_code == 429


def test_credential_stuffing_limit_resets_after_the_window(node: Node) -> None:
    limiter = node.seoul_pass.sign_in_limiter
    now = [1000.0]
    limiter.clock = lambda: now[0]
    for _ in range(limiter.limit):
        limiter.check("203.0.113.9")
    with pytest.raises(TooManyAttempts):
        limiter.check("203.0.113.9")
    limiter.check("198.51.100.7")
    now[0] += limiter.window
    limiter.check("203.0.113.9")


@pytest.mark.parametrize("planted", ["attacker-chosen-session-id", "from the attacker's account"])
def test_a_session_cookie_planted_before_sign_in_is_never_the_signed_in_session(
    client: TestClient, node: Node, planted: str
) -> None:
    sign_up(client, "victim")
    client.cookies.clear()
    if planted == "from the attacker's account":
        sign_up(client, "attacker")
        planted = str(session_cookie(client))
        client.cookies.clear()
    plant(client, planted)
    assert sign_in(client, "victim").status_code == 303
    mine = session_cookie(client)
    assert mine is not None and mine != planted
    assert node.seoul_pass.sessions.get(planted) is None
    session = node.seoul_pass.sessions.get(mine)
    victim = node.seoul_pass.accounts.by_username("victim")
    assert session is not None and victim is not None and session.account_id == victim.id


def test_an_expired_session_is_refused_by_pages_and_api(
    client: TestClient, node: Node, clock: Clock
) -> None:
    sign_up(client, "minji")
    assert client.get("/api/v1/identity/me").status_code == 200
    clock.now += timedelta(hours=12, seconds=1)
    page = client.get("/me", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=/me"
    assert client.get("/api/v1/identity/me").status_code == 401


def test_a_session_ended_by_sign_out_cannot_be_replayed(client: TestClient, node: Node) -> None:
    sign_up(client, "minji")
    token = session_cookie(client)
    out = client.post("/signout", data={"csrf_token": form_token(client, "/me")})
    assert out.status_code == 200
    plant(client, str(token))
    assert client.get("/api/v1/identity/me").status_code == 401
    assert client.get("/me", follow_redirects=False).status_code == 303


def test_a_recovery_code_used_twice_is_refused_the_second_time(
    client: TestClient, node: Node
) -> None:
    codes = recovery_codes(sign_up(client, "minji").text)
    client.cookies.clear()
    first = client.post(
        "/api/v1/identity/recovery",
        json={"username": "minji", "code": codes[0], "new_password": "the owner's new one"},
    )
    assert first.status_code == 204
    stored = _password_hash(node, "minji")
    replay = client.post(
        "/api/v1/identity/recovery",
        json={"username": "minji", "code": codes[0], "new_password": "the attacker's own"},
    )
    assert replay.status_code == 401 and replay.json()["code"] == "recovery-failed"
    assert _password_hash(node, "minji") == stored
    minji = node.seoul_pass.accounts.by_username("minji")
    assert minji is not None and node.seoul_pass.recovery.remaining(minji.id) == 9


def test_recovery_does_not_tell_which_usernames_exist(client: TestClient, node: Node) -> None:
    sign_up(client, "minji")
    client.cookies.clear()
    answers = [
        client.post(
            "/api/v1/identity/recovery",
            json={"username": name, "code": "0000-0000-0000-0000", "new_password": "some password"},
        )
        for name in ("minji", "nobody-here")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]


def test_recovery_is_rate_limited_like_sign_in(client: TestClient, node: Node) -> None:
    node.seoul_pass.sign_in_limiter.limit = 3
    for _ in range(3):
        guess = client.post(
            "/api/v1/identity/recovery",
            json={
                "username": "minji",
                "code": "0000-0000-0000-0000",
                "new_password": "some password",
            },
        )
        assert guess.status_code == 401
    refused = client.post(
        "/api/v1/identity/recovery",
        json={"username": "minji", "code": "0000-0000-0000-0000", "new_password": "some password"},
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
