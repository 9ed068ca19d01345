"""``blockcity verify FILE``: one line per check with a plain reason in Korean or English, exit
0 only when every check passes, 1 when one fails, 2 when the input is unreadable."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blockcity.cli.main import app
from blockcity.credentials.dataintegrity import VC_V2_CONTEXT, create_proof
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.demo import DEMO_ORGANIZATION_DID
from blockcity.node import Node
from tests.credentials.issuing import Clock, bundle_bytes, issue_career, issuing_node

runner = CliRunner()


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args], input=stdin)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def issuer_node(tmp_path: Path) -> Iterator[Node]:
    """A node with the demo issuers whose clock is the real one, as the CLI's is."""
    with issuing_node(tmp_path / "data", Clock(datetime.now(UTC))) as node:
        yield node


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def data_of(node: Node) -> str:
    return str(node.config.data_dir)


def outsider_credential() -> tuple[str, dict[str, Any]]:
    """A credential signed by a did:key issuer the platform's registry has never heard of."""
    key = SigningKey.generate()
    did = did_key_from_public(key.public)
    document = {
        "@context": [VC_V2_CONTEXT],
        "id": "urn:uuid:2b1c8e0e-4a59-4f7e-9a56-1c1b7c1e0a01",
        "type": ["VerifiableCredential", "CareerCertificate"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": did_key_from_public(SigningKey.generate().public)},
    }
    kid = f"{did}#{did.removeprefix('did:key:')}"
    return did, create_proof(document, key, kid, created=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_valid_bundle_passes_every_check_and_exits_0(issuer_node: Node, tmp_path: Path) -> None:
    issued = issue_career(issuer_node)
    path = write(tmp_path, "c.json", bundle_bytes(issuer_node, issued.id))
    code, out = run(path, "--data", data_of(issuer_node))
    assert code == 0, out
    assert out.startswith("유효 (VALID)")
    assert "✔ signature:" in out and "✘" not in out
    assert "마포 카페" in out


def test_a_changed_claim_fails_the_signature_and_exits_1(issuer_node: Node, tmp_path: Path) -> None:
    bundle = json.loads(bundle_bytes(issuer_node, issue_career(issuer_node).id))
    bundle["credential"]["credentialSubject"]["duties"] = "점장"
    path = write(tmp_path, "c.json", json.dumps(bundle).encode())
    code, out = run(path, "--data", data_of(issuer_node), "--lang", "en")
    assert code == 1
    assert out.startswith("INVALID")
    assert "✘ signature:" in out


def test_a_revoked_credential_fails_status(issuer_node: Node, tmp_path: Path) -> None:
    issued = issue_career(issuer_node)
    issuer_node.credentials.set_status(issued.id, "revoke", issuer=DEMO_ORGANIZATION_DID)
    path = write(tmp_path, "c.json", bundle_bytes(issuer_node, issued.id))
    code, out = run(path, "--data", data_of(issuer_node), "--json")
    assert code == 1
    result = json.loads(out)
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert failed == ["status"]


def test_an_expired_credential_fails_validity(issuer_node: Node, tmp_path: Path) -> None:
    # The CLI reads the real clock: a credential valid for one second has expired a moment
    # later (validUntil is written to the whole second, so at most one second from now).
    now = datetime.now(UTC)
    issued = issue_career(issuer_node, valid_until=now + timedelta(seconds=1))
    path = write(tmp_path, "c.json", bundle_bytes(issuer_node, issued.id))
    time.sleep(max(0.0, (now + timedelta(seconds=1.05) - datetime.now(UTC)).total_seconds()))
    code, out = run(path, "--data", data_of(issuer_node), "--lang", "en", "--json")
    assert code == 1
    failed = {c["name"]: c["reason"] for c in json.loads(out)["checks"] if not c["ok"]}
    assert list(failed) == ["validity"]
    assert failed["validity"].startswith("expired on")


def test_an_issuer_outside_the_registry_fails_unless_trusted_with_trust_key(
    issuer_node: Node, tmp_path: Path
) -> None:
    did, credential = outsider_credential()
    path = write(tmp_path, "c.json", json.dumps(credential).encode())
    code, out = run(path, "--data", data_of(issuer_node), "--json", "--lang", "en")
    assert code == 1
    failed = {c["name"] for c in json.loads(out)["checks"] if not c["ok"]}
    assert "issuer" in failed
    code, out = run(path, "--data", data_of(issuer_node), "--json", "--trust-key", did)
    assert code == 0, out
    assert all(c["ok"] for c in json.loads(out)["checks"])


def test_truncated_json_is_unreadable_and_exits_2(issuer_node: Node, tmp_path: Path) -> None:
    whole = bundle_bytes(issuer_node, issue_career(issuer_node).id)
    path = write(tmp_path, "c.json", whole[: len(whole) // 2])
    code, out = run(path, "--data", data_of(issuer_node), "--lang", "en")
    assert code == 2
    assert out.startswith("UNREADABLE")
    assert "Traceback" not in out


def test_a_50_mb_file_is_refused_quickly_with_its_size(issuer_node: Node, tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    code, out = run(str(path), "--data", data_of(issuer_node), "--lang", "en")
    assert code == 2
    # The CLI reads one byte past the 20 MB limit: the verifier reports 20.0 MB, not 50.
    assert "20 MB" in out
    assert time.perf_counter() - started < 5


def test_random_bytes_are_unreadable(issuer_node: Node, tmp_path: Path) -> None:
    path = write(tmp_path, "noise.bin", os.urandom(4096))
    code, out = run(path, "--data", data_of(issuer_node))
    assert code == 2
    assert "읽을 수 없음" in out


def test_json_output_has_the_shape_the_issue_promises(issuer_node: Node, tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", bundle_bytes(issuer_node, issue_career(issuer_node).id))
    code, out = run(path, "--data", data_of(issuer_node), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["valid"] is True
    assert all(
        isinstance(c["name"], str) and c["ok"] is True and isinstance(c["reason"], str)
        for c in result["checks"]
    )
    assert "signature" in [c["name"] for c in result["checks"]]


def test_reasons_follow_lang(issuer_node: Node, tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", bundle_bytes(issuer_node, issue_career(issuer_node).id))
    _, korean = run(path, "--data", data_of(issuer_node))
    _, english = run(path, "--data", data_of(issuer_node), "--lang", "en")
    assert "서명" in korean
    assert "Ed25519 signature (eddsa-jcs-2022) covers" in english
    assert "서명" not in english


def test_stdin_is_read_with_a_dash(issuer_node: Node) -> None:
    code, _ = run(
        "-",
        "--data",
        data_of(issuer_node),
        stdin=bundle_bytes(issuer_node, issue_career(issuer_node).id),
    )
    assert code == 0


def test_a_missing_file_and_a_missing_data_folder_exit_2(issuer_node: Node, tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "nowhere.json"), "--data", data_of(issuer_node))
    assert code == 2 and "nowhere.json" in out
    path = write(tmp_path, "c.json", b"{}")
    code, out = run(path, "--data", str(tmp_path / "no-ledger"))
    assert code == 2 and "error:" in out


@pytest.fixture
def no_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no ./blockcity-data and no BLOCKCITY_DATA: a machine that runs no
    node, such as another city's verifier."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("BLOCKCITY_DATA", raising=False)
    return folder


def test_without_a_data_folder_trust_key_admits_a_did_key_issuer(no_data_folder: Path) -> None:
    did, credential = outsider_credential()
    path = write(no_data_folder, "c.json", json.dumps(credential).encode())
    code, out = run(path, "--json", "--lang", "en", "--trust-key", did)
    assert code == 0, out
    stdout = out[: out.rindex("}") + 1]
    assert json.loads(stdout)["valid"] is True
    assert "no ledger in blockcity-data" in out


def test_without_a_data_folder_an_untrusted_issuer_fails_with_the_way_out(
    no_data_folder: Path,
) -> None:
    _, credential = outsider_credential()
    path = write(no_data_folder, "c.json", json.dumps(credential).encode())
    code, out = run(path, "--lang", "en")
    assert code == 1
    assert "✔ signature" in out
    assert "✘ issuer: this verifier holds no registry of trusted issuers" in out
    assert "--trust-key" in out


def test_without_a_data_folder_a_platform_bundle_fails_ledger_and_never_passes(
    issuer_node: Node, no_data_folder: Path
) -> None:
    path = write(no_data_folder, "c.json", bundle_bytes(issuer_node, issue_career(issuer_node).id))
    code, out = run(path, "--lang", "en", "--json")
    assert code == 1
    checks = {c["name"]: c for c in json.loads(out[: out.rindex("}") + 1])["checks"]}
    assert not checks["ledger"]["ok"]
    assert "does not know the ledger's public key" in checks["ledger"]["reason"]
    assert not checks["issuer"]["ok"]


def test_without_a_data_folder_unreadable_input_still_says_what_is_wrong(
    no_data_folder: Path,
) -> None:
    big = no_data_folder / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, out = run(str(big), "--lang", "en")
    assert code == 2 and "20 MB" in out
    truncated = write(no_data_folder, "t.json", b'{"@context": ["https://www.w3.org/ns/cred')
    code, out = run(truncated, "--lang", "en")
    assert code == 2 and "truncated" in out and "Traceback" not in out
