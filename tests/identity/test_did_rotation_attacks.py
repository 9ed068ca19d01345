"""Attacks on the DID registry through the ledger API: forged registrations, someone else's
rotation, retired and revoked keys, back-dating, replays and races. Each fails with the right
RFC 9457 status and leaves the ledger and the registry as they were."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.config import Config
from blockcity.crypto import SigningKey, multikey_encode
from blockcity.errors import BlockcityError
from blockcity.identity.dids import DidRegistry, register_did
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import sign_entry
from blockcity.node import Node
from tests.identity._dids_support import Clock, Org, did_key_kid, notice

ENTRIES = "/api/v1/ledger/entries"
DIDS = "/api/v1/identity/dids"


def city(node: Node) -> tuple[str, SigningKey]:
    assert node.city is not None
    return node.city.kid, node.city.key


def register(node: Node, name: str, *fragments: str) -> Org:
    org = Org(f"did:web:seoul.blockcity.example:org:{name}")
    register_did(
        node.submit,
        city(node),
        org.did,
        [(f, org.new_key(f).public) for f in fragments or ("key-1",)],
        name_ko=name,
        name_en=name,
        at=node.ledger.clock(),
    )
    return org


def method(fragment: str, key: SigningKey) -> dict[str, str]:
    return {"id": fragment, "type": "Multikey", "publicKeyMultibase": multikey_encode(key.public)}


def registration(did: str, key: SigningKey, signers: list[tuple[str, SigningKey]]) -> bytes:
    body = {
        "did": did,
        "controller": did,
        "name_ko": "가짜 기관",
        "name_en": "Fake organization",
        "verification_methods": [method("key-1", key)],
    }
    return sign_entry("identity.did.registered", body, signers)


def rotation(
    did: str, retire: str, add: tuple[str, SigningKey], signer: tuple[str, SigningKey], **kw: Any
) -> bytes:
    body = {"did": did, "retire": retire, "add": method(*add)}
    return sign_entry("identity.key.rotated", body, [signer], **kw)


def revocation(kid: str, revoked_at: str, signer: tuple[str, SigningKey], **kw: Any) -> bytes:
    return sign_entry(
        "identity.key.revoked", {"kid": kid, "revoked_at": revoked_at}, [signer], **kw
    )


def refused(client: TestClient, node: Node, data: bytes, status: int, code: str) -> str:
    """Submit ``data``, expect the problem, and check that nothing changed."""
    size, dids = node.ledger.size, node.dids.dids()
    keys = {kid: node.dids.key(kid) for d in dids for kid in d.kids}
    response = client.post(ENTRIES, content=data, headers={"Accept-Language": "en"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert node.ledger.size == size
    assert node.dids.dids() == dids
    assert {kid: node.dids.key(kid) for kid in keys} == keys
    return str(problem["detail"])


def test_a_registration_signed_by_anyone_but_the_city_is_forbidden(
    client: TestClient, node: Node
) -> None:
    cafe = register(node, "mapo-cafe")
    attacker = SigningKey.generate()
    target = "did:web:seoul.blockcity.example:org:fake-bank"
    for signers in (
        [cafe.signer("key-1")],
        [(did_key_kid(attacker), attacker)],
        [city(node), (did_key_kid(attacker), attacker)],
    ):
        detail = refused(
            client, node, registration(target, attacker, signers), 403, "did-change-unauthorized"
        )
        assert "only by the city" in detail
    assert client.get(f"{DIDS}/{target}").status_code == 404


def test_an_organization_cannot_rotate_another_organizations_keys(
    client: TestClient, node: Node
) -> None:
    victim, attacker = register(node, "victim"), register(node, "attacker")
    stolen = SigningKey.generate()
    data = rotation(victim.did, "key-1", ("key-2", stolen), attacker.signer("key-1"))
    detail = refused(client, node, data, 403, "did-change-unauthorized")
    assert attacker.did in detail
    document = client.get(f"{DIDS}/{victim.did}").json()
    assert [m["id"] for m in document["verificationMethod"]] == [victim.kid("key-1")]


def test_a_rotation_signed_by_a_retired_key_is_refused(client: TestClient, node: Node) -> None:
    cafe = register(node, "mapo-cafe")
    successor = cafe.new_key("key-2")
    first = rotation(cafe.did, "key-1", ("key-2", successor), cafe.signer("key-1"))
    assert client.post(ENTRIES, content=first).status_code == 201
    takeover = rotation(cafe.did, "key-2", ("key-3", SigningKey.generate()), cafe.signer("key-1"))
    detail = refused(client, node, takeover, 422, "key-not-valid")
    assert "retired" in detail


def test_a_replayed_rotation_is_answered_from_the_ledger_and_applied_once(
    client: TestClient, node: Node
) -> None:
    cafe = register(node, "mapo-cafe")
    data = rotation(cafe.did, "key-1", ("key-2", cafe.new_key("key-2")), cafe.signer("key-1"))
    receipt = client.post(ENTRIES, content=data).json()
    size, record = node.ledger.size, node.dids.key(cafe.kid("key-1"))
    again = client.post(ENTRIES, content=data)
    assert again.status_code == 201 and again.json() == receipt
    assert node.ledger.size == size and node.dids.key(cafe.kid("key-1")) == record


def test_a_signature_by_a_revoked_key_is_refused_and_the_key_cannot_come_back(
    client: TestClient, node: Node
) -> None:
    cafe = register(node, "mapo-cafe", "key-1", "key-2")
    now = node.ledger.clock()
    revoke = revocation(cafe.kid("key-1"), format_time(now), cafe.signer("key-2"), at=now)
    assert client.post(ENTRIES, content=revoke).status_code == 201
    assert "revoked" in refused(
        client, node, notice(cafe.signer("key-1"), now + timedelta(seconds=1)), 422, "key-not-valid"
    )
    # The thief rotates its own key in with the stolen one: the stolen key no longer counts.
    thief = rotation(cafe.did, "key-2", ("key-3", SigningKey.generate()), cafe.signer("key-1"))
    assert "revoked" in refused(client, node, thief, 422, "key-not-valid")
    # Nor can the compromised key be registered again, under any id.
    comeback = rotation(cafe.did, "key-1", ("key-3", cafe.keys["key-1"]), cafe.signer("key-2"))
    assert "revoked as compromised" in refused(client, node, comeback, 400, "did-change-refused")


def test_strangers_cannot_revoke_an_organizations_key_or_a_persons_did_key(
    client: TestClient, node: Node
) -> None:
    cafe, rival = register(node, "mapo-cafe"), register(node, "rival")
    person = SigningKey.generate()
    now = format_time(node.ledger.clock())
    for kid in (cafe.kid("key-1"), did_key_kid(person)):
        refused(
            client,
            node,
            revocation(kid, now, rival.signer("key-1")),
            403,
            "did-change-unauthorized",
        )
    assert (
        client.post(ENTRIES, content=notice(cafe.signer("key-1"), node.ledger.clock())).status_code
        == 201
    )


def test_the_citys_root_key_cannot_be_revoked_on_the_ledger(client: TestClient, node: Node) -> None:
    kid = city(node)[0]
    data = revocation(kid, format_time(node.ledger.clock()), city(node))
    assert "root of trust" in refused(client, node, data, 400, "did-change-refused")


def test_a_forged_signature_under_a_did_web_key_id_is_refused(
    client: TestClient, node: Node
) -> None:
    cafe = register(node, "mapo-cafe")
    forged = notice((cafe.kid("key-1"), SigningKey.generate()), node.ledger.clock())
    refused(client, node, forged, 422, "entry-signature-invalid")
    invented = notice(
        ("did:web:seoul.blockcity.example:org:ghost#key-1", SigningKey.generate()),
        node.ledger.clock(),
    )
    assert "not registered" in refused(client, node, invented, 422, "key-not-valid")


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Node, Clock, TestClient]]:
    clock = Clock(datetime.now().astimezone())
    node = Node.open(Config(data_dir=tmp_path / "data"), clock=clock)
    try:
        with TestClient(create_app(node)) as client:
            yield node, clock, client
    finally:
        node.close()


def test_back_dating_an_entry_to_before_a_revocation_is_refused_by_the_ledger_clock(
    clocked: tuple[Node, Clock, TestClient],
) -> None:
    node, clock, client = clocked
    cafe = register(node, "mapo-cafe", "key-1", "key-2")
    revoked_at = clock.advance(hours=1)
    data = revocation(
        cafe.kid("key-1"), format_time(revoked_at), cafe.signer("key-2"), at=revoked_at
    )
    assert client.post(ENTRIES, content=data).status_code == 201
    clock.advance(minutes=11)
    back_dated = notice(cafe.signer("key-1"), revoked_at - timedelta(seconds=1))
    assert "away from the ledger's clock" in refused(
        client, node, back_dated, 400, "entry-rejected"
    )
    honest = notice(cafe.signer("key-1"), clock.now)
    assert "revoked" in refused(client, node, honest, 422, "key-not-valid")


def test_two_racing_rotations_of_one_key_let_exactly_one_through(
    clocked: tuple[Node, Clock, TestClient],
) -> None:
    node, clock, _ = clocked
    cafe = register(node, "mapo-cafe")
    clock.advance(seconds=1)
    contenders = [
        rotation(cafe.did, "key-1", (f"key-{n}", SigningKey.generate()), cafe.signer("key-1"))
        for n in (2, 3)
    ]
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def race(data: bytes) -> None:
        start.wait()
        try:
            outcomes.append(node.submit(data))
        except BlockcityError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=race, args=(d,)) for d in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes if isinstance(o, BlockcityError)]
    assert len(errors) == 1 and "already retired" in errors[0].message_en
    assert len(node.dids.did(cafe.did).kids) == 2
    replayed = DidRegistry()
    replayed.replay(node.ledger.store.entries(0, node.ledger.size))
    assert replayed.dids() == node.dids.dids()
