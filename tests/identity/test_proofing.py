"""Identity proofing: an officer confirms a person and the city issues an anchored W3C
identity credential that the one verifier checks offline; tampered, forged and revoked ones are
told apart; no name or birth date reaches the credential or the ledger; certificates of the
earlier format still verify through the same verifier."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from blockcity.config import Config
from blockcity.credentials.anchor import credential_digest
from blockcity.credentials.checks import Verdict
from blockcity.credentials.dataintegrity import create_proof
from blockcity.credentials.verifier import Verifier, VerifierContext
from blockcity.crypto import SigningKey, b64url_encode, canonical_json, did_key_from_public
from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.model import Account, AccountKind
from blockcity.identity.proofing import (
    CERTIFICATE_REVOKED,
    CertificateCheck,
    IdentityCertificate,
    NotAnOfficer,
    Proofing,
    StoredCertificate,
    create_officer,
    open_commitment,
    parse_birth_date,
    verify_certificate,
)
from blockcity.ledger.entries import sign_entry
from blockcity.node import CITY_DID_WEB, Node
from tests.identity.certificates_v1 import issue_certificate_v1, resign_v1
from tests.web.account_helpers import quick_node

PASSWORD = "correct horse battery"
NAME = "홍길동"
BORN = date(1990, 5, 17)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with quick_node(tmp_path) as opened:
        yield opened


@pytest.fixture
def proofing(node: Node) -> Proofing:
    return node.identity_proofing()


@pytest.fixture
def officer(node: Node) -> Account:
    return create_officer(node.seoul_pass.accounts, "officer", PASSWORD, "Registration officer")


@pytest.fixture
def person(node: Node) -> Account:
    return node.seoul_pass.accounts.create("minji", PASSWORD, "Minji")


def _issue(proofing: Proofing, officer: Account, person: Account) -> StoredCertificate:
    return proofing.issue(officer.id, person.id, NAME, BORN)


def _bundle(node: Node, stored: StoredCertificate) -> dict[str, Any]:
    assert stored.credential_id is not None
    return node.credentials.bundle(stored.credential_id)


def _offline(node: Node) -> Verifier:
    """A verifier that holds only what a verifier away from the node would: the ledger's and
    witnesses' keys and the registries, no lookups of anchors or status lists."""
    return Verifier(
        VerifierContext(
            keys=node.dids,
            ledger=node.ledger_trust(),
            issuers=node.issuers,
            clock=node.ledger.clock,
        )
    )


def _verify(verifier: Verifier, doc: object) -> Verdict:
    return verifier.verify(json.dumps(doc, ensure_ascii=False).encode())


def _failed(result: Verdict | CertificateCheck) -> set[str]:
    return {c.name for c in result.checks if not c.ok}


def _entries(node: Node) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in node.ledger.store.entries(0, node.ledger.size)]


# The identity credential.


