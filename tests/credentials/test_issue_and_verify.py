"""Issuing through the platform and verifying with the one verifier: every check named, each
attack (tampering, a forged anchor, revocation, expiry, an untrusted issuer, a retired key)
failing the check it should, with a reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blockcity.credentials.anchor import Anchor
from blockcity.credentials.dataintegrity import create_proof
from blockcity.credentials.registry import IssuerNotTrusted, withdraw_issuer
from blockcity.crypto import SigningKey, b64url_encode, did_key_from_public
from blockcity.crypto.did import verification_method_id
from blockcity.identity.dids import rotate_key
from blockcity.ledger.checkpoint import Checkpoint, sign_checkpoint
from blockcity.ledger.note import Signer
from blockcity.node import Node
from tests.credentials.issuing import (
    CAFE,
    CAREER,
    Clock,
    bundle_bytes,
    cafe_kid,
    career_claims,
    checks,
    failed,
    holder_did,
    issue_career,
    issuing_node,
    offline_verifier,
    verify,
)

ALL_CHECKS = [
    "format",
    "signature",
    "issuer-key",
    "issuer",
    "validity",
    "status",
    "ledger",
    "witnesses",
]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def node(tmp_path: Path, clock: Clock) -> Any:
    with issuing_node(tmp_path / "data", clock) as opened:
        yield opened


def test_a_credential_issued_here_verifies_with_every_check_named(node: Node) -> None:
    issued = issue_career(node)
    verdict = verify(node, bundle_bytes(node, issued.id))
    assert verdict.valid, failed(verdict)
    assert [c.name for c in verdict.checks][: len(ALL_CHECKS)] == ALL_CHECKS
    assert verdict.summary["issuer"] == CAFE
    assert verdict.summary["subject"]["employer"] == "마포 카페"
    assert all(c.reason_ko and c.reason_en for c in verdict.checks)


def test_the_anchor_is_consistent_with_a_later_checkpoint(node: Node) -> None:
    issued = issue_career(node)
    data = bundle_bytes(node, issued.id)
    issue_career(node)  # the ledger grows past the anchored checkpoint
    verdict = verify(node, data)
    assert verdict.valid, failed(verdict)
    assert checks(verdict)["consistency"] is True


def test_the_ledger_holds_only_the_digest(node: Node) -> None:
    issued = issue_career(node, claims=career_claims(employer="비밀 상호"))
    entry = node.ledger.entry(issued.ledger_index).data.decode()
    assert issued.digest in entry
    assert "비밀" not in entry and issued.holder not in entry


def test_a_changed_claim_breaks_the_signature(node: Node) -> None:
    bundle = node.credentials.bundle(issue_career(node).id)
    bundle["credential"]["credentialSubject"]["duties"] = "점장"
    verdict = verify(node, bundle)
    assert not verdict.valid
    assert "signature" in failed(verdict)
    assert "changed" in failed(verdict)["signature"]


def test_a_credential_resigned_by_someone_else_fails_the_issuer_key(node: Node) -> None:
    bundle = node.credentials.bundle(issue_career(node).id)
    forger = SigningKey.generate()
    unsigned = {k: v for k, v in bundle["credential"].items() if k != "proof"}
    bundle["credential"] = create_proof(unsigned, forger, f"{CAFE}#key-1")
    verdict = verify(node, bundle)
    assert {"signature", "ledger"} <= failed(verdict).keys()


def test_an_anchor_moved_to_another_entry_fails_the_ledger_check(node: Node) -> None:
    first = node.credentials.bundle(issue_career(node).id)
    second = node.credentials.bundle(issue_career(node).id)
    first["anchor"] = second["anchor"]
    verdict = verify(node, first)
    assert "another credential" in failed(verdict)["ledger"]


def test_a_forged_inclusion_proof_fails_the_ledger_check(node: Node) -> None:
    issue_career(node)
    bundle = node.credentials.bundle(issue_career(node).id)
    bundle["anchor"]["inclusionProof"][0] = b64url_encode(bytes(32))
    verdict = verify(node, bundle)
    assert "inclusion proof" in failed(verdict)["ledger"]


def test_a_checkpoint_signed_by_another_log_fails_the_ledger_check(node: Node) -> None:
    bundle = node.credentials.bundle(issue_career(node).id)
    anchor = Anchor.from_dict(bundle["anchor"])
    body = anchor.checkpoint.split("\n\n", 1)[0] + "\n"
    rogue = Signer.from_seed(node.ledger.origin, bytes(32))
    bundle["anchor"]["checkpoint"] = sign_checkpoint(Checkpoint.parse(body), rogue)
    verdict = verify(node, bundle)
    assert "not signed by this ledger's key" in failed(verdict)["ledger"]


def test_revocation_shows_in_the_status_check(node: Node) -> None:
    issued = issue_career(node)
    data = bundle_bytes(node, issued.id)
    node.credentials.set_status(issued.id, "revoke", issuer=CAFE)
    verdict = verify(node, data)
    assert failed(verdict).keys() == {"status"}
    assert "revoked" in failed(verdict)["status"]


def test_suspension_can_be_lifted(node: Node) -> None:
    issued = issue_career(node)
    node.credentials.set_status(issued.id, "suspend", issuer=CAFE)
    assert "suspended" in failed(verify(node, bundle_bytes(node, issued.id)))["status"]
    node.credentials.set_status(issued.id, "reinstate", issuer=CAFE)
    assert verify(node, bundle_bytes(node, issued.id)).valid


def test_only_the_issuer_can_change_a_credentials_status(node: Node) -> None:
    issued = issue_career(node)
    with pytest.raises(Exception, match="no credential"):
        node.credentials.set_status(issued.id, "revoke", issuer="did:web:example.org")
    assert verify(node, bundle_bytes(node, issued.id)).valid


def test_an_expired_credential_fails_the_validity_check(node: Node, clock: Clock) -> None:
    issued = issue_career(node, valid_until=clock.now + __import__("datetime").timedelta(days=30))
    data = bundle_bytes(node, issued.id)
    clock.advance(days=31)
    verdict = verify(node, data)
    assert "expired" in failed(verdict)["validity"]


def test_an_issuer_outside_the_registry_is_refused_on_the_ledger_and_by_the_verifier(
    node: Node,
) -> None:
    outsider = SigningKey.generate()
    kid = verification_method_id(did_key_from_public(outsider.public))
    node.credentials.add_issuer_key(kid, outsider, name_ko="외부", name_en="Outsider")
    with pytest.raises(IssuerNotTrusted):
        issue_career(node, issuer_kid=kid)
    credential = create_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", CAREER],
            "issuer": kid.split("#")[0],
            "credentialSubject": {"id": holder_did(), **career_claims()},
        },
        outsider,
        kid,
    )
    verdict = verify(node, credential)
    assert {"issuer", "ledger"} == failed(verdict).keys()
    assert "not in the city's registry" in failed(verdict)["issuer"]
    trusted = verify(node, credential, trusted_issuers={kid.split("#")[0]})
    assert trusted.valid, failed(trusted)


def test_a_withdrawn_issuer_cannot_issue_but_what_it_issued_before_stays_valid(
    node: Node, clock: Clock
) -> None:
    before = issue_career(node)
    clock.advance(minutes=1)
    assert node.city is not None
    withdraw_issuer(
        node.submit,
        (node.city.kid, node.city.key),
        CAFE,
        CAREER,
        effective=clock.now,
        at=clock.now,
    )
    clock.advance(minutes=1)
    with pytest.raises(IssuerNotTrusted, match="not trusted"):
        issue_career(node)
    assert verify(node, bundle_bytes(node, before.id)).valid


def test_a_key_rotated_out_before_signing_fails_with_that_reason(node: Node, clock: Clock) -> None:
    issued_before = issue_career(node)
    old_kid = cafe_kid(node)
    old_key = node.credentials._key(old_kid)[0]
    clock.advance(minutes=1)
    new_key = SigningKey.generate()
    rotate_key(
        node.submit, (old_kid, old_key), CAFE, "key-1", ("key-2", new_key.public), at=clock.now
    )
    node.credentials.add_issuer_key(
        f"{CAFE}#key-2", new_key, name_ko="마포 카페", name_en="Mapo Café"
    )
    clock.advance(minutes=1)
    # What was signed before the rotation still verifies; the new key issues from now on.
    assert verify(node, bundle_bytes(node, issued_before.id)).valid
    assert verify(node, bundle_bytes(node, issue_career(node, issuer_kid=f"{CAFE}#key-2").id)).valid
    # Someone still holding the retired key signs a fresh credential with it.
    stale = copy.deepcopy(node.credentials.bundle(issued_before.id)["credential"])
    del stale["proof"]
    stale["credentialSubject"]["duties"] = "점장"
    forged = create_proof(stale, old_key, old_kid, created=clock.now)
    verdict = verify(node, forged)
    assert "issuer-key" in failed(verdict)
    assert "retired" in failed(verdict)["issuer-key"] or "after" in failed(verdict)["issuer-key"]


def test_a_bare_credential_verifies_online_against_the_nodes_own_record(node: Node) -> None:
    issued = issue_career(node)
    verdict = verify(node, issued.document)
    assert verdict.valid, failed(verdict)


def test_a_bundle_verifies_offline_with_only_the_ledger_and_witness_keys(node: Node) -> None:
    issued = issue_career(node)
    data = bundle_bytes(node, issued.id)
    verdict = offline_verifier(node).verify(data)
    # Without the registry the issuer check cannot pass by itself; every other check does,
    # status included, from the list stapled to the bundle.
    assert failed(verdict).keys() == {"issuer"}
    assert checks(verdict)["status"] and checks(verdict)["ledger"]


def test_issue_many_anchors_every_credential_and_keeps_errors_per_request(node: Node) -> None:
    from blockcity.credentials.service import IssueRequest

    kid = cafe_kid(node)
    requests = [IssueRequest(kid, CAREER, holder_did(), career_claims(n=i)) for i in range(40)]
    requests.insert(7, IssueRequest(kid, "not a type!", holder_did(), career_claims()))
    results = node.credentials.issue_many(requests)
    assert sum(1 for r in results if isinstance(r, Exception)) == 1
    issued = [r for r in results if not isinstance(r, Exception)]
    assert len({r.ledger_index for r in issued}) == 40
    verifier = node.verifier()
    assert all(verifier.verify(bundle_bytes(node, r.id)).valid for r in issued[:5])


def test_status_indexes_are_random_and_unique(node: Node) -> None:
    from blockcity.credentials.service import IssueRequest

    kid = cafe_kid(node)
    results = node.credentials.issue_many(
        [IssueRequest(kid, CAREER, holder_did(), career_claims()) for _ in range(50)]
    )
    indexes = [
        int(r.document["credentialStatus"][0]["statusListIndex"])  # type: ignore[union-attr]
        for r in results
    ]
    assert len(set(indexes)) == 50
    assert indexes != sorted(indexes)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0), replacement=st.characters(codec="utf-8"))
def test_changing_any_character_of_the_credential_never_verifies(
    node: Node, position: int, replacement: str
) -> None:
    if not hasattr(test_changing_any_character_of_the_credential_never_verifies, "bundle"):
        issued = issue_career(node)
        test_changing_any_character_of_the_credential_never_verifies.bundle = (  # type: ignore[attr-defined]
            node.credentials.bundle(issued.id)
        )
    bundle = test_changing_any_character_of_the_credential_never_verifies.bundle  # type: ignore[attr-defined]
    text = json.dumps(bundle["credential"], ensure_ascii=False)
    position %= len(text)
    if text[position] == replacement:
        return
    changed = text[:position] + replacement + text[position + 1 :]
    try:
        credential = json.loads(changed)
    except ValueError:
        return
    if credential == bundle["credential"]:
        return  # the same JSON written differently (e.g. an escape): not a change
    tampered = {**bundle, "credential": credential}
    assert not verify(node, tampered).valid


def test_verifiers_sharing_the_nodes_caches_agree_under_concurrent_requests(
    tmp_path: Path,
) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    # A clock that moves, as in production: threads fetch the status lists a moment apart.
    with issuing_node(tmp_path / "live", lambda: datetime.now(UTC)) as live:  # type: ignore[arg-type]
        data = bundle_bytes(live, issue_career(live).id)

        def verdict(_: int) -> dict[str, str]:
            return failed(live.verifier().verify(data))

        with ThreadPoolExecutor(max_workers=16) as pool:
            failures = [found for found in pool.map(verdict, range(400)) if found]
        assert not failures, failures[:3]
