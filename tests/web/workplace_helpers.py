"""What the labour contract, attendance and wage page tests share: a test client signed in as
one person of the labour world, with a PIN on its device so it can sign."""

from __future__ import annotations

from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.model import Account
from blockcity.web.passkeys import DEVICE_COOKIE
from tests.services.labor.service_world import PIN, LaborWorld


def browser_of(lw: LaborWorld, account: Account) -> tuple[TestClient, str]:
    """A client signed in as ``account`` with a PIN on its device, and its CSRF token."""
    client = TestClient(create_app(lw.node), follow_redirects=False)
    token, session = lw.node.seoul_pass.sessions.start(account.id)
    client.cookies.set(SESSION_COOKIE, token)
    client.cookies.set(DEVICE_COOKIE, lw.node.seoul_pass.pins.enrol(token, None, PIN))
    return client, session.csrf
