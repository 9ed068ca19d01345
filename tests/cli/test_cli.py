"""The ``blockcity`` command line: inspection, proofs, audit, and clear one-line errors with
fitting exit codes."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from blockcity.cli.main import app
from blockcity.config import Config
from blockcity.demo import seed_demo
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import open_checkpoint
from blockcity.node import Node

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    node = Node.open(Config(data_dir=folder))
    seed_demo(node)
    node.close()
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_checkpoint_verifies_with_the_printed_verifier_key(data: Path) -> None:
    code, key_out, _ = run("ledger", "verifier-key", "--data", str(data))
    assert code == 0
    key = key_out.strip().splitlines()[-1]
    code, note, _ = run("ledger", "checkpoint", "--data", str(data))
    assert code == 0
    checkpoint, _ = open_checkpoint(note, [key])
    assert checkpoint.size == 3


def test_entry_and_proofs_as_json(data: Path) -> None:
    code, out, _ = run("ledger", "entry", "1", "--data", str(data), "--json")
    assert code == 0
    entry = json.loads(out)
    assert entry["type"] == "notices.notice.published" and entry["block"] == 1
    by_id = json.loads(run("ledger", "entry", entry["id"], "--data", str(data), "--json")[1])
    assert by_id["index"] == 1
    proof = json.loads(run("ledger", "proof", "1", "--data", str(data), "--json")[1])
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        1,
        proof["tree_size"],
        [bytes.fromhex(h) for h in proof["path"]],
        bytes.fromhex(proof["root"]),
    )
    consistency = json.loads(
        run("ledger", "proof", "--from", "1", "--data", str(data), "--json")[1]
    )
    assert consistency["new_size"] == 3
    block = json.loads(run("ledger", "block", "latest", "--data", str(data), "--json")[1])
    assert block["height"] == 2 and block["size"] == 3


def test_audit_passes_then_names_the_tampered_block(data: Path) -> None:
    code, out, _ = run("ledger", "audit", "--data", str(data))
    assert code == 0 and out.startswith("ok: 3 blocks, 3 entries")
    db = sqlite3.connect(data / "ledger.sqlite3")
    with db:
        (bundle,) = db.execute("SELECT data FROM bundles WHERE idx = 0").fetchone()
        db.execute(
            "UPDATE bundles SET data = ? WHERE idx = 0",
            (bundle.replace("블록체인".encode(), "블록체안".encode()),),
        )
    db.close()
    code, _, err = run("ledger", "audit", "--data", str(data))
    assert code == 1
    assert "first bad block 0" in err
    report = json.loads(run("ledger", "audit", "--data", str(data), "--json")[1])
    assert report["ok"] is False and report["first_bad_block"] == 0


def test_entry_beyond_the_tree_is_one_line_and_exit_2(data: Path) -> None:
    code, out, err = run("ledger", "entry", "99", "--data", str(data))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "outside the tree of size 3" in err


def test_missing_ledger_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    code, _, err = run("ledger", "checkpoint", "--data", str(tmp_path / "nowhere"))
    assert code == 3 and "blockcity serve" in err


def test_corrupt_database_file_is_exit_3(data: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = data / f"ledger.sqlite3{suffix}"
        if path.exists():
            path.unlink()
    (data / "ledger.sqlite3").write_bytes(b"this is not a database" * 100)
    code, _, err = run("ledger", "audit", "--data", str(data))
    assert code == 3 and "not a readable ledger database" in err


def test_serve_rejects_a_second_writer(data: Path) -> None:
    node = Node.open(Config(data_dir=data))
    try:
        code, _, err = run("serve", "--data", str(data), "--port", "8999")
        assert code == 3 and "already writing" in err
    finally:
        node.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_served_checkpoint_verifies_with_the_cli_key(tmp_path: Path) -> None:
    """An outsider's check: the key from the CLI verifies what the running server serves."""
    folder, port = tmp_path / "served", free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "blockcity", "serve", "--data", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        note = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                note = httpx.get(f"http://127.0.0.1:{port}/api/v1/ledger/checkpoint").text
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.2)
        key = run("ledger", "verifier-key", "--data", str(folder))[1].strip().splitlines()[-1]
        checkpoint, _ = open_checkpoint(note, [key])
        # three demo notices, the city's and the café's did:web, three trusted-issuer grants
        assert checkpoint.size == 9  # and the sample career certificate's anchor
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_accounts_commands_create_an_admin_once_and_officers(data: Path) -> None:
    password = "a long enough passphrase\na long enough passphrase\n"
    result = runner.invoke(
        app,
        ["accounts", "create-admin", "cityadmin", "--name", "시청 관리자", "--data", str(data)],
        input=password,
    )
    assert result.exit_code == 0, result.stderr
    assert "administrator cityadmin created: did:key:z6Mk" in result.stdout
    again = runner.invoke(
        app,
        ["accounts", "create-admin", "second", "--name", "Other", "--data", str(data)],
        input=password,
    )
    assert again.exit_code == 2 and "already has an administrator" in again.stderr
    officer = runner.invoke(
        app,
        ["accounts", "create-officer", "officer1", "--name", "등록 담당", "--data", str(data)],
        input=password,
    )
    assert officer.exit_code == 0 and "officer officer1 created" in officer.stdout
    weak = runner.invoke(
        app,
        ["accounts", "create-officer", "officer2", "--name", "x", "--data", str(data)],
        input="short\nshort\n",
    )
    assert weak.exit_code == 2 and "at least 10 characters" in weak.stderr
