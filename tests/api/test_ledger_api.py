"""The ledger API end to end through HTTP: reading, proving, submitting, and every refusal as
RFC 9457 problem+json that leaves the ledger unchanged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from blockcity.crypto import SigningKey, b64url_encode, canonical_json, did_key_from_public
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import open_checkpoint, verify_cosignatures
from blockcity.ledger.entries import MAX_ENTRY_BYTES, sign_entry
from blockcity.node import Node

API = "/api/v1/ledger"


def notice(key: SigningKey, *, publisher: str | None = None, **overrides: object) -> bytes:
    did = did_key_from_public(key.public)
    body = {
        "publisher": publisher or did,
        "title_ko": "공지",
        "title_en": "Notice",
        "summary_ko": "",
        "summary_en": "",
    }
    kid = f"{did}#{did.removeprefix('did:key:')}"
    return sign_entry("notices.notice.published", body, [(kid, key)], **overrides)  # type: ignore[arg-type]


def assert_problem(response: object, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "instance"} <= problem.keys()
    assert problem["status"] == status
    if code:
        assert problem["code"] == code
    return problem


def test_checkpoint_is_signed_by_the_log_and_cosigned_by_the_witness(client: TestClient) -> None:
    keys = client.get(f"{API}/verifier-key").json()
    response = client.get(f"{API}/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    checkpoint, _ = open_checkpoint(response.text, [keys["verifier_key"]])
    assert checkpoint.origin == keys["origin"] and checkpoint.size == 3
    cosignatures = verify_cosignatures(response.text, checkpoint, keys["witness_keys"])
    assert len(cosignatures) == 1


def test_blocks_are_listed_newest_first_with_a_cursor(client: TestClient) -> None:
    page = client.get(f"{API}/blocks", params={"limit": 2}).json()
    assert [b["height"] for b in page["items"]] == [2, 1]
    rest = client.get(f"{API}/blocks", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [b["height"] for b in rest["items"]] == [0]
    assert rest["next_cursor"] is None
    block = client.get(f"{API}/blocks/1").json()
    assert block["prev"] == client.get(f"{API}/blocks/0").json()["hash"]


def test_inclusion_proof_verifies_against_the_served_checkpoint(client: TestClient) -> None:
    key = client.get(f"{API}/verifier-key").json()["verifier_key"]
    checkpoint, _ = open_checkpoint(client.get(f"{API}/checkpoint").text, [key])
    entry = client.get(f"{API}/entries/1").json()
    proof = client.get(f"{API}/proofs/inclusion", params={"index": 1}).json()
    assert proof["root"] == checkpoint.root.hex()
    assert merkle.verify_inclusion(
        bytes.fromhex(entry["leaf_hash"]),
        1,
        checkpoint.size,
        [bytes.fromhex(h) for h in proof["path"]],
        checkpoint.root,
    )


def test_consistency_proof_links_an_old_block_to_the_latest(client: TestClient) -> None:
    old = client.get(f"{API}/blocks/0").json()
    proof = client.get(f"{API}/proofs/consistency", params={"from": old["size"]}).json()
    assert proof["old_root"] == old["root"]
    assert merkle.verify_consistency(
        proof["old_size"],
        proof["new_size"],
        [bytes.fromhex(h) for h in proof["path"]],
        bytes.fromhex(proof["old_root"]),
        bytes.fromhex(proof["new_root"]),
    )


def test_submitted_entry_is_acknowledged_durably_and_readable(
    client: TestClient, node: Node
) -> None:
    data = notice(SigningKey.generate())
    response = client.post(f"{API}/entries", content=data)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["index"] == 3 and receipt["tree_size"] == 4
    entry_id = json.loads(data)["id"]
    stored = client.get(f"{API}/entries/by-id/{entry_id}").json()
    assert stored["index"] == 3 and stored["type"] == "notices.notice.published"
    assert node.ledger.entry(3).data == data


def test_resubmitting_the_same_entry_returns_the_same_receipt(client: TestClient) -> None:
    data = notice(SigningKey.generate())
    first = client.post(f"{API}/entries", content=data).json()
    again = client.post(f"{API}/entries", content=data)
    assert again.status_code == 201 and again.json() == first


def test_replayed_id_with_other_content_is_a_conflict(client: TestClient, node: Node) -> None:
    key = SigningKey.generate()
    entry_id = str(uuid.uuid4())
    assert client.post(f"{API}/entries", content=notice(key, entry_id=entry_id)).status_code == 201
    size = node.ledger.size
    other = notice(key, entry_id=entry_id, at=datetime.now(UTC) - timedelta(seconds=5))
    assert_problem(client.post(f"{API}/entries", content=other), 409, "conflict")
    assert node.ledger.size == size


def tamper_signature(data: bytes) -> bytes:
    envelope = json.loads(data)
    envelope["sigs"][0]["sig"] = b64url_encode(bytes(64))
    return canonical_json(envelope)


REFUSALS = [
    ("malformed json", lambda key: b'{"type": ', 400, None),
    (
        "not canonical",
        lambda key: json.dumps(json.loads(notice(key)), indent=1).encode(),
        400,
        None,
    ),
    ("unknown type", lambda key: sign_entry("nope.thing.done", {}, []), 400, None),
    ("bad signature", lambda key: tamper_signature(notice(key)), 422, "entry-signature-invalid"),
    (
        "publisher did not sign",
        lambda key: notice(key, publisher=did_key_from_public(SigningKey.generate().public)),
        422,
        "entry-signature-invalid",
    ),
    (
        "back-dated",
        lambda key: notice(key, at=datetime.now(UTC) - timedelta(days=30)),
        400,
        "entry-rejected",
    ),
]


@pytest.mark.parametrize(("case", "make", "status", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_entries_are_refused_and_nothing_is_written(
    client: TestClient, node: Node, case: str, make: object, status: int, code: str | None
) -> None:
    size, root = node.ledger.size, node.ledger.root()
    data = make(SigningKey.generate())  # type: ignore[operator]
    assert_problem(client.post(f"{API}/entries", content=data), status, code)
    assert (node.ledger.size, node.ledger.root()) == (size, root)


def test_oversized_entry_is_refused_before_it_is_read(client: TestClient, node: Node) -> None:
    size = node.ledger.size
    assert_problem(
        client.post(f"{API}/entries", content=b"x" * (MAX_ENTRY_BYTES + 1)),
        413,
        "payload-too-large",
    )
    assert node.ledger.size == size


def test_index_beyond_the_tree_is_a_problem_in_korean_by_default(client: TestClient) -> None:
    problem = assert_problem(client.get(f"{API}/entries/99"), 404, "not-found")
    assert "트리" in str(problem["detail"])
    english = client.get(f"{API}/entries/99", headers={"Accept-Language": "en-US,en"})
    assert "outside the tree of size 3" in english.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/entries/abc",
        f"{API}/proofs/inclusion?index=-1",
        f"{API}/proofs/inclusion",
        f"{API}/blocks?limit=1000",
        f"{API}/tile/0/01",
        f"{API}/entries/-1",
        f"{API}/blocks/-1",
        f"{API}/blocks/9223372036854775808",
        f"{API}/blocks?cursor=9223372036854775808",
        f"{API}/proofs/inclusion?index=0&tree_size=99999999999999999999",
    ],
)
def test_malformed_requests_are_invalid_input(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 400, "invalid-input")


def test_proof_beyond_the_tree_is_not_found(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/proofs/inclusion", params={"index": 0, "tree_size": 9}), 404)
    assert_problem(client.get(f"{API}/blocks/7"), 404)
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_tiles_and_entry_bundles_follow_c2sp_tlog_tiles(client: TestClient, node: Node) -> None:
    tile = client.get(f"{API}/tile/0/000.p/3")
    assert tile.status_code == 200
    assert tile.content == b"".join(node.ledger.tree.node(0, i) for i in range(3))
    bundle = client.get(f"{API}/tile/entries/000.p/3").content
    first = node.ledger.entry(0).data
    assert bundle[:2] == len(first).to_bytes(2, "big") and bundle[2 : 2 + len(first)] == first
    assert_problem(client.get(f"{API}/tile/0/000.p/4"), 404)


def test_openapi_describes_the_ledger_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert f"{API}/checkpoint" in spec["paths"] and f"{API}/entries" in spec["paths"]


def test_api_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/api/v1/docs-assets/{asset}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/identity/certificates/verify", "/api/v1/signatures/verify", "/signin"]
)
def test_huge_bodies_are_refused_before_any_route_reads_them(client: TestClient, path: str) -> None:
    declared = client.post(path, content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert_problem(declared, 413, "payload-too-large")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    streamed = client.post(path, content=chunks(), headers={"content-type": "application/json"})
    # A route that answers without reading the body (a form page sent JSON) needs no cut-off.
    assert streamed.status_code in ((413,) if path.startswith("/api/") else (403, 413))
