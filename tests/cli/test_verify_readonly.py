"""``blockcity verify --data``: a bare VC (no anchor, no status lists with it) issued by the
node whose data folder is given verifies fully offline, from the anchors and the published
status lists in that folder read read-only."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blockcity.cli.main import app
from blockcity.credentials.reader import IssuedRecords
from blockcity.node import Node
from tests.credentials.issuing import Clock, issue_career, issuing_node

runner = CliRunner()


@pytest.fixture
def issuer_node(tmp_path: Path) -> Iterator[Node]:
    with issuing_node(tmp_path / "data", Clock(datetime.now(UTC))) as node:
        yield node


def verify_bare(node: Node, tmp_path: Path, document: dict[str, object]) -> tuple[int, str]:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    data = str(node.config.data_dir)
    result = runner.invoke(app, ["verify", str(path), "--lang", "en", "--data", data])
    return result.exit_code, result.stdout + result.stderr


def test_a_bare_vc_issued_by_the_node_verifies_from_its_data_folder(
    issuer_node: Node, tmp_path: Path
) -> None:
    issued = issue_career(issuer_node)
    issuer_node.credentials.bundle(issued.id)  # publishes its status lists, as serving does
    code, out = verify_bare(issuer_node, tmp_path, issued.document)
    assert code == 0, out
    assert "✔ ledger" in out and "✔ status" in out


def test_a_revoked_bare_vc_fails_status_from_the_data_folder(
    issuer_node: Node, tmp_path: Path
) -> None:
    issued = issue_career(issuer_node)
    issuer_node.credentials.set_status(issued.id, "revoke", issuer=issued.issuer)
    code, out = verify_bare(issuer_node, tmp_path, issued.document)
    assert code == 1
    assert "✘ status" in out and "✔ ledger" in out


def test_a_bare_vc_the_node_never_issued_is_not_on_its_ledger(
    issuer_node: Node, tmp_path: Path
) -> None:
    issued = issue_career(issuer_node)
    changed = {**issued.document, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    code, out = verify_bare(issuer_node, tmp_path, changed)
    assert code == 1 and "✘ ledger" in out


def test_the_reader_finds_nothing_in_a_folder_that_never_issued(tmp_path: Path) -> None:
    assert IssuedRecords.open_if_present(tmp_path) is None


def test_the_reader_cannot_write(issuer_node: Node) -> None:
    records = IssuedRecords(issuer_node.config.data_dir / "credentials.sqlite")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            records._db.execute("DELETE FROM issued_credentials")
    finally:
        records.close()
