"""``blockcity verify`` on a Seoul Pass identity credential downloaded by its holder: valid
while it stands, invalid with the status reason once the city revokes it; a certificate of the
earlier format still verifies from the data folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blockcity.cli.main import app
from blockcity.http.certificates import certificate_file
from blockcity.identity.model import Account
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.proofing import Proofing, create_officer
from blockcity.node import Node
from tests.credentials.issuing import Clock, issuing_node
from tests.identity.certificates_v1 import issue_certificate_v1

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    """A node with the demo issuers (the city among them) on the real clock, as the CLI's."""
    with issuing_node(tmp_path / "data", Clock(datetime.now(UTC))) as opened:
        opened.seoul_pass.accounts.passwords = Passwords(HashingCost(time_cost=1, memory_kib=1024))
        yield opened


@pytest.fixture
def people(node: Node) -> tuple[Proofing, Account, Account]:
    accounts = node.seoul_pass.accounts
    officer = create_officer(accounts, "officer", PASSWORD, "Officer")
    return node.identity_proofing(), officer, accounts.create("minji", PASSWORD, "Minji")


def verify(node: Node, tmp_path: Path, document: object) -> tuple[int, dict[str, object]]:
    path = tmp_path / "identity.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        app, ["verify", str(path), "--data", str(node.config.data_dir), "--json"]
    )
    return result.exit_code, json.loads(result.stdout)


def failed(result: dict[str, object]) -> list[str]:
    checks = result["checks"]
    assert isinstance(checks, list)
    return [c["name"] for c in checks if not c["ok"]]


def test_the_downloaded_identity_credential_verifies_until_the_city_revokes_it(
    node: Node, tmp_path: Path, people: tuple[Proofing, Account, Account]
) -> None:
    proofing, officer, person = people
    authorizations = len(node.issuers.authorizations())
    stored = proofing.issue(officer.id, person.id, "김민지", date(1990, 5, 17))
    # The demo already trusts the city for identity credentials: nothing more is enrolled.
    assert len(node.issuers.authorizations()) == authorizations
    code, result = verify(node, tmp_path, certificate_file(node, stored))
    assert code == 0 and result["valid"] is True, result
    code, result = verify(node, tmp_path, stored.document)
    assert code == 0, result
    proofing.revoke(officer.id, stored.id, "issued-in-error")
    code, result = verify(node, tmp_path, certificate_file(node, stored))
    assert code == 1 and failed(result) == ["status"]


def test_a_certificate_of_the_earlier_format_verifies_from_the_data_folder(
    node: Node, tmp_path: Path, people: tuple[Proofing, Account, Account]
) -> None:
    proofing, officer, person = people
    stored = issue_certificate_v1(node, proofing, officer, person)
    code, result = verify(node, tmp_path, certificate_file(node, stored))
    assert code == 0 and result["kind"] == "identity-certificate", result
    proofing.revoke(officer.id, stored.id, "superseded")
    code, result = verify(node, tmp_path, stored.document)
    assert code == 1 and failed(result) == ["status"]
