"""Steps the account tests share: a quick node, read a form's CSRF token, sign up, sign in,
make an officer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

from blockcity.config import Config
from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.model import Account
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.proofing import create_officer
from blockcity.node import Node

PASSWORD = "a quiet morning in Seoul"
OFFICER_PASSWORD = "stamp and seal 2026"


@contextmanager
def quick_node(tmp_path: Path) -> Iterator[Node]:
    """A node that seals blocks at once and hashes passwords cheaply: the account tests sign
    up and in many times, and what they check does not depend on argon2's cost."""
    opened = Node.open(Config(data_dir=tmp_path / "data", block_max_delay_ms=1))
    opened.seoul_pass.accounts.passwords = Passwords(HashingCost(time_cost=1, memory_kib=1024))
    try:
        yield opened
    finally:
        opened.close()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found[1]


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_token(page.text)


def sign_up(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    token = form_token(client, "/signup")
    return client.post(
        "/signup",
        data={
            "username": username,
            "display_name": username.title(),
            "password": password,
            "password_again": password,
            "csrf_token": token,
        },
    )


def recovery_codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([0-9A-Z-]{19})</code></li>", html)


def sign_in(
    client: TestClient, username: str, password: str = PASSWORD, next: str = "/me"
) -> Response:
    token = form_token(client, "/signin")
    return client.post(
        "/signin",
        data={"username": username, "password": password, "next": next, "csrf_token": token},
        follow_redirects=False,
    )


def session_cookie(client: TestClient) -> str | None:
    return client.cookies.get(SESSION_COOKIE)


def plant(client: TestClient, token: str) -> None:
    """Set the session cookie the way an attacker would plant it in a victim's browser."""
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path="/")


def officer(node: Node, username: str = "officer") -> Account:
    return create_officer(node.seoul_pass.accounts, username, OFFICER_PASSWORD, "Officer Kim")


def proof(
    client: TestClient, username: str, name: str = "김민지", born: str = "1990-05-17"
) -> Response:
    """As the signed-in officer, confirm ``username``'s identity through the page."""
    token = form_token(client, f"/officer/proof?username={username}")
    return client.post(
        "/officer/proof",
        data={
            "username": username,
            "legal_name": name,
            "birth_date": born,
            "officer_password": OFFICER_PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