def test_issued_identity_credential_verifies_offline_from_its_bundle(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    verdict = _verify(_offline(node), _bundle(node, stored))
    assert verdict.valid, verdict.failures
    assert [c.name for c in verdict.checks][:7] == [
        "format",
        "signature",
        "issuer-key",
        "issuer",
        "validity",
        "status",
        "ledger",
    ]
    doc = stored.document
    assert doc["type"] == ["VerifiableCredential", "SeoulPassIdentityCredential"]
    assert doc["issuer"]["id"] == CITY_DID_WEB
    assert doc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert doc["credentialSubject"] == {
        "id": person.did,
        "identityCommitment": stored.commitment,
        "assurance": "in-person",
    }
    assert node.seoul_pass.accounts.get(person.id).proofed_at is not None


def test_the_holder_finds_the_credential_in_the_wallet_and_the_node_verifies_it_bare(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    assert [c.id for c in node.credentials.held_by(person.did)] == [stored.credential_id]
    # Without the bundle, the node finds the anchor and the status lists itself.
    assert _verify(node.verifier(), stored.document).valid


def test_credential_is_anchored_and_the_officers_confirmation_names_its_digest(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    assert stored.credential_id is not None
    anchored = json.loads(
        node.ledger.entry(node.credentials.get(stored.credential_id).ledger_index).data
    )
    assert anchored["type"] == "credentials.issued"
    assert stored.digest == credential_digest(stored.document)
    assert stored.digest in json.dumps(anchored["body"])
    confirmation = next(e for e in _entries(node) if e["id"] == stored.id)
    assert (confirmation["type"], confirmation["v"]) == ("identity.certificate.issued", 2)
    assert confirmation["body"] == {
        "issuer": proofing.city_did,
        "officer": officer.did,
        "subject": person.did,
        "commitment": stored.commitment,
        "credential": stored.digest,
    }
    assert {s["kid"].split("#")[0] for s in confirmation["sigs"]} == {
        proofing.city_did,
        officer.did,
    }


def test_no_name_or_birth_date_in_the_credential_the_bundle_or_the_ledger(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    shown = [
        json.dumps(stored.document, ensure_ascii=False),
        json.dumps(_bundle(node, stored), ensure_ascii=False),
        *(e.data.decode() for e in node.ledger.store.entries(0, node.ledger.size)),
    ]
    for text in shown:
        assert NAME not in text and "1990-05-17" not in text and "19900517" not in text
    row = node.seoul_pass.db.one("SELECT * FROM identity_certificates WHERE id = ?", (stored.id,))
    assert row is not None and NAME.encode() not in row["sealed_opening"]
    assert NAME not in row["document"]


def test_legal_name_and_birth_date_are_kept_only_sealed(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    stored = _issue(proofing, officer, person)
    opening = proofing.opening(person.id, stored.id)
    assert (opening.name, opening.birth_date) == (NAME, "1990-05-17")


def test_commitment_opens_only_with_the_right_salt_name_and_birth_date(
    proofing: Proofing, officer: Account, person: Account
) -> None:
    stored = proofing.issue(officer.id, person.id, f"  {NAME} ", BORN)
    salt = proofing.opening(person.id, stored.id).salt
    doc = stored.document
    assert open_commitment(doc, salt, NAME, "1990-05-17")
    assert open_commitment(doc, salt, NAME, BORN)
    assert not open_commitment(doc, salt, "홍길순", BORN)
    assert not open_commitment(doc, salt, NAME, date(1990, 5, 18))
    assert not open_commitment(doc, b64url_encode(bytes(32)), NAME, BORN)
    assert not open_commitment(doc, "not base64!", NAME, BORN)


def test_tampered_credential_fails_the_signature(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    bundle = _bundle(node, _issue(proofing, officer, person))
    tampered = copy.deepcopy(bundle)
    tampered["credential"]["credentialSubject"]["assurance"] = "remote"
    failed = _failed(_verify(_offline(node), tampered))
    assert "signature" in failed and "ledger" in failed


def test_forged_credential_signed_with_another_key_fails_the_signature(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    bundle = _bundle(node, _issue(proofing, officer, person))
    credential = bundle["credential"]
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialSubject"] = {**unsigned["credentialSubject"], "id": officer.did}
    forged = create_proof(
        unsigned, SigningKey.generate(), credential["proof"]["verificationMethod"]
    )
    failed = _failed(_verify(_offline(node), {**bundle, "credential": forged}))
    assert "signature" in failed


def test_revoked_credential_fails_the_status_check_and_the_ledger_records_why(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    receipt = proofing.revoke(officer.id, stored.id, "identity-fraud")
    verdict = _verify(_offline(node), _bundle(node, stored))
    assert _failed(verdict) == {"status"}
    assert "revoked" in next(c for c in verdict.checks if c.name == "status").reason_en
    revoked = json.loads(node.ledger.entry(receipt.index).data)
    assert revoked["type"] == CERTIFICATE_REVOKED.name
    assert revoked["body"] == {
        "issuer": proofing.city_did,
        "subject": person.did,
        "certificate": stored.digest,
        "reason": "identity-fraud",
    }
    assert node.seoul_pass.accounts.get(person.id).proofed_at is None
    with pytest.raises(Conflict):
        proofing.revoke(officer.id, stored.id, "identity-fraud")
    again = _issue(proofing, officer, person)
    assert _verify(_offline(node), _bundle(node, again)).valid
    assert proofing.current(person.id) == again


def test_the_city_is_enrolled_as_issuer_once(
    proofing: Proofing, officer: Account, node: Node
) -> None:
    for name in ("first", "second"):
        _issue(proofing, officer, node.seoul_pass.accounts.create(name, PASSWORD, name.title()))
    assert [r.did for r in node.dids.dids()] == [CITY_DID_WEB]
    grants = [(a.issuer, a.credential_type) for a in node.issuers.authorizations()]
    assert grants == [(CITY_DID_WEB, "SeoulPassIdentityCredential")]


# Who may do what.


def test_only_an_officer_issues_or_revokes_and_a_refusal_writes_nothing(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    other = node.seoul_pass.accounts.create("other", PASSWORD, "Other")
    size = node.ledger.size
    with pytest.raises(NotAnOfficer):
        proofing.issue(other.id, person.id, NAME, BORN)
    assert node.ledger.size == size and proofing.latest(person.id) is None
    stored = _issue(proofing, officer, person)
    with pytest.raises(NotAnOfficer):
        proofing.revoke(other.id, stored.id, "identity-fraud")
    assert _verify(node.verifier(), _bundle(node, stored)).valid


def test_a_person_is_proofed_once_and_an_officer_not_by_themselves(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    _issue(proofing, officer, person)
    size = node.ledger.size
    with pytest.raises(Conflict):
        _issue(proofing, officer, person)
    with pytest.raises(Conflict):
        proofing.issue(officer.id, officer.id, NAME, BORN)
    assert node.ledger.size == size


def test_another_accounts_certificate_is_not_found(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = _issue(proofing, officer, person)
    other = node.seoul_pass.accounts.create("other", PASSWORD, "Other")
    with pytest.raises(NotFound):
        proofing.get(other.id, stored.id)
    with pytest.raises(NotFound):
        proofing.opening(other.id, stored.id)


@pytest.mark.parametrize("text", ["1990/05/17", "1990-02-30", "1899-12-31", "2026-11-26", ""])
def test_impossible_birth_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_birth_date(text, today=date(2026, 11, 25))


def test_impossible_names_are_refused(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    size = node.ledger.size
    for name in ("", "   ", "a\x00b", "가" * 101):
        with pytest.raises(InvalidInput):
            proofing.issue(officer.id, person.id, name, BORN)
    assert node.ledger.size == size


def test_officers_are_accounts_of_the_officer_kind(officer: Account) -> None:
    assert officer.kind is AccountKind.OFFICER


# Certificates of version 1, issued before the credential.


def test_certificate_v1_verifies_through_the_one_verifier(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = issue_certificate_v1(node, proofing, officer, person)
    verdict = _verify(node.verifier(), stored.document)
    assert verdict.valid and verdict.kind == "identity-certificate"
    assert [c.name for c in verdict.checks] == ["format", "signature", "issuer", "ledger", "status"]
    issuer = stored.document["issuer"]
    assert verdict.checks == verify_certificate(stored.document, issuer, node.ledger).checks
    model = IdentityCertificate.model_validate(stored.document)
    assert canonical_json(model.model_dump()) == canonical_json(stored.document)
    assert stored.credential_id is None and proofing.current(person.id) == stored


def test_certificate_v1_verifies_in_a_read_only_node_of_the_data_folder(
    tmp_path: Path, proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = issue_certificate_v1(node, proofing, officer, person)
    reader = Node.open_readonly(Config(data_dir=tmp_path / "data").data_dir)
    try:
        assert _verify(reader.verifier(), stored.document).valid
    finally:
        reader.close()


def test_altered_or_forged_certificate_v1_fails(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    assert node.city is not None
    doc = issue_certificate_v1(node, proofing, officer, person).document
    verifier = node.verifier()
    altered = {**doc, "subject": did_key_from_public(SigningKey.generate().public)}
    assert _failed(_verify(verifier, altered)) == {"signature", "ledger"}
    forger = SigningKey.generate()
    assert _failed(_verify(verifier, resign_v1(doc, forger, node.city.kid))) == {"signature"}
    forger_did = did_key_from_public(forger.public)
    own_name = resign_v1(doc, forger, f"{forger_did}#{forger_did.removeprefix('did:key:')}")
    assert _failed(_verify(verifier, own_name)) == {"issuer"}
    assert _failed(verify_certificate(doc, forger_did, node.ledger)) == {"issuer"}
    assert _failed(_verify(verifier, {**doc, "name": NAME})) == {"format"}


def test_tampered_inclusion_proof_or_checkpoint_of_a_certificate_v1_fails_the_ledger_check(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    assert node.city is not None
    first = issue_certificate_v1(node, proofing, officer, person).document
    second = node.seoul_pass.accounts.create("second", PASSWORD, "Second")
    issue_certificate_v1(node, proofing, officer, second)
    bad_path = copy.deepcopy(first)
    bad_path["ledger"]["inclusion_proof"] = ["00" * 32]
    bad_path["ledger"]["tree_size"] += 1
    bad_note = copy.deepcopy(first)
    bad_note["ledger"]["checkpoint"] = bad_note["ledger"]["checkpoint"].replace("\n", "\nx", 1)
    for tampered in (bad_path, bad_note):
        signed = resign_v1(tampered, node.city.key, node.city.kid)
        assert _failed(_verify(node.verifier(), signed)) == {"ledger"}


def test_revoking_a_certificate_v1_fails_its_status_but_not_if_someone_else_wrote_it(
    proofing: Proofing, officer: Account, person: Account, node: Node
) -> None:
    stored = issue_certificate_v1(node, proofing, officer, person)
    attacker = SigningKey.generate()
    attacker_did = did_key_from_public(attacker.public)
    body = {
        "issuer": attacker_did,
        "subject": person.did,
        "certificate": stored.digest,
        "reason": "identity-fraud",
    }
    kid = f"{attacker_did}#{attacker_did.removeprefix('did:key:')}"
    node.submit(sign_entry(CERTIFICATE_REVOKED.name, body, [(kid, attacker)]))
    assert _verify(node.verifier(), stored.document).valid
    proofing.revoke(officer.id, stored.id, "superseded")
    verdict = _verify(node.verifier(), stored.document)
    assert _failed(verdict) == {"status"}
    assert "superseded" in verdict.checks[-1].reason_en
    assert _verify(node.verifier(), _bundle(node, _issue(proofing, officer, person))).valid


def test_something_that_is_not_a_certificate_fails_the_format_check(node: Node) -> None:
    for doc in (None, [], "text", {}, {"type": "SeoulPassIdentityCertificate"}):
        result = verify_certificate(doc, "did:key:z6Mkq", node.ledger)
        assert not result.ok and _failed(result) == {"format"}, doc
    verdict = _verify(node.verifier(), {"type": "SeoulPassIdentityCertificate"})
    assert verdict.unreadable and _failed(verdict) == {"format"}


def test_no_checks_is_never_a_pass() -> None:
    assert not CertificateCheck(()).ok
