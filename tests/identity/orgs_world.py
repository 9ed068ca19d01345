"""A small world for the organization and operator tests: people with every relationship to one
organization (owner, manager, clerk), a stranger who owns another, a city administrator, a clock
the tests move, and a snapshot of every row an attack must leave unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.config import Config
from blockcity.crypto.sealing import MasterKey
from blockcity.http.sessions import SESSION_COOKIE
from blockcity.identity.admins import create_first_admin
from blockcity.identity.model import Account
from blockcity.identity.operators import OperatorClient
from blockcity.identity.organizations import Organization
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.seoulpass import SeoulPass
from blockcity.node import Node
from tests.identity._dids_support import Clock

FAST = HashingCost(time_cost=1, memory_kib=1024)
PASSWORD = "a long pass phrase"
# Changes an attack must not make. The access log and sessions are left out on purpose: a
# refused call is meant to be logged, and signing in is how the attacker got there.
GUARDED_TABLES = (
    "accounts",
    "organizations",
    "memberships",
    "invitations",
    "operator_clients",
    "operator_tokens",
)


@dataclass
class World:
    seoul_pass: SeoulPass
    clock: Clock
    owner: Account
    manager: Account
    clerk: Account
    stranger: Account
    admin: Account
    org: Organization
    """Owned by ``owner``, with ``manager`` and ``clerk`` on its staff."""
    other_org: Organization
    """Owned by ``stranger``."""

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [tuple(row) for row in self.seoul_pass.db.query(f"SELECT * FROM {table}")]
            for table in GUARDED_TABLES
        }

    def app(
        self, scopes: list[str], organization_id: str | None = None
    ) -> tuple[OperatorClient, str]:
        """A licensed (approved) operator app of ``organization_id`` (default: ``org``)."""
        operators = self.seoul_pass.operators
        organization_id = organization_id or self.org.id
        registrar = self.stranger if organization_id == self.other_org.id else self.owner
        client, secret = operators.register(registrar, "Payroll app", scopes, organization_id)
        return operators.approve(self.admin, client.client_id), secret

    def sign_in(self, client: TestClient, account: Account) -> str:
        """Put a fresh session for ``account`` in ``client``'s cookies; returns its CSRF token."""
        token, session = self.seoul_pass.sessions.start(account.id)
        client.cookies.set(SESSION_COOKIE, token)
        return session.csrf


def populate(seoul_pass: SeoulPass, clock: Clock) -> World:
    accounts = seoul_pass.accounts
    organizations = seoul_pass.organizations
    owner = accounts.create("owner", PASSWORD, "김소유")
    manager = accounts.create("manager", PASSWORD, "이관리")
    clerk = accounts.create("clerk", PASSWORD, "박담당")
    stranger = accounts.create("stranger", PASSWORD, "최외부")
    admin = create_first_admin(accounts, "cityadmin", PASSWORD, "서울시 관리자")
    org = organizations.create(owner, "한강 베이커리", "business", "124-81-00998")
    for account, role in ((manager, "manager"), (clerk, "clerk")):
        invitation = organizations.invite(owner, org.id, account.username, role)
        organizations.accept(account, invitation.id)
    other_org = organizations.create(stranger, "남산 카페", "merchant")
    return World(seoul_pass, clock, owner, manager, clerk, stranger, admin, org, other_org)


def open_seoul_pass(path: Path, clock: Clock) -> SeoulPass:
    return SeoulPass(path, MasterKey(bytes(32)), passwords=Passwords(FAST), clock=clock)


@contextmanager
def world_node(path: Path) -> Iterator[tuple[World, Node]]:
    """The world in a running node whose Seoul Pass hashes passwords cheaply, so the accounts
    are quick to make."""
    clock = Clock()
    node = Node.open(Config(data_dir=path), clock=clock)
    try:
        node.seoul_pass.accounts.passwords = Passwords(FAST)
        yield populate(node.seoul_pass, clock), node
    finally:
        node.close()


@contextmanager
def served_world(path: Path) -> Iterator[tuple[World, TestClient]]:
    """The world and a client for its node's app."""
    with world_node(path) as (world, node), TestClient(create_app(node)) as client:
        yield world, client
